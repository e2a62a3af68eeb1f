import { generateSync } from 'otplib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN } from '../support/shop-under-test.js';
import { HAVE_CHROMIUM, launchBrowser, screenshot, serveShop, type ServedShop } from './browser.js';

describe.skipIf(!HAVE_CHROMIUM)(
  `staff two-factor sign-in in headless Chromium${HAVE_CHROMIUM ? '' : ' (skipped: no Chromium; the test command installs it)'}`,
  () => {
    let shop: ServedShop;
    let browser: Browser;
    let secret = '';

    const codeNow = () => generateSync({ secret, epoch: Math.floor(shop.clock.now().getTime() / 1000) });

    async function signInWithPassword(page: Page): Promise<void> {
      await page.goto(`${shop.url}/signin?next=%2Fadmin`);
      await page.getByLabel('Email').fill(ADMIN.email);
      await page.getByLabel('Password').fill(ADMIN.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
    }

    beforeAll(async () => {
      [shop, browser] = await Promise.all([serveShop({ env: { STAFF_TOTP: 'required' } }), launchBrowser()]);
    });
    afterAll(async () => {
      await browser?.close();
      await shop?.stop();
    });

    it('an admin is made to enrol: scans the locally drawn QR, confirms a code, and gets recovery codes once', async () => {
      const context = await browser.newContext({ locale: 'en-US' });
      context.setDefaultTimeout(10_000);
      const page = await context.newPage();
      await signInWithPassword(page);
      await page.waitForURL(/\/account\/security\?required=1$/);
      await expect(page.getByTestId('totp-required').isVisible()).resolves.toBe(true);
      await expect(page.getByTestId('totp-qr').getAttribute('src')).resolves.toMatch(/^data:image\/svg\+xml;base64,/);
      secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').trim();
      expect(secret).toMatch(/^[A-Z2-7]{16,}$/);

      const form = page.getByTestId('totp-confirm-form');
      await form.locator('input[name="code"]').fill(codeNow() === '000000' ? '111111' : '000000');
      await form.locator('button[type="submit"]').click();
      await expect(page.locator('.field-error').textContent()).resolves.toContain('not right');
      await page.getByTestId('totp-confirm-form').locator('input[name="code"]').fill(codeNow());
      await page.getByTestId('totp-confirm-form').locator('button[type="submit"]').click();
      await expect(page.getByTestId('recovery-codes').locator('li').count()).resolves.toBe(10);
      await screenshot(page, 'staff-totp-enrolled-en');
      await page.goto(`${shop.url}/admin`);
      expect(new URL(page.url()).pathname).toBe('/admin');
      await context.close();
    });

    it('a later sign-in is refused the back office without the code, and let in with it', async () => {
      shop.clock.advance(60_000);
      const context = await browser.newContext({ locale: 'fa-IR' });
      context.setDefaultTimeout(10_000);
      const page = await context.newPage();
      await page.goto(`${shop.url}/lang/en`);
      await signInWithPassword(page);
      await page.waitForURL(/\/signin\/second-factor/);
      await page.goto(`${shop.url}/admin`);
      expect(new URL(page.url()).pathname).toBe('/signin');

      await page.goto(`${shop.url}/signin/second-factor?next=%2Fadmin`);
      await page
        .getByTestId('second-factor-form')
        .locator('input[name="code"]')
        .fill(codeNow() === '000000' ? '111111' : '000000');
      await page.getByTestId('second-factor-form').locator('button[type="submit"]').click();
      await expect(page.locator('.field-error').textContent()).resolves.toContain('not right');
      await page.goto(`${shop.url}/admin`);
      expect(new URL(page.url()).pathname).toBe('/signin');

      await page.goto(`${shop.url}/lang/fa?next=%2Fsignin%2Fsecond-factor%3Fnext%3D%252Fadmin`);
      await screenshot(page, 'staff-totp-code-fa');
      await page.getByTestId('second-factor-form').locator('input[name="code"]').fill(codeNow());
      await page.getByTestId('second-factor-form').locator('button[type="submit"]').click();
      await page.waitForURL(/\/admin$/);
      await context.close();
    });
  },
);
