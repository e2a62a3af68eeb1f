/**
 * Extra devices (device packs) through the one use case in `src/app/devices/device-packs.ts`: the form beside "my
 * devices" on the subscription page, the JSON API, the bot, and the owner's plan form; prorated to the period's end,
 * charged once per key, the limit raised at once on the buyer's link, refunded like any order, and kept through an
 * extension only when the buyer asks.
 */
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevicePackBoughtResponse, DevicePackOfferResponse, ErrorResponse } from '../src/routes/api/response-schemas.js';
import { adminGet, postForm } from './support/admin-support.js';
import { balanceOf, boughtAndProvisioned, fund, idempotencyKeyFrom, planNamed } from './support/buying.js';
import { buttonsOf } from './support/fake-telegram.js';
import {
  ROOMY_RATE_LIMITS,
  csrfFrom,
  signedInAdmin,
  signedUpBuyer,
  startShop,
  type ShopUnderTest,
  type Visitor,
} from './support/shop-under-test.js';
import { startBotShop, TelegramUser, textOf, type BotShop } from './support/telegram-driver.js';

const A = 'http://shop-a.example.com';
/** A demo plan with `deviceLimit: 2` selling up to 3 extra devices at 150 per 30 days. */
const TWO_DEVICES = 'Frankfurt · 1 month · unlimited';
const DAY_MS = 86_400_000;
const LIMITS = { ...ROOMY_RATE_LIMITS, subscriptionLink: { limit: 1000, windowMs: 60_000 } };

const phone = (n: number) => ({ 'user-agent': 'Happ/4.6.0/ios/2603181556604', 'x-hwid': `pack-phone-${n}`, 'x-device-os': 'iOS' });

let t: ShopUnderTest;
beforeAll(async () => {
  t = await startShop({ app: { rateLimits: LIMITS }, env: { PUBLIC_URLS: A } });
});
afterAll(() => t.close());

interface Bought {
  buyer: Visitor & { email: string };
  customerId: string;
  sub: string;
}

async function buyerWithSubscription(funds: number): Promise<Bought> {
  const buyer = await signedUpBuyer(t.app);
  const customerId = await fund(t, buyer.email, funds);
  const sub = await boughtAndProvisioned(t, buyer, (await planNamed(t, TWO_DEVICES)).id);
  return { buyer, customerId, sub };
}

async function linkPath(buyer: Visitor): Promise<string> {
  const page = await buyer.agent.get('/dashboard').expect(200);
  const url = /id="shop-link-url" type="text" readonly value="([^"]+)"/.exec(page.text)?.[1];
  if (url === undefined) throw new Error('no shop link on the dashboard');
  return new URL(url).pathname;
}

const ask = (path: string, headers: Record<string, string>) => supertest(t.app).get(path).set(headers).set('host', new URL(A).host);
const subOf = async (id: string) => (await t.shop.storage.subscriptions.get(id))!;

