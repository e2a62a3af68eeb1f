import { describe, expect, it } from 'vitest';
import type { Subscription } from '../../src/index.js';
import { GiB, createHarness } from '../engine/harness.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type Kind = 'renews' | 'cannot_renew' | 'traffic';

interface Tracked {
  id: string;
  kind: Kind;
  username: string;
  panel: 'enforcing' | 'lax';
  limit: number;
  perHour: number;
  fed: number;
  expiresAt: number;
  durationMs: number;
  /** Hours at which thresholds were crossed (traffic fed before that hour's tick). */
  crossed: Map<string, number>;
}

describe('a month of scheduler time', () => {
  it('does every warning, limit, expiry, renewal and termination once, on time', { timeout: 120_000 }, async () => {
    const h = await createHarness({
      panels: 0,
      policy: {
        tickIntervalMs: HOUR,
        healthCheckIntervalMs: DAY,
        renewalLeadMs: DAY,
        terminationGraceMs: 3 * DAY,
        expiryWarningsMs: [72 * HOUR, 24 * HOUR],
        trafficWarningPercents: [80, 95],
      },
    });
    const start = h.clock.now().getTime();
    const enforcing = await h.addPanel();
    const lax = await h.addPanel({ capabilities: { enforcesExpiry: false, enforcesTrafficLimit: false } });
    const short = await h.addPlan({ durationDays: 7, trafficBytes: 10 * GiB, price: { amount: 300, currency: 'USD' } });
    const long = await h.addPlan({ durationDays: 10, trafficBytes: 20 * GiB, price: { amount: 500, currency: 'USD' } });
    const factors = [0.5, 0.9, 1.1, 1.3, 1.6, 2.0, 3.0];

    const events = new Map<string, number[]>();
    const record = (sub: Subscription, what: string) => {
      const key = `${sub.id}|${what}`;
      events.set(key, [...(events.get(key) ?? []), h.clock.now().getTime()]);
    };
    h.kit.events.on('subscription:warned', (e) => record(e.subscription, `warn:${e.notice}`));
    h.kit.events.on('subscription:limited', (e) => record(e.subscription, 'limited'));
    h.kit.events.on('subscription:expired', (e) => record(e.subscription, 'expired'));
    h.kit.events.on('subscription:terminated', (e) => record(e.subscription, 'terminated'));
    h.kit.events.on('subscription:extended', (e) => record(e.subscription, `extended:${e.action}`));
    h.kit.events.on('ledger:appended', (e) => {
      if (e.entry.kind === 'extension' && e.entry.subscriptionId)
        events.set(`${e.entry.subscriptionId}|charged`, [
          ...(events.get(`${e.entry.subscriptionId}|charged`) ?? []),
          h.clock.now().getTime(),
        ]);
    });

    const tracked: Tracked[] = [];
    const buyers: { hour: number; i: number }[] = Array.from({ length: 300 }, (_, i) => ({ hour: i % 96, i }));
    const scheduler = h.kit.createScheduler();
    const worker = h.worker();
    const hours = 31 * 24;
    for (let hour = 0; hour <= hours; hour++) {
      h.clock.set(start + hour * HOUR);
      for (const { i } of buyers.filter((b) => b.hour === hour)) {
        const plan = i % 2 === 0 ? short : long;
        const kind: Kind = i % 5 === 0 ? 'renews' : i % 5 === 1 ? 'cannot_renew' : 'traffic';
        const customerId = await h.customer(kind === 'renews' ? 1_000_000 : plan.price.amount);
        const { subscriptions } = await h.kit.checkout({
          customerId,
          items: [{ planId: plan.id, autoRenew: kind !== 'traffic' }],
          idempotencyKey: `b${i}`,
        });
        await worker.drain();
        const sub = (await h.storage.subscriptions.get(subscriptions[0]!.id))!;
        tracked.push({
          id: sub.id,
          kind,
          username: sub.remote.username,
          panel: sub.panelId === enforcing.panel.id ? 'enforcing' : 'lax',
          limit: plan.trafficBytes!,
          perHour: kind === 'traffic' ? Math.floor((plan.trafficBytes! * factors[i % factors.length]!) / (plan.durationDays * 24)) : 0,
          fed: 0,
          expiresAt: sub.expiresAt!.getTime(),
          durationMs: plan.durationDays * DAY,
          crossed: new Map(),
        });
      }
      for (const t of tracked) {
        const now = h.clock.now().getTime();
        if (t.perHour === 0 || now >= t.expiresAt || t.fed >= t.limit) continue;
        t.fed += t.perHour;
        h.fakes.get(t.panel === 'enforcing' ? enforcing.panel.id : lax.panel.id)!.addTraffic(t.username, t.perHour);
        for (const [name, pct] of [
          ['traffic:80', 80],
          ['traffic:95', 95],
          ['limit', 100],
        ] as const) {
          if (!t.crossed.has(name) && t.fed * 100 >= t.limit * pct) t.crossed.set(name, now);
        }
      }
      const report = await scheduler.tick();
      expect(report.won).toBe(true);
      await worker.drain();
      // On a panel that does not enforce limits itself, the shop disables the client.
      for (const t of tracked.filter((x) => x.panel === 'lax')) {
        const s = (await h.storage.subscriptions.get(t.id))!;
        if (s.status === 'limited' || s.status === 'expired')
          expect(lax.fake.client(t.username)!.enabled, `${t.id} ${s.status}`).toBe(false);
      }
    }
    const end = start + hours * HOUR;
    expect(tracked).toHaveLength(300);

    const at = (id: string, what: string) => events.get(`${id}|${what}`) ?? [];
    const checked = { limited: 0, expired: 0, renewed: 0, terminated: 0, warned: 0 };
    for (const t of tracked) {
      if (t.kind === 'renews') {
        // Charged a day before each expiry, never expired; the 24 h notice is not needed once renewed.
        const charges: number[] = [];
        for (let exp = t.expiresAt; exp - DAY <= end; exp += t.durationMs) charges.push(exp - DAY);
        expect(at(t.id, 'charged')).toEqual(charges);
        expect(at(t.id, 'extended:renew')).toEqual(charges);
        expect(at(t.id, 'expired')).toEqual([]);
        expect(at(t.id, 'warn:expiry:1440m')).toEqual([]);
        checked.renewed += charges.length;
        continue;
      }
      const expectedExpiry = t.expiresAt <= end ? [t.expiresAt] : [];
      expect(at(t.id, 'expired'), t.id).toEqual(expectedExpiry);
      expect(at(t.id, 'terminated'), t.id).toEqual(t.expiresAt + 3 * DAY <= end ? [t.expiresAt + 3 * DAY] : []);
      for (const lead of [72, 24]) {
        const warnAt = t.expiresAt - lead * HOUR;
        expect(at(t.id, `warn:expiry:${lead * 60}m`), t.id).toEqual(warnAt <= end ? [warnAt] : []);
        if (warnAt <= end) checked.warned++;
      }
      if (t.kind === 'cannot_renew') {
        expect(at(t.id, 'charged')).toEqual([]);
        expect(at(t.id, 'warn:renewal:insufficient_funds')).toEqual(t.expiresAt - DAY <= end ? [t.expiresAt - DAY] : []);
      }
      for (const name of ['traffic:80', 'traffic:95'] as const) {
        const crossedAt = t.crossed.get(name);
        // Warned in the tick right after the traffic arrived, once per period.
        expect(at(t.id, `warn:${name}`), `${t.id} ${name}`).toEqual(crossedAt !== undefined ? [crossedAt] : []);
        if (crossedAt !== undefined) checked.warned++;
      }
      const limitAt = t.crossed.get('limit');
      expect(at(t.id, 'limited'), t.id).toEqual(limitAt !== undefined ? [limitAt] : []);
      if (limitAt !== undefined) checked.limited++;
      if (expectedExpiry.length > 0) checked.expired++;
      if (t.expiresAt + 3 * DAY <= end) {
        checked.terminated++;
        expect(h.fakes.get(t.panel === 'enforcing' ? enforcing.panel.id : lax.panel.id)!.client(t.username)).toBeUndefined();
      }
    }
    // The scenario really exercised each behaviour.
    expect(checked.limited).toBeGreaterThan(50);
    expect(checked.expired).toBeGreaterThan(200);
    expect(checked.terminated).toBeGreaterThan(200);
    expect(checked.renewed).toBeGreaterThan(150);
    // Limits and expiry are pushed only to the panel that does not enforce them.
    const pushes = await h.storage.jobs.list({ type: 'subscription.push' }, { limit: 1000 });
    const laxIds = new Set(tracked.filter((t) => t.panel === 'lax').map((t) => t.id));
    expect(pushes.items.length).toBeGreaterThan(0);
    expect(pushes.items.every((j) => laxIds.has(String(j.payload.subscriptionId)))).toBe(true);
    // Renewals charged exactly their price; every slot of a terminated subscription came back.
    const open = tracked.filter((t) => t.kind === 'renews' || t.expiresAt + 3 * DAY > end).length;
    const allocated =
      (await h.storage.targets.get(enforcing.target.id))!.allocated + (await h.storage.targets.get(lax.target.id))!.allocated;
    expect(allocated).toBe(open);
  });
});
