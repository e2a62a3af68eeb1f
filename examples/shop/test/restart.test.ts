import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@panelkit/sdk/testing';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { openShop } from '../src/stack/shop.js';
import { TEST_START } from './support/shop-under-test.js';

/** `npm start` twice on one data folder: the second start finds its data and restores the simulated panels' clients. */
describe('restarting the demo shop', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'panelkit-shop-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  // Opens a file-backed PGlite twice (migrations included): a generous limit, as a hang guard only.
  it('keeps accounts, plans and subscriptions, and puts the sold clients back on the restarted panels', { timeout: 90_000 }, async () => {
    const clock = new ManualClock(TEST_START);
    const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    const logger = pino({ level: 'silent' });

    const first = await openShop(config, { clock, logger });
    const plan = (await first.storage.plans.list({ onSale: true })).find((p) => !p.startOnFirstUse);
    if (plan === undefined) throw new Error('no demo plan');
    const customer = await first.storage.customers.create({ email: 'restart@example.com' });
    await first.kit.topUp({ customerId: customer.id, amount: plan.price, idempotencyKey: 'restart-topup' });
    const { subscriptions } = await first.kit.checkout({
      customerId: customer.id,
      items: [{ planId: plan.id }],
      idempotencyKey: 'restart-order',
    });
    await first.kit.createWorker().drain();
    const sold = await first.storage.subscriptions.get(subscriptions[0]?.id as string);
    const plansBefore = (await first.storage.plans.list()).length;
    await first.close();

    const second = await openShop(config, { clock, logger });
    try {
      expect((await second.storage.plans.list()).length).toBe(plansBefore);
      const panel = second.demo?.panels.find((p) => p.panel.id === sold?.panelId);
      expect(panel?.sim.client(sold?.remote.username as string)).toBeUndefined();
      const report = await second.kit.reconcile({ repair: true });
      expect(report.repairsQueued).toBe(1);
      await second.kit.createWorker().drain();
      expect(panel?.sim.client(sold?.remote.username as string)?.['expiryTime']).toBe(sold?.expiresAt?.getTime());
      // Same ports as before when they are free, so the stored subscription URL still works.
      expect(sold?.subscriptionUrl?.startsWith(String(panel?.panel.options['subscriptionBaseUrl']))).toBe(true);
    } finally {
      await second.close();
    }
  });
});