describe('add devices on the web', () => {
  it('offers the pack beside my devices, prorated; paying raises the limit at once on the link, and a resubmit charges once', async () => {
    const { buyer, customerId, sub } = await buyerWithSubscription(900 + 1000);
    const path = await linkPath(buyer);
    for (const n of [1, 2]) await ask(path, phone(n)).expect(200);
    const turnedAway = await ask(path, phone(3)).expect(200);
    expect(Buffer.from(turnedAway.text, 'base64').toString('utf8')).toContain('Too%20many%20devices');

    const page = (await buyer.agent.get(`/subscriptions/${sub}`).expect(200)).text;
    const section = /<section class="card" id="devices"[\s\S]*?<\/section>/.exec(page)?.[0] ?? '';
    expect(section).toContain('data-testid="device-pack-form"');
    expect(section).toContain('data-can-add="3"');
    // A full 30-day period is left: 150 a device.
    expect(section).toMatch(/<option value="2">2 for \$3\.00<\/option>/);
    const form = { _csrf: csrfFrom(page), idempotencyKey: idempotencyKeyFrom(section), devices: '1' };
    const paid = await buyer.agent.post(`/subscriptions/${sub}/devices/add`).type('form').send(form).expect(303);
    expect(paid.headers['location']).toBe(`/subscriptions/${sub}?done=devicePacks.bought#devices`);
    expect((await buyer.agent.get(paid.headers['location']!).expect(200)).text).toContain('Devices added.');
    expect((await subOf(sub)).deviceLimit).toBe(3);
    const served = await ask(path, phone(3)).expect(200);
    expect(Buffer.from(served.text, 'base64').toString('utf8')).not.toContain('Too%20many%20devices');
    expect((await t.shop.kit.devices.list(sub)).map((d) => d.hwid)).toContain('pack-phone-3');
    // The same form again (a double click): the same order, nothing more charged.
    await buyer.agent.post(`/subscriptions/${sub}/devices/add`).type('form').send(form).expect(303);
    expect(await balanceOf(t, customerId)).toBe(1000 - 150);
    expect((await subOf(sub)).deviceLimit).toBe(3);
    const audit = await t.shop.storage.audit.list({ subjectType: 'subscription', subjectId: sub }, { limit: 50 });
    expect(audit.items.filter((a) => a.action === 'subscription.devices_added')).toHaveLength(1);
  });

  it('prorates to the time left, and refuses what the wallet cannot pay or the plan does not allow, charging nothing', async () => {
    const { buyer, customerId, sub } = await buyerWithSubscription(900 + 100);
    t.clock.advance(20 * DAY_MS);
    const page = (await buyer.agent.get(`/subscriptions/${sub}/devices/add`).expect(200)).text;
    // 10 days of 30 are left: 50 a device.
    expect(page).toMatch(/<option value="3">3 for \$1\.50<\/option>/);
    const send = (devices: string) =>
      buyer.agent
        .post(`/subscriptions/${sub}/devices/add`)
        .type('form')
        .send({ _csrf: csrfFrom(page), idempotencyKey: idempotencyKeyFrom(page), devices });
    const short = await send('3').expect(402);
    expect(short.text).toContain('does not cover this price');
    expect(short.text).toContain('href="/wallet"');
    const tooMany = await send('4').expect(409);
    expect(tooMany.text).toContain('all the extra devices its plan allows');
    await send('lots').expect(400);
    expect(await balanceOf(t, customerId)).toBe(100);
    expect((await subOf(sub)).deviceLimit).toBe(2);
  });

  it('shows no pack on a plan that sells none, and another buyer’s subscription is not found', async () => {
    const buyer = await signedUpBuyer(t.app);
    await fund(t, buyer.email, 10_000);
    const plain = await boughtAndProvisioned(t, buyer, (await planNamed(t, 'Frankfurt · 1 month · 50')).id);
    expect((await buyer.agent.get(`/subscriptions/${plain}`).expect(200)).text).not.toContain('device-pack');
    const other = await buyerWithSubscription(900);
    await buyer.agent.get(`/subscriptions/${other.sub}/devices/add`).expect(404);
  });
});

