/**
 * The campaign rows of the sales figures (`kit.campaignFigures`) on the memory storage and on PostgreSQL (PGlite): each
 * campaign's sign-ups, first purchases and revenue net of refunds equal what its customers' own orders and ledger
 * entries add up to, and both storages give the same rows for the same story.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { REVENUE_LEDGER_KINDS, ValidationError, createPanelkit } from '@panelkit/sdk';
import type { CampaignFigures } from '@panelkit/sdk/campaigns';
import type { StoragePort } from '@panelkit/sdk/storage';
import { FakePanelAdapter, ManualClock } from '@panelkit/sdk/testing';
import { createMemoryStorage } from '@panelkit/storage-memory';
import { createPostgresStorage, fromPGlite, migrate } from '@panelkit/storage-postgres';
import type { PGlite } from '@electric-sql/pglite';
import { freshPGlite } from './support/pglite.js';

const DAY = 86_400_000;
let pglite: PGlite | undefined;
let schemas = 0;
afterAll(async () => {
  await pglite?.close();
});

const STORAGES: [string, (clock: ManualClock) => Promise<StoragePort>][] = [
  ['memory', async (clock) => createMemoryStorage({ clock })],
  [
    'PGlite',
    async (clock) => {
      pglite ??= await freshPGlite();
      const client = fromPGlite(pglite);
      const schema = `pk_campaign_${++schemas}`;
      await migrate(client, { schema, clock });
      return createPostgresStorage({ client, schema, clock });
    },
  ],
];

const usd = (amount: number) => ({ amount, currency: 'USD' });
const REVENUE = new Set<string>(REVENUE_LEDGER_KINDS);

/**
 * A story over three days of March 2026 (UTC): customers come through two campaigns (one of them bought before the
 * period), buy, extend, are refunded in part; one customer came through no campaign. Returns the kit's campaign rows
 * for 2026-03-02..03 and the rows recounted from each attributed customer's orders and ledger entries.
 */
async function story(make: (clock: ManualClock) => Promise<StoragePort>) {
  const clock = new ManualClock('2026-03-01T10:00:00.000Z');
  const storage = await make(clock);
  const fake = new FakePanelAdapter({ clock });
  const kit = createPanelkit({
    storage,
    clock,
    panels: () => fake,
    policy: { identity: { secret: 'campaign-test-secret-0123456789', prefix: 'pk' } },
    random: () => 0.5,
  });
  const panel = await storage.panels.create({
    kind: 'fake',
    name: 'frankfurt',
    baseUrl: 'https://p.example.com/',
    credentials: { type: 'token', token: 't' },
  });
  await storage.targets.create({ panelId: panel.id, remoteRef: '1', name: 'vless', protocol: 'vless', capacity: null });
  const plan = await storage.plans.create({ name: 'monthly', family: 'standard', price: usd(1000), durationDays: 30, trafficBytes: null });
  const drain = async () => void (await kit.createWorker({ heartbeatIntervalMs: 3_600_000 }).drain());
  let n = 0;
  const customer = async (campaign: string | null) => {
    const c = await storage.customers.create({ email: `c${++n}@example.com` });
    await kit.topUp({ customerId: c.id, amount: usd(10_000), idempotencyKey: `seed-${c.id}` });
    if (campaign !== null) await storage.campaigns.attribute({ customerId: c.id, campaign });
    return c.id;
  };
  const buy = async (customerId: string, key: string) => {
    const { order } = await kit.checkout({ customerId, items: [{ planId: plan.id }], idempotencyKey: key });
    await drain();
    return order;
  };

  // Before the period: an early customer of "spring" signs up and buys.
  const early = await customer('spring');
  await buy(early, 'early-1');
  clock.set(new Date('2026-03-02T09:00:00.000Z'));
  const a = await customer('spring');
  const b = await customer('spring');
  const c = await customer('autumn');
  const outsider = await customer(null);
  const aOrder = await buy(a, 'a-1');
  await buy(early, 'early-2'); // early's second order: revenue, not a first purchase
  await buy(outsider, 'x-1');
  clock.advance(DAY);
  await kit.refund({ customerId: a, orderId: aOrder.id, amount: usd(400), idempotencyKey: 'a-refund' });
  const cOrder = await buy(c, 'c-1');
  await kit.refund({ customerId: c, orderId: cOrder.id, amount: usd(1000), idempotencyKey: 'c-refund' });
  await storage.campaigns.attribute({ customerId: b, campaign: 'autumn' }); // a later campaign does not steal b
  clock.advance(DAY); // after the period
  await buy(b, 'b-1');

  const rows = await kit.campaignFigures({ from: '2026-03-02', to: '2026-03-03', timeZone: 'UTC' });
  const start = Date.parse('2026-03-02T00:00:00.000Z');
  const end = Date.parse('2026-03-04T00:00:00.000Z');
  const inPeriod = (at: Date) => at.getTime() >= start && at.getTime() < end;
  const recounted = new Map<string, CampaignFigures>();
  for (const id of [early, a, b, c, outsider]) {
    const attribution = await storage.campaigns.get(id);
    if (attribution === null) continue;
    const row = recounted.get(attribution.campaign) ?? { campaign: attribution.campaign, signUps: 0, firstPurchases: 0, revenue: [] };
    if (inPeriod(attribution.attributedAt)) row.signUps++;
    const paid = (await storage.orders.list({ customerId: id }, { limit: 100 })).items.filter((o) => o.total.amount > 0);
    const first = paid.map((o) => o.createdAt.getTime()).sort((x, y) => x - y)[0];
    if (first !== undefined && first >= start && first < end) row.firstPurchases++;
    const entries = (await storage.ledger.list(id, { limit: 100 })).items.filter((e) => REVENUE.has(e.kind) && inPeriod(e.createdAt));
    const net = entries.reduce((sum, e) => sum - e.amount, 0);
    if (entries.length > 0) row.revenue = [usd((row.revenue[0]?.amount ?? 0) + net)];
    recounted.set(attribution.campaign, row);
  }
  // The query is checked as the sales figures' is: a period that ends before it starts is refused.
  await expect(kit.campaignFigures({ from: '2026-03-03', to: '2026-03-02', timeZone: 'UTC' })).rejects.toSatisfy((e: unknown) =>
    ValidationError.is(e),
  );
  return { rows, recounted: [...recounted.values()].sort((x, y) => (x.campaign < y.campaign ? -1 : 1)) };
}

describe('campaign rows of the sales figures', () => {
  const results = new Map<string, CampaignFigures[]>();

  it.each(STORAGES)('equal the orders and refunds of the campaigns’ customers (%s)', async (name, make) => {
    const { rows, recounted } = await story(make);
    expect(rows).toEqual(recounted);
    expect(rows).toEqual([
      // c bought 1000 and got all of it back: a first purchase that earned nothing.
      { campaign: 'autumn', signUps: 1, firstPurchases: 1, revenue: [usd(0)] },
      // a bought 1000 and got 400 back; early bought again (1000); b signed up and bought only after the period.
      { campaign: 'spring', signUps: 2, firstPurchases: 1, revenue: [usd(1000 - 400 + 1000)] },
    ]);
    results.set(name, rows);
  });

  it('are the same on both storages', () => {
    expect(results.size).toBe(STORAGES.length);
    expect(results.get('PGlite')).toEqual(results.get('memory'));
  });
});
