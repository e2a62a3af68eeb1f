/**
 * Devices in the bot, against our own Bot API server: the buyer's "my devices" from a subscription's details and a
 * removal that asks first; staff's "devices of a buyer" from the customer card and a reset that asks why, audited.
 * The same use cases as the web's (`src/app/devices`); another buyer's ids find nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buttonsOf } from './support/fake-telegram.js';
import { translator } from '../src/i18n/translate.js';
import { planNamed } from './support/buying.js';
import { ADMIN_TELEGRAM_ID, messageIdOf, startBotShop, TelegramUser, textOf, type BotShop } from './support/telegram-driver.js';

/** A plan of the demo shop with `deviceLimit: 2`. */
const TWO_DEVICES = 'Frankfurt · 1 month · unlimited';
const IPHONE = { hwid: 'bot-iphone-1', platform: 'ios', osVersion: '26.1', model: 'iPhone 16 Pro', app: 'Happ', appVersion: '4.6.0' };
const LAPTOP = { hwid: 'bot-laptop-1', platform: 'windows', app: 'Hiddify', appVersion: '2.5.7' };

const en = translator('en');
let s: BotShop;
beforeAll(async () => {
  s = await startBotShop({ env: { PUBLIC_URL: 'https://shop.example.com', TELEGRAM_WEBHOOK: 'off' } });
});
afterAll(() => s.close());

/** A buyer in the bot with a subscription of two devices (registered as the link would), and its details message. */
async function buyerWithDevices(id: number) {
  const { shop, clock } = s.t;
  const buyer = new TelegramUser(s.fake, clock, id);
  const menu = await buyer.send(buyer.message('/start'));
  const customerId = (await shop.storage.customers.getByExternalRef(`telegram:${id}`))!.id;
  const plan = await planNamed(s.t, TWO_DEVICES);
  await shop.kit.topUp({ customerId, amount: { amount: 10_000, currency: plan.price.currency }, idempotencyKey: `dev-topup-${id}` });
  const { subscriptions } = await shop.kit.checkout({ customerId, items: [{ planId: plan.id }], idempotencyKey: `dev-buy-${id}` });
  await s.t.drain();
  const sub = subscriptions[0]!.id;
  for (const device of [IPHONE, LAPTOP]) expect((await shop.kit.devices.touch(sub, device)).served).toBe(true);
  const details = await buyer.press(await buyer.press(menu, 'subs'), 's:');
  return { buyer, customerId, sub, details };
}

describe('my devices in the bot', () => {
  it('lists the devices from the details, asks before removing one, and removes it', async () => {
    const { buyer, customerId, sub, details } = await buyerWithDevices(7101);
    expect(textOf(details)).toContain('Devices: 2 of 2');
    const list = await buyer.press(details, 'dv:');
    expect(textOf(list)).toContain(`Devices of ${TWO_DEVICES}`);
    expect(textOf(list)).toContain('2 of 2');
    expect(textOf(list)).toContain('• iPhone 16 Pro (iOS 26.1 · Happ 4.6.0)');
    expect(textOf(list)).toContain('• Hiddify on Windows (Windows · Hiddify 2.5.7)');
    expect(textOf(list)).not.toContain(IPHONE.hwid);
    const iphone = (await s.t.shop.kit.devices.list(sub)).find((d) => d.hwid === IPHONE.hwid)!;
    expect(buttonsOf(list).map((b) => b.callback_data)).toContain(`dx:${sub}:${iphone.id}`);

    const ask = await buyer.press(list, `dx:${sub}:${iphone.id}`);
    expect(textOf(ask)).toContain('Remove iPhone 16 Pro?');
    // Asking removed nothing.
    expect(await s.t.shop.kit.devices.list(sub)).toHaveLength(2);

    const done = await buyer.press(ask, 'dxc:');
    expect(textOf(done)).toBe('Removed iPhone 16 Pro. Its place is free.');
    expect((await s.t.shop.kit.devices.list(sub)).map((d) => d.hwid)).toEqual([LAPTOP.hwid]);
    const audit = await s.t.shop.storage.audit.list({ subjectType: 'subscription', subjectId: sub }, { limit: 20 });
    expect(audit.items.find((e) => e.action === 'device.removed')?.actor).toEqual({ type: 'customer', id: customerId });

    // The same button again: the device is gone, nothing else changes.
    const gone = en('devices.errors.gone');
    const again = await buyer.send(buyer.tap(`dxc:${sub}:${iphone.id}`, messageIdOf(ask)), (c) => textOf(c) === gone);
    expect(textOf(again)).toBe('That device is no longer on this subscription.');
    expect(await s.t.shop.kit.devices.list(sub)).toHaveLength(1);
  });

  it("finds nothing on another buyer's subscription, and removes nothing", async () => {
    const owner = await buyerWithDevices(7102);
    const stranger = new TelegramUser(s.fake, s.t.clock, 7103);
    const menu = await stranger.send(stranger.message('/start'));
    const [device] = await s.t.shop.kit.devices.list(owner.sub);
    expect(textOf(await stranger.send(stranger.tap(`dv:${owner.sub}`, messageIdOf(menu))))).toBe(en('errors.notFound'));
    expect(textOf(await stranger.send(stranger.tap(`dxc:${owner.sub}:${device!.id}`, messageIdOf(menu))))).toBe(en('errors.notFound'));
    expect(await s.t.shop.kit.devices.list(owner.sub)).toHaveLength(2);
  });
});

