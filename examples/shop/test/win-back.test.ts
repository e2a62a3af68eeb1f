/**
 * The win-back offer: a buyer whose paid subscription lapsed gets, the owner's days later, a discount code of their own
 * (the owner's percent, one use, valid the owner's days) in a notice in their language, once per lapse, whatever the
 * number of sweeps; a buyer with another subscription in service does not; a lapse long past is not written to; the
 * owner sets the offer on the growth page. The code is the lapsed buyer's alone: another buyer who learns it is
 * refused with the code's word, changing nothing, and the owner can still spend it.
 */
import { percentOf } from '@panelkit/sdk/rules';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveGrowthSettings } from '../src/app/growth/growth-settings.js';
import { queueWinBackOffers, sendWinBackOffers, WIN_BACK_JOB, winBackCode } from '../src/app/growth/win-back.js';
import { setCustomerLanguage } from '../src/app/customers/language.js';
import { readingParams } from '../src/app/notifications/reading-params.js';
import { renderNotification } from '../src/app/notifications/render.js';
import { adminGet, postForm } from './support/admin-support.js';
import { balanceOf, boughtAndProvisioned, buy, fund, planNamed } from './support/buying.js';
import { signedInAdmin, signedUpBuyer, startShop, type ShopUnderTest } from './support/shop-under-test.js';

const PLAN = 'Frankfurt · 1 month · unlimited';
const OWNER = { type: 'system', id: 'test-owner' } as const;
const DAY = 86_400_000;
const OFF = { channel: null, channelJoinUrl: null, neverConnectedHours: 0 };

