import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExtraPanel, startExtraPanel } from '../support/admin-support.js';
import { boughtAndProvisioned, fund, planNamed } from '../support/buying.js';
import { ADMIN, signedUpBuyer } from '../support/shop-under-test.js';
import { HAVE_CHROMIUM, launchBrowser, screenshot, serveShop, type ServedShop } from './browser.js';

describe.skipIf(!HAVE_CHROMIUM)(
  `an owner evacuates a panel, in headless Chromium${HAVE_CHROMIUM ? '' : ' (skipped: no Chromium; the test command installs it)'}`,
  () => {
    let shop: ServedShop;
    let browser: Browser;
    let extra: ExtraPanel;
    let subId: string;
    beforeAll(async () => {
      [shop, browser] = await Promise.all([serveShop(), launchBrowser()]);
      extra = await startExtraPanel(shop.clock);
      const plan = await planNamed(shop, 'Frankfurt · 1 month · 50');
      const buyer = await signedUpBuyer(shop.app);
      await fund(shop, buyer.email, plan.price.amount * 2);
      subId = await boughtAndProvisioned(shop, buyer, plan.id);
      const second = await shop.shop.kit.panels.add({
        kind: '3x-ui',
        name: 'Frankfurt 2',
        baseUrl: extra.url,
        credentials: { type: 'password', ...extra.login },
        locationTags: ['de'],
      });
      await shop.shop.kit.targets.sync(second.id, { capacity: 5 });
    });
    afterAll(async () => {
      await browser?.close();
      await shop?.stop();
      await extra?.close();
    });

    it('opens the panel, reads where each subscription would go, confirms, and follows the progress to the end', async () => {
      const oldPanelId = (await shop.shop.storage.subscriptions.get(subId))!.panelId;
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      context.setDefaultTimeout(10_000);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('dialog', (dialog) => void dialog.accept());
      await page.goto(`${shop.url}/signin`);
      await page.getByLabel('Email').fill(ADMIN.email);
      await page.getByLabel('Password').fill(ADMIN.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/$|\/dashboard|\/admin/);
      await page.goto(`${shop.url}/admin/panels/${oldPanelId}`);
      await page.getByTestId('evacuate-panel').click();
      await page.waitForURL(/\/evacuate$/);
      await expect(page.locator(`[data-testid="evacuation-row"][data-outcome="would_move"]`).count()).resolves.toBeGreaterThanOrEqual(1);
      await screenshot(page, 'admin-evacuation-plan');
      await page.getByTestId('start-evacuation').click();
      await page.waitForURL(/done=evacuation\.started/);
      await expect(page.getByRole('status').first().textContent()).resolves.toContain('Evacuation started');
      // The shop's own worker moves it; the page shows nothing left once it has.
      for (let i = 0; i < 100 && (await shop.shop.kit.evacuationProgress(oldPanelId)).remaining > 0; i++)
        await new Promise((r) => setTimeout(r, 100));
      await page.reload();
      await expect(page.getByTestId('evacuation-remaining').textContent()).resolves.toBe('0');
      expect((await shop.shop.storage.subscriptions.get(subId))!.panelId).not.toBe(oldPanelId);
      expect(errors, errors.join('\n')).toEqual([]);
      await context.close();
    });
  },
);
