/**
 * Issue 91, the follow-up of `built-plan-price.test.ts`: a plan the buyer composes shows one price wherever a plan's
 * price is shown — the catalog's "from" price (`planListedPrice`), never its stored one — and where its price cannot
 * be set ahead (a gift, a reseller's price book line, a storefront's menu) it is not offered at a fixed price, and the
 * page says why. The bot is driven through the project's own Telegram Bot API server on 127.0.0.1.
 */
import type { Plan } from '@panelkit/sdk';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney } from '../src/i18n/format.js';
import { translator } from '../src/i18n/translate.js';
import { planMultiples } from '../src/telegram/buyer/crypto-top-up.js';
import { escapeHtml } from '../src/views/html.js';
import { fundedBuyer, postForm } from './support/admin-support.js';
import { balanceOf, customerIdOf, idempotencyKeyFrom, planNamed } from './support/buying.js';
import { buttonsOf } from './support/fake-telegram.js';
import { csrfFrom, ROOMY_RATE_LIMITS, signedInAdmin, signedUpBuyer, type Visitor } from './support/shop-under-test.js';
import { messageIdOf, startBotShop, textOf, TelegramUser, type BotShop } from './support/telegram-driver.js';

const en = translator('en');
let s: BotShop;
let built: Plan;
let fixed: Plan;
/** The quote of the builder's defaults: base + 2 devices + 30 days. */
const FROM = 100 + 2 * 70 + 30 * 15;
/** A stored price the built plan never sells for, below every fixed plan's: what the pages showed before. */
const STORED = 3;

beforeAll(async () => {
  s = await startBotShop({ app: { rateLimits: ROOMY_RATE_LIMITS } });
  fixed = await planNamed(s.t, 'Frankfurt · 1 month · 50');
  const currency = fixed.price.currency;
  built = await s.t.shop.kit.plans.create({
    name: 'Compose it',
    family: 'compose',
    price: { amount: STORED, currency },
    durationDays: 30,
    trafficBytes: null,
    builder: {
      basePrice: { amount: 100, currency },
      devices: { unitPrice: { amount: 70, currency }, min: 2, max: 5 },
      durationDays: { unitPrice: { amount: 15, currency }, min: 30, max: 90, step: 30 },
    },
  });
});
afterAll(() => s.close());

/** A translated text as a page carries it (HTML-escaped). */
const onPage = (key: string, params?: Record<string, string>) => escapeHtml(en(key, params));
const money = (amount: number) => formatMoney({ amount, currency: fixed.price.currency }, 'en');
const fromText = () => en('planFrom.price', { price: money(FROM) });

/** The table row (`<tr data-plan="…">`) of a plan on a page. */
function rowOf(html: string, planId: string): string {
  const start = html.indexOf(`data-plan="${planId}"`);
  expect(start, `no row for ${planId}`).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf('</tr>', start));
}

/** A customer made a reseller (a line for the fixed plan) — and, as an older shop may have, a line for the built plan. */
async function reseller(): Promise<Visitor & { email: string; customerId: string }> {
  const who = await signedUpBuyer(s.t.app);
  const customerId = await customerIdOf(s.t, who.email);
  const { currency } = fixed.price;
  for (const [planId, amount] of [
    [fixed.id, fixed.price.amount - 100],
    [built.id, 1],
  ] as const)
    await s.t.shop.storage.priceBooks.set({
      customerId,
      planId,
      price: { amount, currency },
      extensionPrice: null,
      trafficPricePerGiB: null,
    });
  return { ...who, customerId };
}

describe('gifts of a plan the buyer composes', () => {
  it('the gifts page offers only fixed plans, at their listed price; a built plan sent anyway is refused on the web and the API, charging nothing', async () => {
    const giver = await fundedBuyer(s.t, s.t.app, 5 * fixed.price.amount);
    const page = await giver.agent.get('/gifts').expect(200);
    expect(page.text).toContain(`<option value="${fixed.id}">`);
    expect(page.text).toContain(`${fixed.name} · ${money(fixed.price.amount)}`);
    expect(page.text).not.toContain(`value="${built.id}"`);
    expect(page.text).not.toContain(money(STORED));

    const refused = await postForm({ agent: giver.agent, csrf: csrfFrom(page.text) }, '/gifts', {
      planId: built.id,
      idempotencyKey: idempotencyKeyFrom(page.text),
    }).expect(409);
    expect(refused.text).toContain(en('gifts.refused.built_plan'));
    const api = await giver.agent
      .post('/api/v1/gifts')
      .set('x-csrf-token', giver.csrf)
      .send({ planId: built.id, idempotencyKey: 'api-built-gift-1' })
      .expect(409);
    expect(api.body.error.code).toBe('gifts.refused.built_plan');
    expect(await s.t.shop.kit.gifts.listByGiver(giver.customerId)).toEqual([]);
    expect(await balanceOf(s.t, giver.customerId)).toBe(5 * fixed.price.amount);
  });

  it('the bot lists no built plan to give, and a tap on one says it is gone, with no price and no pay button', async () => {
    const { shop, clock } = s.t;
    const giver = new TelegramUser(s.fake, clock, 9101);
    const menu = await giver.send(giver.message('/start'));
    const giverId = (await shop.storage.customers.getByExternalRef(`telegram:${giver.id}`))!.id;
    await shop.kit.topUp({
      customerId: giverId,
      amount: { amount: 5 * fixed.price.amount, currency: fixed.price.currency },
      idempotencyKey: 'built-gift-bot',
    });
    const gifts = await giver.press(menu, 'gft');
    const plans = await giver.press(gifts, 'gfb');
    const data = buttonsOf(plans).map((b) => b.callback_data);
    expect(data).toContain(`gfp:${fixed.id}`);
    expect(data).not.toContain(`gfp:${built.id}`);
    expect(buttonsOf(plans).find((b) => b.callback_data === `gfp:${fixed.id}`)?.text).toContain(money(fixed.price.amount));

    const offer = await giver.send(giver.tap(`gfp:${built.id}`, messageIdOf(plans)));
    expect(textOf(offer)).toBe(en('telegram.catalog.gone'));
    expect(textOf(offer)).not.toContain(money(STORED));
    expect(buttonsOf(offer).some((b) => b.callback_data?.startsWith('gfy:'))).toBe(false);
    expect(await balanceOf(s.t, giverId)).toBe(5 * fixed.price.amount);
  });
});

