import type { Browser } from 'playwright-core';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boughtAndProvisioned, fund, planNamed } from '../support/buying.js';
import { chooseLanguage, HAVE_CHROMIUM, launchBrowser, screenshot, serveShop, type ServedShop } from './browser.js';
import { visitor } from '../support/shop-under-test.js';

/** A plan of the demo shop with `deviceLimit: 2`. */
const TWO_DEVICES = 'Frankfurt · 1 month · unlimited';
const APPS = [
  {
    'user-agent': 'Happ/4.6.0/ios/2603181556604',
    'x-hwid': 'e2e-iphone',
    'x-device-os': 'iOS',
    'x-ver-os': '26.1',
    'x-device-model': 'iPhone 16 Pro',
  },
  { 'user-agent': 'HiddifyNext/2.5.7 (windows) like ClashMeta v2ray sing-box', 'x-hwid': 'e2e-laptop', 'x-device-os': 'Windows' },
];

describe.skipIf(!HAVE_CHROMIUM)(
  `my devices on a phone in headless Chromium${HAVE_CHROMIUM ? '' : ' (skipped: no Chromium; the test command installs it)'}`,
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

    it('a buyer reads their devices on a phone, without scrolling sideways, and removes one after confirming', async () => {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
      context.setDefaultTimeout(10_000);
      const page = await context.newPage();
      await page.goto(`${shop.url}/signup`);
      await page.getByLabel('Email').fill('devices@example.com');
      await page.getByLabel('Password').fill('correct horse battery');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.waitForURL(`${shop.url}/?done=auth.signed_up`);

      // The buyer's subscription, bought through the same pages (a second session of the same account).
      const buyer = await visitor(shop.app);
      await buyer.agent
        .post('/signin')
        .type('form')
        .send({ _csrf: buyer.csrf, email: 'devices@example.com', password: 'correct horse battery' })
        .expect(303);
      await fund(shop, 'devices@example.com', 10_000);
      const sub = await boughtAndProvisioned(shop, buyer, (await planNamed(shop, TWO_DEVICES)).id);
      const customer = (await shop.shop.storage.customers.getByEmail('devices@example.com'))!;
      const link = `/s/${await shop.shop.kit.links.tokenFor(customer.id)}`;
      const answers: string[] = [];
      for (const headers of APPS) {
        const res = await supertest(shop.url).get(link).set(headers).expect(200);
        answers.push(`${headers['user-agent']}: ${JSON.stringify(res.headers)} ${String(res.text).slice(0, 300)}`);
      }
      // Both apps registered before the page is read (once failed in CI with one: the answers say what each got).
      const registered = (await shop.shop.kit.devices.list(sub)).map((d) => d.hwid).sort();
      expect(registered, answers.join('\n')).toEqual(['e2e-iphone', 'e2e-laptop']);

      await page.goto(`${shop.url}/subscriptions/${sub}`);
      const section = page.getByTestId('devices');
      await expect(section.getAttribute('data-count')).resolves.toBe('2');
      await expect(page.getByTestId('device-count').textContent()).resolves.toBe('Devices in use: 2 of 2');
      await expect(section.getByTestId('device').count()).resolves.toBe(2);
      await expect(section.getByRole('cell', { name: 'iPhone 16 Pro' }).isVisible()).resolves.toBe(true);
      // One device a block on a phone: the table scrolls nowhere.
      const table = await section.locator('.table-wrap').evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
      expect(table.scroll).toBeLessThanOrEqual(table.client + 1);
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      expect(overflow).toBeLessThanOrEqual(0);
      await section.scrollIntoViewIfNeeded();
      await screenshot(page, 'devices-phone-en');

      // Devices registered together (the clock stands still) are listed in id order: the iPhone's row by its name.
      const first = section.getByTestId('device').filter({ hasText: 'iPhone 16 Pro' });
      await first.getByTestId('device-remove').click();
      await expect(first.getByText('Remove iPhone 16 Pro?').isVisible()).resolves.toBe(true);
      await first.getByTestId('device-remove-confirm').click();
      await page.waitForURL(`${shop.url}/subscriptions/${sub}?done=devices.removed#devices`);
      await expect(page.getByTestId('device-count').textContent()).resolves.toBe('Devices in use: 1 of 2');
      await expect(page.getByText('The device was removed; its place is free.').count()).resolves.toBe(1);
      expect((await shop.shop.kit.devices.list(sub)).map((d) => d.hwid)).toEqual(['e2e-laptop']);

      await chooseLanguage(page, 'فارسی');
      await expect(page.locator('html').getAttribute('dir')).resolves.toBe('rtl');
      await expect(page.getByTestId('device-count').textContent()).resolves.toBe('دستگاه‌های در حال استفاده: ۱ از ۲');
      await screenshot(page, 'devices-phone-fa');
      await context.close();
    });
  },
);
