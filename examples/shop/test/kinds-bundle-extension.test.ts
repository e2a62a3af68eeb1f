/**
 * Issue 92: a part of a bundle of kinds is extended with its whole bundle (`kit.extendBundle`) on every channel that
 * extends: the web page, the JSON API and the bot show the bundle's total (the sum of its parts' quotes) and that
 * every part is extended; no discount code is offered, and one sent anyway is refused on its field with nothing
 * charged. A subscription sold alone keeps its own extension and code field.
 */
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Subscription } from '@panelkit/sdk';
import { formatMoney } from '../src/i18n/format.js';
import { translator } from '../src/i18n/translate.js';
import { balanceOf, customerIdOf, fund, idempotencyKeyFrom } from './support/buying.js';
import { partsFor } from './support/kind-parts.js';
import { csrfFrom, ROOMY_RATE_LIMITS, signedUpBuyer, startShop, type ShopUnderTest } from './support/shop-under-test.js';

const en = translator('en');
const DAY = 86_400_000;
let t: ShopUnderTest;
beforeAll(async () => {
  t = await startShop({ app: { rateLimits: ROOMY_RATE_LIMITS } });
});
afterAll(() => t.close());

/** A funded buyer with a bundle of Xray, WireGuard and Telegram parts, the clock a day before they end. */
async function bundleBuyer() {
  const buyer = await signedUpBuyer(t.app);
  const customerId = await fund(t, buyer.email, 100_000);
  const parts = await partsFor(t.shop, customerId, ['xray', 'wireguard', 'mtproto']);
  t.clock.set(new Date(parts[0]!.expiresAt!.getTime() - DAY));
  return { buyer, customerId, parts };
}

/** The sum of every part's own extension quote, in minor units. */
async function totalOf(parts: readonly Subscription[]): Promise<number> {
  let total = 0;
  for (const part of parts) {
    const quote = await t.shop.kit.quoteExtension(part.id);
    if (!quote.allowed) throw new Error(`part ${part.kind} refused: ${quote.reason}`);
    total += quote.quote.price.amount;
  }
  return total;
}

const extensionsOf = async (customerId: string) =>
  (await t.shop.storage.ledger.list(customerId, { limit: 50 })).items.filter((e) => e.kind === 'extension');

describe('extending a bundle of kinds on the web page', () => {
  it('shows the total and every part, offers no code, refuses one sent anyway, and extends every part once', async () => {
    const { buyer, customerId, parts } = await bundleBuyer();
    const wg = parts[1]!;
    const total = await totalOf(parts);
    const page = await buyer.agent.get(`/subscriptions/${wg.id}/extend`).expect(200);
    expect(page.text).toContain('data-testid="bundle-every-part"');
    expect(page.text.match(/data-testid="bundle-part"/g)).toHaveLength(3);
    expect(page.text).toContain(`data-testid="bundle-total">${formatMoney({ amount: total, currency: t.config.currency }, 'en')}<`);
    expect(page.text).not.toContain('name="discountCode"');

    const before = await balanceOf(t, customerId);
    const form = { _csrf: csrfFrom(page.text), idempotencyKey: idempotencyKeyFrom(page.text) };
    const coded = await buyer.agent
      .post(`/subscriptions/${wg.id}/extend`)
      .type('form')
      .send({ ...form, discountCode: 'SPRING' });
    expect(coded.status).toBe(409);
    expect(coded.text).toContain(`data-testid="discount-refused">${en('kinds.extension.noDiscount')}<`);
    expect(await balanceOf(t, customerId)).toBe(before);

    const paid = await buyer.agent.post(`/subscriptions/${wg.id}/extend`).type('form').send(form);
    expect(paid.status).toBe(303);
    await buyer.agent.post(`/subscriptions/${wg.id}/extend`).type('form').send(form).expect(303);
    expect(await balanceOf(t, customerId)).toBe(before - total);
    expect((await extensionsOf(customerId)).map((e) => e.subscriptionId).sort()).toEqual(parts.map((p) => p.id).sort());
  });

  it('keeps a subscription sold alone on its own page with its code field', async () => {
    const buyer = await signedUpBuyer(t.app);
    const customerId = await fund(t, buyer.email, 100_000);
    const [alone] = await partsFor(t.shop, customerId, ['wireguard'], { bundle: false });
    t.clock.set(new Date(alone!.expiresAt!.getTime() - DAY));
    const page = await buyer.agent.get(`/subscriptions/${alone!.id}/extend`).expect(200);
    expect(page.text).toContain('data-testid="extension-quote"');
    expect(page.text).toContain('name="discountCode"');
    expect(page.text).not.toContain('data-testid="bundle-extension"');
  });
});

describe('extending a bundle of kinds in the JSON API', () => {
  async function withToken() {
    const { buyer, customerId, parts } = await bundleBuyer();
    const page = await buyer.agent.get('/account/api-tokens').expect(200);
    const created = await buyer.agent
      .post('/account/api-tokens')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: 'b' })
      .expect(201);
    const token = /id="new-token" type="text" readonly value="(pk_[^"]+)"/.exec(created.text)![1]!;
    expect(await customerIdOf(t, buyer.email)).toBe(customerId);
    return { token, customerId, parts };
  }

  it('quotes the total with every part, refuses a code on its field, and charges the total once', async () => {
    const { token, customerId, parts } = await withToken();
    const tg = parts[2]!;
    const total = await totalOf(parts);
    const auth = { authorization: `Bearer ${token}` };
    const quote = await supertest(t.app).get(`/api/v1/subscriptions/${tg.id}/extension`).set(auth).expect(200);
    expect(quote.body.quote.price).toEqual({ amount: total, currency: t.config.currency });
    expect(quote.body.discount).toBeNull();
    expect(quote.body.bundle.everyPart).toBe(true);
    expect(quote.body.bundle.parts.map((p: { kind: string }) => p.kind).sort()).toEqual(['mtproto', 'wireguard', 'xray']);

    const codedQuote = await supertest(t.app).get(`/api/v1/subscriptions/${tg.id}/extension?discountCode=SPRING`).set(auth).expect(409);
    expect(codedQuote.body.error.fields.discountCode).toBe(en('kinds.extension.noDiscount'));

    const before = await balanceOf(t, customerId);
    const post = (body: object) => supertest(t.app).post(`/api/v1/subscriptions/${tg.id}/extension`).set(auth).send(body);
    const coded = await post({ idempotencyKey: 'api-bundle-1', discountCode: 'SPRING' }).expect(409);
    expect(coded.body.error.fields.discountCode).toBe(en('kinds.extension.noDiscount'));
    expect(await balanceOf(t, customerId)).toBe(before);

    const paid = await post({ idempotencyKey: 'api-bundle-1' }).expect(202);
    expect(paid.body.charged).toEqual({ amount: total, currency: t.config.currency });
    expect(paid.body.bundle.parts).toHaveLength(3);
    const again = await post({ idempotencyKey: 'api-bundle-1' }).expect(200);
    expect(again.body.replayed).toBe(true);
    expect(await balanceOf(t, customerId)).toBe(before - total);
  });
});