describe('add devices in the JSON API', () => {
  it('quotes, buys once per key (201, then 200 with the same order), and a full refund takes the devices back', async () => {
    const { buyer, customerId, sub } = await buyerWithSubscription(900 + 1000);
    const offer = await buyer.agent.get(`/api/v1/subscriptions/${sub}/devices/pack`).expect(200);
    expect(DevicePackOfferResponse.parse(offer.body)).toMatchObject({ deviceLimit: 2, canAdd: 3, extraDevices: 0, refused: null });
    expect(offer.body.unitPrice).toEqual({ amount: 150, currency: t.config.currency });
    const body = { devices: 2, idempotencyKey: 'api-pack-key-1' };
    const first = await buyer.agent
      .post(`/api/v1/subscriptions/${sub}/devices/pack`)
      .set('x-csrf-token', buyer.csrf)
      .send(body)
      .expect(201);
    expect(DevicePackBoughtResponse.parse(first.body)).toMatchObject({ replayed: false, deviceLimit: 4, charged: { amount: 300 } });
    const again = await buyer.agent
      .post(`/api/v1/subscriptions/${sub}/devices/pack`)
      .set('x-csrf-token', buyer.csrf)
      .send(body)
      .expect(200);
    expect(again.body).toMatchObject({ replayed: true, charged: null, order: { id: first.body.order.id } });
    expect(await balanceOf(t, customerId)).toBe(700);

    const bad = await buyer.agent
      .post(`/api/v1/subscriptions/${sub}/devices/pack`)
      .set('x-csrf-token', buyer.csrf)
      .send({ devices: 0, idempotencyKey: 'api-pack-key-2' })
      .expect(400);
    ErrorResponse.parse(bad.body);
    const tooMany = await buyer.agent
      .post(`/api/v1/subscriptions/${sub}/devices/pack`)
      .set('x-csrf-token', buyer.csrf)
      .send({ devices: 2, idempotencyKey: 'api-pack-key-3' })
      .expect(409);
    expect(tooMany.body.error.code).toBe('devicePacks.reasons.above_maximum');

    await t.shop.kit.refund({
      customerId,
      orderId: first.body.order.id,
      amount: { amount: 300, currency: t.config.currency },
      idempotencyKey: 'api-pack-refund',
    });
    expect(await balanceOf(t, customerId)).toBe(1000);
    expect(await subOf(sub)).toMatchObject({ deviceLimit: 2, status: 'active' });
  });

  it('lets an extension keep the extra devices at the new period’s price (the web page offers it too)', async () => {
    const { buyer, customerId, sub } = await buyerWithSubscription(900 + 150 + 900 + 150);
    await buyer.agent
      .post(`/api/v1/subscriptions/${sub}/devices/pack`)
      .set('x-csrf-token', buyer.csrf)
      .send({ devices: 1, idempotencyKey: 'api-keep-pack' })
      .expect(201);
    t.clock.advance(28 * DAY_MS);
    const quote = await buyer.agent.get(`/api/v1/subscriptions/${sub}/extension`).expect(200);
    expect(quote.body.extraDevices).toEqual({ devices: 1, price: { amount: 150, currency: t.config.currency } });
    const page = (await buyer.agent.get(`/subscriptions/${sub}/extend`).expect(200)).text;
    expect(page).toContain('data-testid="keep-devices"');
    const extended = await buyer.agent
      .post(`/api/v1/subscriptions/${sub}/extension`)
      .set('x-csrf-token', buyer.csrf)
      .send({ idempotencyKey: 'api-keep-extend', keepExtraDevices: true })
      .expect(202);
    expect(extended.body).toMatchObject({ keptDevices: { devices: 1 }, charged: { amount: 1050 } });
    await t.drain();
    expect((await subOf(sub)).deviceLimit).toBe(3);
    expect(await balanceOf(t, customerId)).toBe(0);
  });
});

describe('the plan form prices extra devices', () => {
  const plan = (over: Record<string, string> = {}) => ({
    name: 'Pack plan',
    family: 'pack',
    description: '',
    price: '5',
    durationDays: '30',
    trafficGiB: '50',
    deviceLimit: '2',
    maxClients: '',
    allowedLocations: '',
    autoProvision: 'on',
    renewable: 'on',
    onSale: 'on',
    trialDays: '',
    trialGiB: '',
    extensionWindowDays: '3',
    trafficOnExtend: 'replace',
    daysOnExtend: 'stack',
    topUpPricePerGiB: '',
    topUpMaxGiB: '',
    devicePackPrice: '',
    devicePackMax: '',
    ...over,
  });

  it('refuses a bad offer on its field, stores a good one, shows it on edit', async () => {
    const admin = await signedInAdmin(t.app);
    const before = await t.shop.storage.plans.list();
    for (const [body, field] of [
      [plan({ devicePackPrice: 'cheap', devicePackMax: '2' }), 'devicePackPrice'],
      [plan({ devicePackMax: '2' }), 'devicePackPrice'],
      [plan({ devicePackPrice: '1.50' }), 'devicePackMax'],
      [plan({ devicePackPrice: '1.50', devicePackMax: '2', deviceLimit: '' }), 'devicePackPrice'],
      [plan({ devicePackPrice: '1.50', devicePackMax: '0' }), 'devicePackMax'],
    ] as const) {
      const res = await postForm(admin, '/admin/plans', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.text, JSON.stringify(body)).toMatch(new RegExp(`id="f-${field}-error"`));
    }
    expect(await t.shop.storage.plans.list()).toEqual(before);
    await postForm(admin, '/admin/plans', plan({ name: 'Pack stored', devicePackPrice: '1.50', devicePackMax: '4' })).expect(303);
    const stored = (await t.shop.storage.plans.list()).find((p) => p.name === 'Pack stored')!;
    expect(stored.devicePack).toEqual({ pricePer30Days: { amount: 150, currency: stored.price.currency }, maxExtraDevices: 4 });
    const edit = await adminGet(admin, `/admin/plans/${stored.id}/edit`);
    expect(edit.html).toMatch(/name="devicePackPrice"[^>]*value="1\.50"|value="1\.50"[^>]*name="devicePackPrice"/);
  });
});

