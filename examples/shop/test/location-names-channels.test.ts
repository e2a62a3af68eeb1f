/**
 * Issue 91: a location the owner named in the location catalog (`de` → Frankfurt, `nl` → Amsterdam) reads the same to
 * buyers on every channel: the bot's plan builder (its buttons and the choice it sums up), its location picker and its
 * catalog's location groups, the web catalog's headings, the checkout page's locations and form, the move page, and
 * the JSON API's `name`. Never the country ("Germany") once the owner named it.
 */
import type { Plan } from '@panelkit/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../src/i18n/translate.js';
import { buy, fund, orderIdFrom, planNamed } from './support/buying.js';
import { buttonsOf, type BotCall } from './support/fake-telegram.js';
import { signedUpBuyer } from './support/shop-under-test.js';
import { messageIdOf, startBotShop, TelegramUser, textOf, type BotShop } from './support/telegram-driver.js';

const en = translator('en');
let s: BotShop;
let built: Plan;
let pinned: Plan;

beforeAll(async () => {
  s = await startBotShop();
  const { currency } = (await planNamed(s.t, 'Frankfurt · 1 month · 50')).price;
  const placement = { preferredTargetIds: [], allowedLocations: ['de', 'nl'], requiredTargetTags: [] };
  built = await s.t.shop.storage.plans.create({
    name: 'Compose',
    family: 'named-built',
    price: { amount: 0, currency },
    durationDays: 30,
    trafficBytes: null,
    placement,
    builder: {
      basePrice: { amount: 100, currency },
      locations: { unitPrice: { amount: 200, currency }, min: 1, max: 2, step: 1, options: ['de', 'nl'] },
      devices: null,
      trafficGiB: null,
      durationDays: null,
    },
  });
  pinned = await s.t.shop.storage.plans.create({
    name: 'Pinned',
    family: 'named-pinned',
    price: { amount: 500, currency },
    durationDays: 30,
    trafficBytes: null,
    placement,
  });
  await s.t.shop.kit.locations.name({ location: 'de', country: 'DE', name: 'Frankfurt' });
  await s.t.shop.kit.locations.name({ location: 'nl', country: 'NL', name: 'Amsterdam' });
});
afterAll(() => s.close());

/** The texts of a message's buttons. */
const labels = (call: BotCall) => buttonsOf(call).map((b) => b.text);

describe("the owner's location names", () => {
  it('are what the JSON API names the locations', async () => {
    const web = await signedUpBuyer(s.t.app);
    for (const plan of [built, pinned]) {
      const res = await web.agent.get(`/api/v1/plans/${plan.id}/locations`).expect(200);
      expect(res.body.items.map((l: { name: string }) => l.name)).toEqual(['Frankfurt', 'Amsterdam']);
    }
  });

  it("label the bot's builder buttons and the choice its screen sums up", async () => {
    const user = new TelegramUser(s.fake, s.t.clock, 9101);
    const menu = await user.send(user.message('/start'));
    const first = await user.send(user.tap(`p:${built.id}`, messageIdOf(menu)));
    expect(labels(first)).toEqual(expect.arrayContaining(['✅ Frankfurt', '▫️ Amsterdam']));
    expect(textOf(first)).toContain(`${en('builder.parts.locations')}: Frankfurt`);
    const amsterdam = buttonsOf(first).find((b) => b.text === '▫️ Amsterdam')!;
    const both = await user.send(user.tap(amsterdam.callback_data!, messageIdOf(first)));
    expect(labels(both)).toEqual(expect.arrayContaining(['✅ Frankfurt', '✅ Amsterdam']));
    expect(textOf(both)).toContain(`${en('builder.parts.locations')}: Frankfurt, Amsterdam`);
    expect(`${textOf(first)}${textOf(both)}${labels(both).join()}`).not.toMatch(/Germany|Netherlands/);
  });

  it("label the bot's location picker", async () => {
    const user = new TelegramUser(s.fake, s.t.clock, 9102);
    const menu = await user.send(user.message('/start'));
    const list = await user.send(user.tap(`kl:${pinned.id}`, messageIdOf(menu)));
    expect(labels(list)).toEqual(['Frankfurt', 'Amsterdam', en('telegram.menu.back')]);
  });

  it("head the web catalog's location groups", async () => {
    const buyer = await signedUpBuyer(s.t.app);
    const catalog = (await buyer.agent.get('/').expect(200)).text;
    expect(catalog).toMatch(/data-location="de">\s*<h2>Frankfurt<\/h2>/);
    expect(catalog).toMatch(/data-location="nl">\s*<h2>Amsterdam<\/h2>/);
    expect(catalog).not.toMatch(/Germany|Netherlands/);
  });

  it("name the checkout page's allowed locations", async () => {
    const buyer = await signedUpBuyer(s.t.app);
    for (const plan of [built, pinned]) {
      const checkout = (await buyer.agent.get(`/checkout/${plan.id}`).expect(200)).text;
      expect(checkout).toContain(`<dt>${en('checkout.locations')}</dt><dd>Frankfurt, Amsterdam</dd>`);
      expect(checkout).not.toMatch(/Germany|Netherlands/);
    }
  });

  it("label the bot catalog's location groups", async () => {
    const user = new TelegramUser(s.fake, s.t.clock, 9103);
    const menu = await user.send(user.message('/start'));
    const groups = await user.send(user.tap('cat', messageIdOf(menu)));
    expect(labels(groups)).toEqual(expect.arrayContaining(['Frankfurt', 'Amsterdam']));
    expect(labels(groups).join()).not.toMatch(/Germany|Netherlands/);
  });

  it("label the web's checkout form and move page", async () => {
    const buyer = await signedUpBuyer(s.t.app);
    const checkout = await buyer.agent.get(`/checkout/${built.id}`).expect(200);
    expect(checkout.text).toMatch(/value="de"[^>]*> Frankfurt</);
    await fund(s.t, buyer.email, 5000);
    const bought = await buy(buyer, pinned.id, { location: 'de' });
    expect(bought.status).toBe(303);
    await s.t.drain();
    const [sub] = await s.t.shop.storage.subscriptions.listByOrder(orderIdFrom(bought.headers['location']));
    const move = await buyer.agent.get(`/subscriptions/${sub!.id}/move`).expect(200);
    expect(move.text).toContain('data-testid="current-location">Frankfurt</strong>');
    expect(move.text).toMatch(/<option value="nl"\s*>Amsterdam<\/option>/);
  });
});
