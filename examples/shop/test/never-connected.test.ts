/**
 * The never-connected nudge: a buyer whose paid subscription shows no traffic on the panel and no device on the link
 * the owner's hours after it became active is told once (the shop's notification, fanned out like any other), with
 * the link page and where to ask for help; one with traffic or a device is not; sweeps again (and at once) write
 * nothing more.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NEVER_CONNECTED_JOB, nudgeNeverConnected, queueNeverConnectedNudge } from '../src/app/growth/never-connected.js';
import { saveGrowthSettings } from '../src/app/growth/growth-settings.js';
import { readingParams } from '../src/app/notifications/reading-params.js';
import { renderNotification } from '../src/app/notifications/render.js';
import { boughtAndProvisioned, fund, planNamed } from './support/buying.js';
import { signedUpBuyer, startShop, type ShopUnderTest } from './support/shop-under-test.js';

const PLAN = 'Frankfurt · 1 month · unlimited';
const OWNER = { type: 'system', id: 'test-owner' } as const;

describe('the never-connected nudge', () => {
  let t: ShopUnderTest;
  beforeAll(async () => {
    t = await startShop({ env: { PUBLIC_URL: 'http://shop.test', SUPPORT_CONTACT: 'https://t.me/shop_help' } });
  });
  afterAll(() => t.close());

  const nudgesOf = async (subscriptionId: string) =>
    (
      await t.shop.db.query<{ kind: string; customer_id: string }>(
        `SELECT kind, customer_id FROM ${t.shop.shopSchema}.notifications WHERE kind = 'never_connected' AND params->>'subscriptionId' = $1`,
        [subscriptionId],
      )
    ).rows;

  async function boughtSubscription(): Promise<{ sub: string; customerId: string }> {
    const buyer = await signedUpBuyer(t.app);
    const customerId = await fund(t, buyer.email, 10_000);
    const sub = await boughtAndProvisioned(t, buyer, (await planNamed(t, PLAN)).id);
    // The usage sync's reading of the panel: nothing used.
    await t.shop.storage.subscriptions.recordUsage([{ subscriptionId: sub, usedBytes: 0, observedAt: t.clock.now() }]);
    return { sub, customerId };
  }

  it('nudges an unconnected subscription once after the delay, and neither one with traffic nor one with a device', async () => {
    await saveGrowthSettings(t.shop, { channel: null, channelJoinUrl: null, neverConnectedHours: 12 }, OWNER);
    const idle = await boughtSubscription();
    const used = await boughtSubscription();
    const withDevice = await boughtSubscription();
    await t.shop.storage.subscriptions.recordUsage([
      { subscriptionId: used.sub, usedBytes: 5_000_000, observedAt: new Date(t.clock.now().getTime() + 1_000) },
    ]);
    await t.shop.kit.devices.touch(withDevice.sub, { hwid: 'nudge-phone', platform: 'android', model: 'Pixel 8', app: 'Happ' });
    expect((await t.shop.storage.subscriptions.get(idle.sub))?.status).toBe('active');

    // Before the delay: nothing.
    t.clock.advance(11 * 3_600_000);
    expect(await nudgeNeverConnected(t.shop)).toBe(0);
    expect(await nudgesOf(idle.sub)).toHaveLength(0);

    // After it: the idle one only, and only once, however many sweeps run, at once or later.
    t.clock.advance(2 * 3_600_000);
    const [first, second] = await Promise.all([nudgeNeverConnected(t.shop), nudgeNeverConnected(t.shop)]);
    expect((first ?? 0) + (second ?? 0)).toBe(1);
    expect(await nudgeNeverConnected(t.shop)).toBe(0);
    expect(await nudgesOf(idle.sub)).toEqual([{ kind: 'never_connected', customer_id: idle.customerId }]);
    expect(await nudgesOf(used.sub)).toHaveLength(0);
    expect(await nudgesOf(withDevice.sub)).toHaveLength(0);

    // Read as delivered: the buyer's link page and the owner's support contact, in the buyer's language.
    const params = await readingParams(
      t.shop,
      {
        kind: 'never_connected',
        recipient: { kind: 'customer', customerId: idle.customerId },
        params: { subscriptionId: idle.sub, planId: (await planNamed(t, PLAN)).id },
      },
      'ru',
    );
    const message = renderNotification('never_connected', params, { locale: 'ru', timeZone: 'UTC', shopName: 'Shop' });
    expect(message.text).toMatch(/http:\/\/shop\.test\/s\/[A-Za-z0-9_-]+/);
    expect(message.text).toContain('https://t.me/shop_help');
    expect(message.text).toContain('Нужна помощь');
  });

  it('runs as a periodic host job queued once per slot, and not at all when the owner turned it off', async () => {
    expect(await queueNeverConnectedNudge(t.shop)).toBe(true);
    expect(await queueNeverConnectedNudge(t.shop)).toBe(false);
    const idle = await boughtSubscription();
    await saveGrowthSettings(t.shop, { channel: null, channelJoinUrl: null, neverConnectedHours: 0 }, OWNER);
    t.clock.advance(48 * 3_600_000);
    expect(await nudgeNeverConnected(t.shop)).toBe(0);
    await saveGrowthSettings(t.shop, { channel: null, channelJoinUrl: null, neverConnectedHours: 24 }, OWNER);
    expect(await queueNeverConnectedNudge(t.shop)).toBe(true);
    expect(t.shop.hostJobs.some((j) => j.type === NEVER_CONNECTED_JOB)).toBe(true);
    await t.drain();
    expect(await nudgesOf(idle.sub)).toHaveLength(1);
  });
});
