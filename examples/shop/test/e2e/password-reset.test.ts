import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { HAVE_CHROMIUM, launchBrowser, screenshot, serveShop, type ServedShop } from './browser.js';

const PUBLIC_URL = 'http://shop.example.com';

describe.skipIf(!HAVE_CHROMIUM)(
  `forgotten password in headless Chromium${HAVE_CHROMIUM ? '' : ' (skipped: no Chromium; the test command installs it)'}`,
  () => {
    let shop: ServedShop;
    let browser: Browser;
    let sink: SmtpSink;
    beforeAll(async () => {
      sink = await startSmtpSink();
      [shop, browser] = await Promise.all([
        serveShop({ env: { SMTP_URL: sink.url, MAIL_FROM: 'Shop <shop@example.com>', PUBLIC_URL } }),
        launchBrowser(),
      ]);
    });
    afterAll(async () => {
      await browser?.close();
      await shop?.stop();
      await sink?.close();
    });

    it('a buyer asks for a link, follows it from the mail, sets a new password and signs in with it', async () => {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
      const page = await context.newPage();
      await page.goto(`${shop.url}/signup`);
      await page.getByLabel('Email').fill('forgetful@example.com');
      await page.getByLabel('Password').fill('correct horse battery');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.waitForURL(`${shop.url}/?done=auth.signed_up`);
      await page.getByRole('button', { name: 'Sign out' }).click();

      await page.goto(`${shop.url}/signin`);
      await page.getByRole('link', { name: 'Forgot password?' }).click();
      await page.getByLabel('Email').fill('forgetful@example.com');
      await page.getByRole('button', { name: 'Send the link' }).click();
      await expect(page.getByText('If an account has this email').count()).resolves.toBe(1);

      // The answer does not wait for the mail: small real delays until it is there.
      for (let i = 0; i < 200 && sink.received.length === 0; i++) await new Promise((done) => setTimeout(done, 25));
      const mail = sink.received.find((m) => m.to.includes('forgetful@example.com'));
      const link = /http:\/\/shop\.example\.com(\/reset-password\/\S+)/.exec(mail?.text ?? '')?.[1];
      expect(link).toBeDefined();
      // The mail names the shop's public address; the shop under test serves on a free port.
      await page.goto(`${shop.url}${link as string}`);
      await page.getByLabel('New password').fill('a brand new password');
      await screenshot(page, 'password-reset-en');
      await page.getByRole('button', { name: 'Save the new password' }).click();
      await page.waitForURL(`${shop.url}/signin?done=credentials.password_reset`);
      await expect(page.getByText('Your new password is set').count()).resolves.toBe(1);

      await page.getByLabel('Email').fill('forgetful@example.com');
      await page.getByLabel('Password').fill('a brand new password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${shop.url}/dashboard`);
      await expect(page.getByTestId('credentials-link').count()).resolves.toBe(1);

      // The link worked once.
      await page.goto(`${shop.url}${link as string}`);
      await expect(page.getByText('This link does not work').count()).resolves.toBe(1);
      await context.close();
    });
  },
);
