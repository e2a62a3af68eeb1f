import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveGatewaySettings } from '../../src/app/payments/crypto/gateway-settings.js';
import { NowPaymentsSimulator as CryptoGatewaySimulator } from '@panelkit/payment-providers/simulators';
import { HAVE_CHROMIUM, launchBrowser, screenshot, serveShop, type ServedShop } from './browser.js';

describe.skipIf(!HAVE_CHROMIUM)(
  `a crypto top-up in headless Chromium${HAVE_CHROMIUM ? '' : ' (skipped: no Chromium; the test command installs it)'}`,
  () => {
    let shop: ServedShop;
    let browser: Browser;
    let sim: CryptoGatewaySimulator;
    beforeAll(async () => {
      [shop, browser, sim] = await Promise.all([serveShop(), launchBrowser(), new CryptoGatewaySimulator().start()]);
      await saveGatewaySettings(
        shop.shop,
        { enabled: true, baseUrl: sim.url, apiKey: sim.apiKey, ipnSecret: sim.ipnSecret },
        shop.clock.now(),
        null,
      );
    });
    afterAll(async () => {
      await browser?.close();
      await sim?.close();
      await shop?.stop();
    });

    it('the buyer pays on the gateway page, comes back credited, and prints the invoice', async () => {
      const context = await browser.newContext({ viewport: { width: 375, height: 800 } });
      context.setDefaultTimeout(15_000);
      const page = await context.newPage();
      await page.goto(`${shop.url}/signup`);
      await page.getByLabel('Email').fill('crypto-buyer@example.com');
      await page.getByLabel('Password').fill('correct horse battery');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.goto(`${shop.url}/wallet`);
      await page
        .getByTestId('topup-crypto')
        .getByLabel(/Amount/)
        .fill('15');
      await screenshot(page, 'wallet-crypto-form');
      await page.getByRole('button', { name: 'Continue to payment' }).click();
      await page.waitForURL(/\/wallet\/crypto\/pay_/);
      await page.getByTestId('pay-on-gateway').click();
      await page.waitForURL(new RegExp(`^${sim.url}pay/`));
      await page.getByRole('button', { name: /Pay with USDT/ }).click();
      await page.waitForURL(/\/wallet\?done=wallet\.crypto_credited$/);
      await expect(page.getByText('Your crypto payment arrived').count()).resolves.toBe(1);
      await expect(page.getByText('$15.00').count()).resolves.toBeGreaterThan(0);
      await screenshot(page, 'wallet-crypto-credited');
      await page.getByTestId('invoice-link').first().click();
      await page.waitForURL(/\/invoice$/);
      await expect(page.getByTestId('invoice-status').textContent()).resolves.toBe('Paid');
      await expect(page.getByTestId('invoice-amount').textContent()).resolves.toContain('15.00');
      await page.emulateMedia({ media: 'print' });
      await expect(page.locator('header.top').isVisible()).resolves.toBe(false);
      await screenshot(page, 'invoice-print');
      await context.close();
    });
  },
);
