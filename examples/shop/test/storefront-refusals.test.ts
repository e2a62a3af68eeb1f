/**
 * Issue 70: a storefront's refusal (`StorefrontRefusedError`) is said in its buyer's words whatever the sale: every
 * refusal mapper the web, the JSON API and the bots share (checkout, extension, traffic, plan change, device packs,
 * gifts), in four languages; and on the web and API a suspended storefront's buyer is told why an extension or a
 * gift is refused, with nothing charged, and of an auto-renewal its storefront refused.
 */
import { StorefrontRefusedError } from '@panelkit/sdk/storefronts';
import type { StorefrontRefusalReason } from '@panelkit/sdk/storefronts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { giftRefusal } from '../src/app/gifts/gift-refusals.js';
import { noticesFor } from '../src/app/notifications/audit-notices.js';
import { renderNotification } from '../src/app/notifications/render.js';
import { sellingRefusal } from '../src/app/selling/refusals.js';
import { checkoutRefusal, extensionRefusal } from '../src/app/subscriptions/refusals.js';
import { LOCALES, translator } from '../src/i18n/translate.js';
import { balanceOf, buy, customerIdOf, fund, idempotencyKeyFrom, orderIdFrom, planNamed } from './support/buying.js';
import { csrfFrom, ROOMY_RATE_LIMITS, signedUpBuyer, startShop, type ShopUnderTest } from './support/shop-under-test.js';

const REASONS: StorefrontRefusalReason[] = [
  'storefront_suspended',
  'not_on_menu',
  'quota_subscriptions',
  'quota_traffic',
  'quota_panels',
  'reseller_credit',
  'gifts_not_sold',
];

describe('every refusal mapper says a storefront’s refusal with its reason', () => {
  it.each(REASONS)('%s', (reason) => {
    const error = new StorefrontRefusedError('sf_1', reason);
    const key = `storefronts.refusals.${reason}`;
    for (const refusal of [
      checkoutRefusal(error),
      extensionRefusal(error),
      sellingRefusal('traffic', error),
      sellingRefusal('planChange', error),
      sellingRefusal('devicePacks', error),
    ])
      expect(refusal).toEqual({ code: 'conflict', key, reason });
    expect(giftRefusal(error)).toMatchObject({ code: 'conflict', messageKey: key });
    for (const locale of LOCALES) expect(translator(locale)(key)).not.toBe(key);
  });
});

describe('a suspended storefront’s buyer on the web and the API', () => {
  let t: ShopUnderTest;
  beforeAll(async () => {
    t = await startShop({ app: { rateLimits: ROOMY_RATE_LIMITS } });
  });
  afterAll(() => t.close());

  it('is told why an extension and a gift are refused; nothing is charged', async () => {
    const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
    const reseller = await signedUpBuyer(t.app);
    const resellerId = await customerIdOf(t, reseller.email);
    await fund(t, reseller.email, plan.price.amount * 10);
    await t.shop.kit.resellers.setPrice({ customerId: resellerId, planId: plan.id, price: plan.price });
    const storefront = await t.shop.kit.storefronts.create({ resellerId, name: 'Gift Shop' });
    await t.shop.kit.storefronts.setMenuItem({ storefrontId: storefront.id, planId: plan.id, retailPrice: plan.price });
    const buyer = await signedUpBuyer(t.app);
    const buyerId = await customerIdOf(t, buyer.email);
    await t.shop.kit.storefronts.moveBuyer({ customerId: buyerId, storefrontId: storefront.id });
    await fund(t, buyer.email, plan.price.amount * 3);
    const bought = await buy(buyer, plan.id);
    expect(bought.status).toBe(303);
    await t.drain();
    const [sub] = await t.shop.storage.subscriptions.listByOrder(orderIdFrom(bought.headers['location']));
    const left = await balanceOf(t, buyerId);

    // A gift is refused even while the storefront sells: storefronts sell no gifts.
    const giftsPage = await buyer.agent.get('/gifts').expect(200);
    const gift = await buyer.agent
      .post('/gifts')
      .type('form')
      .send({ _csrf: csrfFrom(giftsPage.text), planId: plan.id, idempotencyKey: idempotencyKeyFrom(giftsPage.text) });
    expect(gift.status).toBe(409);
    expect(gift.text).toContain('This shop does not sell gifts.');
    const apiGift = await buyer.agent
      .post('/api/v1/gifts')
      .set('x-csrf-token', buyer.csrf)
      .send({ planId: plan.id, idempotencyKey: 'gift-api-1' });
    expect(apiGift.status).toBe(409);
    expect(JSON.stringify(apiGift.body)).toContain('gifts_not_sold');

    await t.shop.kit.storefronts.suspend(storefront.id);
    const expiresAt = (await t.shop.storage.subscriptions.get(sub!.id))!.expiresAt!;
    if (t.clock.now().getTime() < expiresAt.getTime() - 86_400_000) t.clock.set(new Date(expiresAt.getTime() - 86_400_000));
    const page = await buyer.agent.get(`/subscriptions/${sub!.id}/extend`).expect(200);
    const extend = await buyer.agent
      .post(`/subscriptions/${sub!.id}/extend`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), idempotencyKey: idempotencyKeyFrom(page.text) });
    expect(extend.status).toBe(409);
    expect(extend.text).toContain('This shop is not selling right now.');
    expect(await balanceOf(t, buyerId)).toBe(left);
    expect(await t.shop.storage.gifts.getByIdempotencyKey(buyerId, 'gift-api-1')).toBeNull();

    // The SDK's notice for an auto-renewal the storefront refused reaches the buyer with its reason, in each language.
    const warned = {
      id: 'aud_storefront_notice',
      at: t.clock.now(),
      actor: { type: 'system' as const, id: null },
      action: 'subscription.warned',
      subjectType: 'subscription',
      subjectId: sub!.id,
      data: { notice: 'renewal:storefront:storefront_suspended' },
    };
    const [notice] = await noticesFor(t.shop, warned);
    expect(notice).toMatchObject({
      recipient: { kind: 'customer', customerId: buyerId },
      kind: 'renewal_refused_storefront',
      params: { storefrontRefusal: 'storefront_suspended' },
    });
    const en = renderNotification(notice!.kind, notice!.params, { locale: 'en', timeZone: 'UTC', shopName: 'Gift Shop' });
    expect(en.text).toContain('was not renewed: This shop is not selling right now.');
    for (const locale of LOCALES) {
      const said = renderNotification(notice!.kind, notice!.params, { locale, timeZone: 'UTC', shopName: 'Gift Shop' });
      expect(said.text).toContain(translator(locale)('storefronts.refusals.storefront_suspended'));
      expect(said.subject + said.text).not.toMatch(/\{\w+\}|storefronts\./);
    }
  });
});