describe('devices of a buyer in the bot’s customer card', () => {
  it('shows each subscription’s devices and resets them after asking why, audited with the reason', async () => {
    const { customerId, sub } = await buyerWithDevices(7104);
    const admin = new TelegramUser(s.fake, s.t.clock, ADMIN_TELEGRAM_ID);
    const menu = await admin.send(admin.message('/start'));
    const card = await admin.send(admin.tap(`ac:${customerId}`, messageIdOf(menu)), (c) =>
      buttonsOf(c).some((b) => b.callback_data?.startsWith('adv:')),
    );
    const devices = await admin.press(card, 'adv:');
    expect(textOf(devices)).toContain(`${TWO_DEVICES} (2 of 2):`);
    expect(textOf(devices)).toContain(IPHONE.hwid);
    expect(buttonsOf(devices).map((b) => b.callback_data)).toContain(`adr:${sub}`);

    const why = await admin.press(devices, 'adr:');
    expect(textOf(why)).toBe(`Why reset the devices of ${TWO_DEVICES}? The reason goes into the audit log.`);
    expect(await s.t.shop.kit.devices.list(sub)).toHaveLength(2);
    // Too long a reason: asked again, nothing reset.
    const tooLong = await admin.send(admin.message('x'.repeat(501)));
    expect(textOf(tooLong)).toContain('too long');
    expect(await s.t.shop.kit.devices.list(sub)).toHaveLength(2);

    const done = await admin.send(admin.message('buyer lost the phone'));
    expect(textOf(done)).toBe(`Devices of ${TWO_DEVICES} reset: 2 removed.`);
    expect(await s.t.shop.kit.devices.list(sub)).toEqual([]);
    const audit = await s.t.shop.storage.audit.list({ subjectType: 'subscription', subjectId: sub }, { limit: 20 });
    expect(audit.items.find((e) => e.action === 'device.reset')).toMatchObject({
      actor: { type: 'admin', id: `telegram:${ADMIN_TELEGRAM_ID}` },
      data: { reason: 'buyer lost the phone', removed: 2 },
    });
  });

  it('tells a buyer who forges a staff button nothing, and resets nothing', async () => {
    const { buyer, customerId, sub } = await buyerWithDevices(7105);
    const since = s.fake.calls.length;
    s.fake.push(buyer.tap(`adv:${customerId}`, 1));
    s.fake.push(buyer.tap(`adr:${sub}`, 1));
    await buyer.send(buyer.message('/menu'));
    expect(s.fake.callsSince(since, 'answerCallbackQuery').map((c) => c.params['text'])).toEqual([
      en('telegram.notYours'),
      en('telegram.notYours'),
    ]);
    expect(s.fake.callsSince(since, 'sendMessage').map((c) => String(c.params['text']))).not.toContainEqual(
      expect.stringContaining('Devices of'),
    );
    expect(await s.t.shop.kit.devices.list(sub)).toHaveLength(2);
  });
});