describe('a reseller’s price book and a plan the buyer composes', () => {
  it('the owner’s page lists it "from" its listed price with no price field and says why; a price posted for it is not saved', async () => {
    const who = await reseller();
    const owner = await signedInAdmin(s.t.app);
    const path = `/admin/customers/${who.customerId}/reseller`;
    const page = await owner.agent.get(path).expect(200);
    const row = rowOf(page.text, built.id);
    expect(row).toContain(`<td data-testid="list-price">${fromText()}</td>`);
    expect(row).toContain(onPage('resellers.builtPlan'));
    expect(row).not.toContain(`name="price_${built.id}"`);
    expect(row).not.toContain(money(STORED));
    expect(rowOf(page.text, fixed.id)).toContain(`name="price_${fixed.id}"`);

    await owner.agent
      .post(path)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), creditLimit: '', [`price_${fixed.id}`]: '5.00', [`price_${built.id}`]: '0.50' })
      .expect(303);
    const book = new Map((await s.t.shop.kit.resellers.priceBook(who.customerId)).map((l) => [l.planId, l.price.amount]));
    expect(book.get(fixed.id)).toBe(500);
    // The built plan's line is neither set to the posted price nor offered: it stays as it was.
    expect(book.get(built.id)).toBe(1);
  });

  it('the reseller’s own page and GET /api/v1/reseller give it the listed "from" price and no line of theirs', async () => {
    const who = await reseller();
    const page = await who.agent.get('/account/reseller').expect(200);
    const row = rowOf(page.text, built.id);
    expect(row).toContain(`<td data-testid="list-price">${fromText()}</td>`);
    expect(row).toContain(onPage('resellers.builtPlan'));
    expect(row).not.toContain(money(STORED));
    expect(row).not.toContain(money(1));
    expect(rowOf(page.text, fixed.id)).toContain(money(fixed.price.amount - 100));

    const api = await who.agent.get('/api/v1/reseller').set('accept', 'application/json').expect(200);
    const prices = new Map(api.body.prices.map((p: { planId: string }) => [p.planId, p]));
    expect(prices.get(built.id)).toMatchObject({
      listPrice: { amount: FROM, currency: fixed.price.currency },
      listPriceFrom: true,
      takesPriceBookLine: false,
      price: null,
    });
    expect(prices.get(fixed.id)).toMatchObject({ listPrice: fixed.price, listPriceFrom: false, takesPriceBookLine: true });
  });

  it('the storefront office offers it no retail price field and names it as not sold through a storefront', async () => {
    const who = await reseller();
    await s.t.shop.kit.storefronts.create({ resellerId: who.customerId, name: 'Built-plan shop' });
    const page = await who.agent.get('/account/storefront').expect(200);
    expect(page.text).not.toContain(`data-plan="${built.id}"`);
    expect(page.text).not.toContain(`name="retail_${built.id}"`);
    expect(page.text).toContain(onPage('storefronts.office.builtPlans', { plans: built.name }));
    expect(rowOf(page.text, fixed.id)).toContain(`name="retail_${fixed.id}"`);
  });
});

describe('top-up amounts offered in the bot', () => {
  it('are multiples of the cheapest listed price, not a built plan’s stored one', async () => {
    const onSale = await s.t.shop.storage.plans.list({ onSale: true });
    const fixedPrices = onSale.filter((p) => p.builder === null && p.price.currency === fixed.price.currency).map((p) => p.price.amount);
    const cheapest = Math.min(FROM, ...fixedPrices.filter((amount) => amount > 0));
    const amounts = await planMultiples(s.t.shop);
    expect(amounts.length).toBeGreaterThan(0);
    expect(amounts[0]).toBe(cheapest);
    for (const amount of amounts) expect(amount % cheapest).toBe(0);
  });
});

it('GET /api/v1/plans still lists the built plan at its listed price (the one definition)', async () => {
  const res = await supertest(s.t.app).get('/api/v1/plans').expect(200);
  expect(res.body.items.find((p: { id: string }) => p.id === built.id)).toMatchObject({ price: { amount: FROM }, priceFrom: true });
});
