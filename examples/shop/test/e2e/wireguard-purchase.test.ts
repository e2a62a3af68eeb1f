/**
 * Issue 92 walked in headless Chromium: the shop on its embedded default (PGlite, the demo's simulated panels with
 * their WireGuard panel, `DEMO_WIREGUARD`), a buyer picks the demo's WireGuard plan in the catalogue (its badge), is
 * told at checkout a config file comes, buys it, opens the subscription once it is live and downloads its `.conf`.
 */
import { text } from 'node:stream/consumers';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerIdOf, fund } from '../support/buying.js';
import { HAVE_CHROMIUM, launchBrowser, screenshot, serveShop, type ServedShop } from './browser.js';

describe.skipIf(!HAVE_CHROMIUM)(`buying WireGuard in headless Chromium${HAVE_CHROMIUM ? '' : ' (skipped: no Chromium)'}`, () => {
  let shop: ServedShop;
  let browser: Browser;
  beforeAll(async () => {
    [shop, browser] = await Promise.all([serveShop({ env: { DEMO_WIREGUARD: 'on' } }), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await shop?.stop();
  });

  it('buys the demo’s WireGuard plan, opens the subscription and downloads a .conf that imports', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US', acceptDownloads: true });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    await page.goto(`${shop.url}/signup`);
    await page.getByLabel('Email').fill('wireguard-e2e@example.com');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(/done=auth\.signed_up/);
    await fund(shop, 'wireguard-e2e@example.com', 5_000);

    const card = page.getByTestId('plan-card').filter({ hasText: 'Frankfurt · WireGuard · 1 month' });
    await expect(card.locator('.badge[data-kind="wireguard"]').textContent()).resolves.toBe('WireGuard');
    await card.getByRole('link').last().click();
    await expect(page.getByTestId('checkout-receives').textContent()).resolves.toContain('config file (.conf)');
    await page.getByTestId('checkout-form').getByRole('button', { name: 'Pay from wallet and order' }).click();
    await page.waitForURL(/\/orders\//);

    // The worker provisions in the background: the subscription's page offers its config once the part is live.
    const customerId = await customerIdOf(shop, 'wireguard-e2e@example.com');
    const deadline = Date.now() + 30_000;
    let subscriptionId: string | undefined;
    while (subscriptionId === undefined && Date.now() < deadline) {
      const subs = (await shop.shop.storage.subscriptions.listByCustomer(customerId, { limit: 5 })).items;
      subscriptionId = subs.find((s) => s.kind === 'wireguard' && s.status === 'active')?.id;
      if (subscriptionId === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    expect(subscriptionId, 'a live WireGuard subscription').toBeDefined();
    await page.goto(`${shop.url}/dashboard`);
    await page.locator(`a[href="/subscriptions/${subscriptionId}"]`).first().click();
    await page.waitForURL(new RegExp(`/subscriptions/${subscriptionId}$`));
    await screenshot(page, 'wireguard-subscription');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-config').click()]);
    expect(download.suggestedFilename()).toMatch(/\.conf$/);
    // Read through the connection: the run's shared browser keeps the file on its side.
    const conf = await text(await download.createReadStream());
    expect(conf).toMatch(/^\[Interface\]\n/);
    expect(conf).toMatch(/\nPrivateKey = [A-Za-z0-9+/]{43}=\n/);
    expect(conf).toMatch(/\n\[Peer\]\n(.+\n)*PublicKey = [A-Za-z0-9+/]{43}=\n/);
    await context.close();
  });
});
