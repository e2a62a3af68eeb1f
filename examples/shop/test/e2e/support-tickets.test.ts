import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN } from '../support/shop-under-test.js';
import { HAVE_CHROMIUM, launchBrowser, screenshot, serveShop, type ServedShop } from './browser.js';

describe.skipIf(!HAVE_CHROMIUM)(
  `a support ticket, in headless Chromium${HAVE_CHROMIUM ? '' : ' (skipped: no Chromium; the test command installs it)'}`,
  () => {
    let shop: ServedShop;
    let browser: Browser;
    beforeAll(async () => {
      [shop, browser] = await Promise.all([serveShop(), launchBrowser()]);
    });
    afterAll(async () => {
      await browser?.close();
      await shop?.stop();
    });

    it('goes from a buyer’s question to the staff’s answer, which the buyer reads in the ticket', async () => {
      const buyerContext = await browser.newContext({ viewport: { width: 420, height: 900 } });
      buyerContext.setDefaultTimeout(10_000);
      const buyer = await buyerContext.newPage();
      await buyer.goto(`${shop.url}/signup`);
      await buyer.getByLabel('Email').fill('asks-in-browser@example.com');
      await buyer.getByLabel('Password').fill('correct horse battery');
      await buyer.getByRole('button', { name: 'Create account' }).click();
      await buyer.waitForURL((url) => !url.pathname.startsWith('/signup'));

      await buyer.getByRole('link', { name: 'Support' }).first().click();
      await buyer.waitForURL(/\/support$/);
      await buyer.getByLabel('Subject').fill('The link page is empty');
      await buyer.getByLabel('Your question').fill('I open my link and see nothing. What should I do?');
      await buyer.getByTestId('new-ticket').getByRole('button', { name: 'Send' }).click();
      await buyer.waitForURL(/\/support\/tkt_/);
      await expect(buyer.getByRole('status').textContent()).resolves.toContain('Your ticket is open');
      await expect(buyer.getByTestId('ticket-status').textContent()).resolves.toBe('Waiting for support');
      await screenshot(buyer, 'support-ticket-opened');
      const ticketUrl = buyer.url().split('?')[0] as string;

      const staffContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      staffContext.setDefaultTimeout(10_000);
      const staff = await staffContext.newPage();
      await staff.goto(`${shop.url}/signin`);
      await staff.getByLabel('Email').fill(ADMIN.email);
      await staff.getByLabel('Password').fill(ADMIN.password);
      await staff.getByRole('button', { name: 'Sign in' }).click();
      await staff.goto(`${shop.url}/admin`);
      await staff.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Tickets' }).click();
      await staff.waitForURL(/\/admin\/tickets$/);
      await expect(staff.getByTestId('open-ticket').count()).resolves.toBe(1);
      await screenshot(staff, 'support-tickets-overview');
      await staff.getByRole('link', { name: 'The link page is empty' }).click();
      await expect(staff.getByTestId('ticket-thread').textContent()).resolves.toContain('I open my link and see nothing.');
      await staff.getByLabel('✍️ Answer').fill('Tap “Add to app” on the link page; if it stays empty, refresh once.');
      await staff.getByTestId('ticket-answer').getByRole('button', { name: 'Send' }).click();
      await expect(staff.getByRole('status').textContent()).resolves.toContain('Your answer is sent to the buyer');
      await screenshot(staff, 'support-ticket-answered-staff');

      await buyer.goto(ticketUrl);
      await expect(buyer.getByTestId('ticket-status').textContent()).resolves.toBe('Answered');
      const messages = buyer.getByTestId('ticket-message');
      await expect(messages.count()).resolves.toBe(2);
      await expect(messages.nth(1).textContent()).resolves.toContain('refresh once.');
      await expect(messages.nth(1).getAttribute('data-author')).resolves.toBe('staff');
      await screenshot(buyer, 'support-ticket-answered-buyer');
      await buyerContext.close();
      await staffContext.close();
    });
  },
);