describe('add devices in the bot', () => {
  let s: BotShop;
  beforeAll(async () => {
    s = await startBotShop();
  });
  afterAll(() => s.close());

  it('offers counts from my devices, quotes one, charges once however often Pay is tapped, and refuses without funds', async () => {
    const { shop, clock } = s.t;
    const buyer = new TelegramUser(s.fake, clock, 6801);
    const menu = await buyer.send(buyer.message('/start'));
    const customerId = (await shop.storage.customers.getByExternalRef(`telegram:${buyer.id}`))!.id;
    const plan = await planNamed(s.t, TWO_DEVICES);
    await shop.kit.topUp({ customerId, amount: { amount: 900 + 300, currency: plan.price.currency }, idempotencyKey: 'tg-pack-topup' });
    const { subscriptions } = await shop.kit.checkout({ customerId, items: [{ planId: plan.id }], idempotencyKey: 'tg-pack-buy' });
    await s.t.drain();
    const subId = subscriptions[0]!.id;

    const devices = await buyer.press(await buyer.press(await buyer.press(menu, 'subs'), 's:'), 'dv:');
    const offer = await buyer.press(devices, 'dpk:');
    expect(textOf(offer)).toContain('Each extra device costs $1.50 per 30 days');
    expect(buttonsOf(offer).map((b) => b.callback_data)).toEqual(expect.arrayContaining([`dpq:${subId}:1`, `dpq:${subId}:3`]));
    const quote = await buyer.press(offer, `dpq:${subId}:2`);
    expect(textOf(quote)).toContain('the limit becomes 4');
    const paid = await buyer.press(quote, `dpb:${subId}:2`);
    expect(textOf(paid)).toBe('Devices added: the limit is now 4.');
    await buyer.press(quote, `dpb:${subId}:2`);
    expect(await shop.storage.ledger.balance(customerId, plan.price.currency)).toBe(0);
    expect((await shop.storage.subscriptions.get(subId))!.deviceLimit).toBe(4);

    const refused = await buyer.press(await buyer.press(offer, `dpq:${subId}:1`), `dpb:${subId}:1`);
    expect(textOf(refused)).toContain('does not cover this price');
    expect(buttonsOf(refused).some((b) => b.callback_data === 'tu')).toBe(true);
  });

  it('extends from the bot keeping the extra devices when the buyer taps that button, once for both buttons', async () => {
    const { shop, clock } = s.t;
    const buyer = new TelegramUser(s.fake, clock, 6802);
    const menu = await buyer.send(buyer.message('/start'));
    const customerId = (await shop.storage.customers.getByExternalRef(`telegram:${buyer.id}`))!.id;
    const plan = await planNamed(s.t, TWO_DEVICES);
    await shop.kit.topUp({
      customerId,
      amount: { amount: 900 + 150 + 900 + 150, currency: plan.price.currency },
      idempotencyKey: 'tg-keep-topup',
    });
    const { subscriptions } = await shop.kit.checkout({ customerId, items: [{ planId: plan.id }], idempotencyKey: 'tg-keep-buy' });
    await s.t.drain();
    const subId = subscriptions[0]!.id;
    await shop.kit.devices.buyPack({ subscriptionId: subId, devices: 1, idempotencyKey: 'tg-keep-pack' });
    clock.advance(28 * DAY_MS);
    const quote = await buyer.press(await buyer.press(await buyer.press(menu, 'subs'), 's:'), 'x:');
    expect(textOf(quote)).toContain("goes back to the plan's 2");
    await buyer.press(quote, `xk:${subId}`);
    await buyer.press(quote, `xc:${subId}`);
    await s.t.drain();
    expect((await shop.storage.subscriptions.get(subId))!.deviceLimit).toBe(3);
    expect(await shop.storage.ledger.balance(customerId, plan.price.currency)).toBe(0);
  });
});