describe('the win-back offer', () => {
  let t: ShopUnderTest;
  beforeAll(async () => {
    t = await startShop({ env: { PUBLIC_URL: 'http://shop.test' } });
  });
  afterAll(() => t.close());

  const offersTo = async (customerId: string) =>
    (
      await t.shop.db.query<{ params: Record<string, string | number> }>(
        `SELECT params FROM ${t.shop.shopSchema}.notifications WHERE kind = 'win_back' AND customer_id = $1 ORDER BY created_at`,
        [customerId],
      )
    ).rows.map((r) => r.params);

  async function bought(): Promise<{ sub: string; customerId: string }> {
    const buyer = await signedUpBuyer(t.app);
    const customerId = await fund(t, buyer.email, 100_000);
    const sub = await boughtAndProvisioned(t, buyer, (await planNamed(t, PLAN)).id);
    return { sub, customerId };
  }

  async function lapse(id: string): Promise<void> {
    const sub = (await t.shop.storage.subscriptions.get(id))!;
    await t.shop.storage.subscriptions.update(id, { status: 'expired' }, { expectedRevision: sub.revision });
  }

  it('sends one offer per lapse, the owner’s days after it, in the buyer’s language, with a code of its own', async () => {
    await saveGrowthSettings(t.shop, { ...OFF, winBackDays: 3, winBackPercent: 25, winBackValidDays: 5 }, OWNER);
    const lapsed = await bought();
    await setCustomerLanguage(t.shop, lapsed.customerId, 'ru');
    const served = await bought();
    const other = (await planNamed(t, PLAN)).id;
    await lapse(lapsed.sub);
    await lapse(served.sub);
    // The second buyer bought again: in service, no offer.
    const servedAgain = await t.shop.kit.checkout({
      customerId: served.customerId,
      items: [{ planId: other }],
      idempotencyKey: 'served-again',
    });
    await t.drain();
    expect(servedAgain.order.id).toBeTruthy();

    t.clock.advance(2 * DAY);
    expect(await sendWinBackOffers(t.shop)).toBe(0);
    t.clock.advance(DAY + 60_000);
    const [first, second] = await Promise.all([sendWinBackOffers(t.shop), sendWinBackOffers(t.shop)]);
    expect((first ?? 0) + (second ?? 0)).toBe(1);
    expect(await sendWinBackOffers(t.shop)).toBe(0);
    expect(await offersTo(served.customerId)).toEqual([]);
    const [offer] = await offersTo(lapsed.customerId);
    const sub = (await t.shop.storage.subscriptions.get(lapsed.sub))!;
    expect(offer).toMatchObject({ subscriptionId: lapsed.sub, code: winBackCode(sub), percent: 25 });
    const code = (await t.shop.storage.discounts.getByCode(winBackCode(sub)))!;
    expect(code).toMatchObject({ value: { type: 'percent', percent: 25 }, maxUses: 1, maxUsesPerCustomer: 1 });
    expect(code.endsAt?.getTime()).toBe(t.clock.now().getTime() + 5 * DAY);

    const params = await readingParams(
      t.shop,
      { kind: 'win_back', recipient: { kind: 'customer', customerId: lapsed.customerId }, params: offer! },
      'ru',
    );
    const message = renderNotification('win_back', params, { locale: 'ru', timeZone: 'UTC', shopName: 'Shop' });
    expect(message.subject).toContain('25%');
    expect(message.text).toContain(code.code);
    expect(message.text).toContain('Возвращайтесь');

    // Renewed and lapsed again: a new lapse, a new offer.
    const renewed = await t.shop.storage.subscriptions.update(lapsed.sub, { status: 'active' }, { expectedRevision: sub.revision });
    t.clock.advance(DAY);
    await t.shop.storage.subscriptions.update(lapsed.sub, { status: 'expired' }, { expectedRevision: renewed.revision });
    t.clock.advance(3 * DAY + 60_000);
    expect(await sendWinBackOffers(t.shop)).toBe(1);
    expect((await offersTo(lapsed.customerId)).map((o) => o['code'])).toHaveLength(2);
  });

  it('binds the code to the lapsed buyer: another buyer entering it is refused, changing nothing; its owner spends it', async () => {
    await saveGrowthSettings(t.shop, { ...OFF, winBackDays: 3, winBackPercent: 20, winBackValidDays: 5 }, OWNER);
    const owner = await signedUpBuyer(t.app);
    const ownerId = await fund(t, owner.email, 100_000);
    const planId = (await planNamed(t, PLAN)).id;
    const lapsed = await boughtAndProvisioned(t, owner, planId);
    await lapse(lapsed);
    t.clock.advance(3 * DAY + 60_000);
    expect(await sendWinBackOffers(t.shop)).toBe(1);
    const text = winBackCode((await t.shop.storage.subscriptions.get(lapsed))!);
    const stored = (await t.shop.storage.discounts.getByCode(text))!;
    expect(stored.customerId).toBe(ownerId);

    const stranger = await signedUpBuyer(t.app);
    const strangerId = await fund(t, stranger.email, 100_000);
    const refused = await buy(stranger, planId, { discountCode: text.toLowerCase() });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);
    expect(refused.text).toContain('This code was made for another account.');
    expect(await balanceOf(t, strangerId)).toBe(100_000);
    expect((await t.shop.storage.orders.list({ customerId: strangerId }, { limit: 5 })).items).toEqual([]);
    expect(await t.shop.storage.discounts.get(stored.id)).toEqual(stored);

    const before = await balanceOf(t, ownerId);
    expect((await buy(owner, planId, { discountCode: text })).status).toBe(303);
    expect((await t.shop.storage.discounts.get(stored.id))!.uses).toBe(1);
    const price = (await planNamed(t, PLAN)).price.amount;
    expect(await balanceOf(t, ownerId)).toBe(before - (price - percentOf(price, 20)));
  });

  it('does not write to a lapse long past when the owner turns it on, and runs as a periodic host job', async () => {
    await saveGrowthSettings(t.shop, OFF, OWNER);
    const old = await bought();
    await lapse(old.sub);
    t.clock.advance(30 * DAY);
    expect(await sendWinBackOffers(t.shop)).toBe(0);
    await saveGrowthSettings(t.shop, { ...OFF, winBackDays: 3 }, OWNER);
    expect(await queueWinBackOffers(t.shop)).toBe(true);
    expect(await queueWinBackOffers(t.shop)).toBe(false);
    expect(t.shop.hostJobs.some((j) => j.type === WIN_BACK_JOB)).toBe(true);
    await t.drain();
    expect(await offersTo(old.customerId)).toEqual([]);
  });

  it('is set by the owner on the growth page; bad values are refused, changing nothing', async () => {
    const admin = await signedInAdmin(t.app);
    const page = await adminGet(admin, '/admin/settings/growth');
    const save = (values: Record<string, string>) =>
      postForm({ agent: admin.agent, csrf: page.csrf }, '/admin/settings/growth', {
        channel: '',
        channelJoinUrl: '',
        neverConnectedHours: '24',
        ...values,
      });
    expect((await save({ winBackDays: '7', winBackPercent: '0', winBackValidDays: '5' })).status).toBe(400);
    expect((await save({ winBackDays: '400', winBackPercent: '10', winBackValidDays: '5' })).status).toBe(400);
    expect((await save({ winBackDays: '7', winBackPercent: '15', winBackValidDays: '10' })).status).toBe(303);
    const shown = (await adminGet(admin, '/admin/settings/growth')).html;
    expect(shown).toMatch(/name="winBackPercent" type="text" value="15"/);
  });
});
