/**
 * Issue 71 walked through the bot, on the same use cases as the web and the JSON API: a built plan composed with
 * buttons and priced by the SDK's quote (the API's figure) then bought; a location picked at purchase and a move with
 * the same link; a family plan's invite link accepted, its member listed and removed; two subscriptions named apart;
 * a trial that asks for a verified phone, claimed with the sender's own contact once per number. Every forged button
 * and bad typed input is answered and changes nothing.
 */
import type { Plan } from '@panelkit/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../src/i18n/translate.js';
import { formatMoney } from '../src/i18n/format.js';
import { ownLinkOf } from '../src/app/subscriptions/own-link.js';
import { CALLBACK_DATA_MAX_BYTES } from '../src/telegram/callback-data.js';
import { decodeState, encodeState } from '../src/telegram/buyer/builder.js';
import { ownVerifiedPhone } from '../src/telegram/buyer/phone-trial.js';
import { planNamed } from './support/buying.js';
import { buttonsOf, type BotCall } from './support/fake-telegram.js';
import { signedUpBuyer, ROOMY_RATE_LIMITS } from './support/shop-under-test.js';
import { messageIdOf, startBotShop, TelegramUser, textOf, type BotShop } from './support/telegram-driver.js';

const en = translator('en');
let s: BotShop;
let built: Plan;
let pinned: Plan;
let family: Plan;
let phoneTrial: Plan;
let nextUser = 7100;

beforeAll(async () => {
  s = await startBotShop({ app: { rateLimits: ROOMY_RATE_LIMITS } });
  const base = await planNamed(s.t, 'Frankfurt · 1 month · 50');
  const currency = base.price.currency;
  const placement = { preferredTargetIds: [], allowedLocations: ['de', 'nl'], requiredTargetTags: [] };
  const plans = s.t.shop.storage.plans;
  built = await plans.create({
    name: 'Build your own',
    family: 'built-bot',
    price: { amount: 0, currency },
    durationDays: 30,
    trafficBytes: null,
    placement,
    builder: {
      basePrice: { amount: 100, currency },
      locations: { unitPrice: { amount: 200, currency }, min: 1, max: 2, step: 1, options: ['de', 'nl'] },
      devices: { unitPrice: { amount: 50, currency }, min: 1, max: 5, step: 1 },
      trafficGiB: { unitPrice: { amount: 2, currency }, min: 50, max: 5000, step: 50 },
      durationDays: { unitPrice: { amount: 10, currency }, min: 30, max: 90, step: 30 },
    },
  });
  pinned = await plans.create({
    name: 'Pick your place',
    family: 'pinned-bot',
    price: { amount: 500, currency },
    durationDays: 30,
    trafficBytes: null,
    placement,
  });
  family = await plans.create({
    name: 'Family bot',
    family: 'family-bot',
    price: { amount: 700, currency },
    durationDays: 30,
    trafficBytes: null,
    placement: base.placement,
    sharing: { maxMembers: 3 },
  });
  phoneTrial = await plans.create({
    name: 'Phone trial',
    family: 'phone-trial-bot',
    price: base.price,
    durationDays: 30,
    trafficBytes: null,
    placement: base.placement,
    trial: { days: 3, trafficBytes: null, requirePhone: true },
  });
});
afterAll(() => s.close());

/** A new Telegram buyer who sent `/start`, with their customer id and wallet funded by `funds`. */
async function newBuyer(funds = 0): Promise<{ user: TelegramUser; customerId: string; menu: BotCall }> {
  const user = new TelegramUser(s.fake, s.t.clock, nextUser++);
  const menu = await user.send(user.message('/start'));
  const customerId = (await s.t.shop.storage.customers.getByExternalRef(`telegram:${user.id}`))!.id;
  if (funds > 0)
    await s.t.shop.kit.topUp({ customerId, amount: { amount: funds, currency: 'USD' }, idempotencyKey: `tg71-fund-${user.id}` });
  return { user, customerId, menu };
}

/** Taps the button whose label contains `label` and waits for the bot's next message. */
function pressLabel(user: TelegramUser, on: BotCall, label: string): Promise<BotCall> {
  const button = buttonsOf(on).find((b) => b.text.includes(label));
  if (button?.callback_data === undefined) throw new Error(`no "${label}" button on ${JSON.stringify(buttonsOf(on).map((b) => b.text))}`);
  return user.send(user.tap(button.callback_data, messageIdOf(on)));
}

/** Taps each `data` (forged or stale), then `/menu`; returns what the bot answered the taps and sent the user meanwhile. */
async function forged(user: TelegramUser, data: string[]): Promise<{ answers: unknown[]; sent: BotCall[] }> {
  const since = s.fake.calls.length;
  for (const d of data) s.fake.push(user.tap(d, 1));
  await user.send(user.message('/menu'), (c) => textOf(c).includes(en('telegram.menu.title', { shop: s.t.shop.config.shopName })));
  const sent = s.fake.callsSince(since).filter((c) => c.method === 'sendMessage' && Number(c.params['chat_id']) === user.id);
  return { answers: s.fake.callsSince(since, 'answerCallbackQuery').map((c) => c.params['text']), sent: sent.slice(0, -1) };
}

const ledgerDebits = async (customerId: string) =>
  (await s.t.shop.storage.ledger.list(customerId, { limit: 50 })).items.filter((e) => e.amount < 0);

async function locationOf(subscriptionId: string): Promise<string[]> {
  const sub = await s.t.shop.storage.subscriptions.get(subscriptionId);
  return sub === null ? [] : ((await s.t.shop.storage.panels.get(sub.panelId))?.locationTags ?? []);
}

describe('the plan builder in the bot', () => {
  it('keeps the whole choice in a button under 64 bytes and refuses anything it did not write', () => {
    const state = { mask: (1n << 64n) - 1n, devices: 1000, trafficGiB: 1_000_000, days: 3650 };
    expect(decodeState(encodeState(state))).toEqual(state);
    expect(Buffer.byteLength(`kbb:${built.id}:${encodeState(state)}`)).toBeLessThanOrEqual(CALLBACK_DATA_MAX_BYTES);
    for (const bad of ['', 'x.1.1.1', '1.1.1', '1.-1.1.1', '1.1.1.1.1', `${'f'.repeat(17)}...`]) expect(decodeState(bad)).toBeNull();
  });

  it('composes 2 locations + 3 devices + 100 GiB + 30 days, shows the API quote after each change, buys it once', async () => {
    const { user, customerId, menu } = await newBuyer(5000);
    let screen = await user.send(user.tap(`p:${built.id}`, messageIdOf(menu)));
    // Every part at its minimum, Germany picked: 100 + 200 + 1 × 50 + 50 × 2 + 30 × 10.
    expect(textOf(screen)).toContain(`${en('builder.price')}: $7.50`);
    screen = await pressLabel(user, screen, 'Netherlands');
    screen = await pressLabel(user, screen, `➕ ${en('builder.parts.devices')}`);
    screen = await pressLabel(user, screen, `➕ ${en('builder.parts.devices')}`);
    screen = await pressLabel(user, screen, `➕ ${en('builder.parts.trafficGiB')}`);
    for (const line of [
      'Germany, Netherlands',
      `${en('builder.parts.devices')}: 3`,
      `${en('builder.parts.trafficGiB')}: 100`,
      `${en('builder.parts.days')}: 30`,
    ])
      expect(textOf(screen)).toContain(line);

    const web = await signedUpBuyer(s.t.app);
    const api = await web.agent
      .post(`/api/v1/plans/${built.id}/quote`)
      .set('x-csrf-token', web.csrf)
      .send({ choice: { locations: ['de', 'nl'], devices: 3, trafficGiB: 100, days: 30 } })
      .expect(200);
    expect(api.body.allowed).toBe(true);
    const quoted = formatMoney(api.body.price, 'en');
    expect(textOf(screen)).toContain(`${en('builder.price')}: ${quoted}`);
    expect(api.body.price.amount).toBe(100 + 2 * 200 + 3 * 50 + 100 * 2 + 30 * 10);

    const buy = buttonsOf(screen).find((b) => b.callback_data?.startsWith('kbb:'))!;
    const done = await user.send(user.tap(buy.callback_data!, messageIdOf(screen)));
    expect(textOf(done)).toBe(en('telegram.catalog.ordered'));
    const again = await user.send(user.tap(buy.callback_data!, messageIdOf(screen)));
    expect(textOf(again)).toBe(en('telegram.catalog.alreadyOrdered'));
    const debits = await ledgerDebits(customerId);
    expect(debits.map((e) => -e.amount)).toEqual([api.body.price.amount]);
    await s.t.drain();
    const subs = (await s.t.shop.storage.subscriptions.listByCustomer(customerId, { limit: 10 })).items;
    expect(subs).toHaveLength(2);
    expect((await Promise.all(subs.map((x) => locationOf(x.id)))).flat().sort()).toEqual(['de', 'nl']);
    expect(subs.every((x) => x.deviceLimit === 3 && x.trafficLimitBytes === 100 * 2 ** 30)).toBe(true);
  });

  it('answers forged and stale builder buttons without a change, and says why an off-limits choice has no price', async () => {
    const { user, customerId, menu } = await newBuyer(5000);
    const { answers, sent } = await forged(user, [
      `kb:${built.id}:zz`,
      `kb:${pinned.id}:1...`,
      `kb:plan_nope:1...`,
      `kbb:${built.id}:1.....`,
      `kbb:${pinned.id}:1...`,
    ]);
    // Data no builder button has the shape of is the bot's "not available"; a well-shaped stale one is "out of date".
    expect(answers).toEqual([en('telegram.notYours'), ...Array(4).fill(en('buyerBot.stale'))]);
    expect(sent).toEqual([]);
    // A well-formed state past the plan's limits: the rule's reason, no buy button; buying it anyway is refused.
    const tooMany = await user.send(user.tap(`kb:${built.id}:1.a..`, messageIdOf(menu)));
    expect(textOf(tooMany)).toContain(en('builder.reasons.above_maximum'));
    expect(buttonsOf(tooMany).some((b) => b.callback_data?.startsWith('kbb:'))).toBe(false);
    const refused = await user.send(user.tap(`kbb:${built.id}:1.a..`, messageIdOf(tooMany)));
    expect(textOf(refused)).toContain(en('builder.reasons.above_maximum'));
    const none = await user.send(user.tap(`kb:${built.id}:0...`, messageIdOf(menu)));
    expect(textOf(none)).toContain(en('builder.reasons.locations_required'));
    expect(await ledgerDebits(customerId)).toEqual([]);
  });
});

describe('a built plan in the bot’s plan list', () => {
  it('shows “from” the quote of the builder’s defaults, never the stored price', async () => {
    const { user, menu } = await newBuyer();
    const locations = await user.press(menu, 'cat');
    const lists: BotCall[] = [];
    for (const b of buttonsOf(locations).filter((x) => x.callback_data?.startsWith('loc:')))
      lists.push(await user.send(user.tap(b.callback_data!, messageIdOf(locations))));
    const labels = lists.flatMap((l) => buttonsOf(l)).filter((b) => b.callback_data === `p:${built.id}`);
    expect(labels.length).toBeGreaterThan(0);
    // 100 + 200 + 1 × 50 + 50 × 2 + 30 × 10: what the builder's screen opens at.
    for (const b of labels) expect(b.text).toBe(`Build your own · ${en('planFrom.price', { price: '$7.50' })}`);
    const fixed = lists.flatMap((l) => buttonsOf(l)).find((b) => b.callback_data === `p:${pinned.id}`);
    expect(fixed?.text).toBe('Pick your place · $5.00');
  });
});

describe('the location in the bot', () => {
  it('buys a fixed plan in the picked location, then moves it with the same link', async () => {
    const { user, customerId, menu } = await newBuyer(5000);
    const planScreen = await user.send(user.tap(`p:${pinned.id}`, messageIdOf(menu)));
    const list = await pressLabel(user, planScreen, en('buyerBot.location.choose'));
    expect(buttonsOf(list).map((b) => b.text)).toEqual(['Germany', 'Netherlands', en('telegram.menu.back')]);
    const quote = await pressLabel(user, list, 'Netherlands');
    const done = await user.press(quote, 'klb:');
    expect(textOf(done)).toBe(en('telegram.catalog.ordered'));
    await user.press(quote, 'klb:');
    expect((await ledgerDebits(customerId)).map((e) => -e.amount)).toEqual([500]);
    await s.t.drain();
    const [sub] = (await s.t.shop.storage.subscriptions.listByCustomer(customerId, { limit: 10 })).items;
    expect(await locationOf(sub!.id)).toContain('nl');
    const linkBefore = await ownLinkOf(s.t.shop, customerId, sub!.id);

    const details = await user.press(await user.press(menu, 'subs'), 's:');
    const targets = await user.press(details, 'km:');
    const ask = await pressLabel(user, targets, 'Germany');
    const moved = await user.press(ask, 'kmg:');
    expect(textOf(moved)).toBe(en('buyerBot.location.moved', { location: 'Germany' }));
    const again = await user.press(ask, 'kmg:'); // the same tap again: replayed by its key, one move
    expect(textOf(again)).toBe(en('buyerBot.location.moved', { location: 'Germany' }));
    await s.t.drain();
    expect(await locationOf(sub!.id)).toContain('de');
    expect(await ownLinkOf(s.t.shop, customerId, sub!.id)).toBe(linkBefore);

    const stranger = await newBuyer();
    const { answers } = await forged(stranger.user, [
      `km:${sub!.id}`,
      `kmg:${sub!.id}:00000000`,
      `klb:${pinned.id}:00000000`,
      `kl:plan_nope`,
    ]);
    expect(answers.slice(0, 3)).toEqual([en('telegram.notYours'), en('telegram.notYours'), en('buyerBot.stale')]);
    expect(await locationOf(sub!.id)).toContain('de');
  });
});

describe('a full location in the bot', () => {
  it('shows it busy and refuses to sell there, charging nothing', async () => {
    const { user, customerId, menu } = await newBuyer(5000);
    const { storage } = s.t.shop;
    const panels = await storage.panels.list();
    const inNl = (await storage.targets.list()).filter((x) => panels.find((p) => p.id === x.panelId)?.locationTags.includes('nl'));
    const before = inNl.map((x) => ({ id: x.id, capacity: x.capacity }));
    for (const x of inNl) await storage.targets.update(x.id, { capacity: x.allocated });
    try {
      const list = await user.send(user.tap(`kl:${pinned.id}`, messageIdOf(menu)));
      expect(buttonsOf(list).map((b) => b.text)).toContain(`Netherlands · ${en('builder.busy')}`);
      const quote = await pressLabel(user, list, 'Netherlands');
      const refused = await user.press(quote, 'klb:');
      expect(textOf(refused)).toBe(en('builder.reasons.location_full'));
      expect(await ledgerDebits(customerId)).toEqual([]);
    } finally {
      for (const x of before) await storage.targets.update(x.id, { capacity: x.capacity });
    }
  });
});

describe('several subscriptions and family plans in the bot', () => {
  it('names two subscriptions apart, each with its own link; a bad name changes nothing', async () => {
    const { user, customerId, menu } = await newBuyer(5000);
    const base = await planNamed(s.t, 'Frankfurt · 1 month · 50');
    for (const k of ['a', 'b'])
      await s.t.shop.kit.checkout({ customerId, items: [{ planId: base.id }], idempotencyKey: `tg71-two-${user.id}-${k}` });
    await s.t.drain();
    const subs = (await s.t.shop.storage.subscriptions.listByCustomer(customerId, { limit: 10 })).items;
    const names = ['Home', 'Work'];
    for (const [i, sub] of subs.entries()) {
      const details = await user.send(user.tap(`s:${sub.id}`, messageIdOf(menu)));
      const ask = await user.press(details, 'kn:');
      expect(textOf(ask)).toBe(en('buyerBot.name.ask'));
      if (i === 0) {
        const bad = await user.send(user.message('x'.repeat(65)));
        expect(textOf(bad)).toBe(en('buyerBot.name.invalid'));
        expect((await s.t.shop.storage.subscriptions.get(sub.id))!.label).toBeNull();
      }
      const done = await user.send(user.message(names[i]!));
      expect(textOf(done)).toBe(en('buyerBot.name.done', { name: names[i]! }));
    }
    const list = await user.press(menu, 'subs');
    const labels = buttonsOf(list).map((b) => b.text);
    expect(labels.some((l) => l.startsWith('Home ·'))).toBe(true);
    expect(labels.some((l) => l.startsWith('Work ·'))).toBe(true);
    const links: string[] = [];
    for (const sub of subs) links.push(textOf(await user.send(user.tap(`ko:${sub.id}`, messageIdOf(menu)))).split('\n')[1] ?? '');
    expect(new Set(links).size).toBe(2);
    expect(links[0]).toBe(await ownLinkOf(s.t.shop, customerId, subs[0]!.id));

    // A typed text with nothing asked is no name; another buyer's rename or link button changes nothing.
    await user.send(user.message('Garden'));
    expect((await s.t.shop.storage.subscriptions.get(subs[0]!.id))!.label).toBe('Home');
    const stranger = await newBuyer();
    const { answers, sent } = await forged(stranger.user, [`kn:${subs[0]!.id}`, `ko:${subs[0]!.id}`, 'kn:nope!']);
    expect(answers.slice(0, 2)).toEqual([en('telegram.notYours'), en('telegram.notYours')]);
    expect(sent.some((c) => textOf(c).includes(links[0]!))).toBe(false);
  });

  it('replaces a subscription’s own link after confirming, through the web’s use case; another buyer’s tap changes nothing', async () => {
    const { user, customerId, menu } = await newBuyer(5000);
    const base = await planNamed(s.t, 'Frankfurt · 1 month · 50');
    await s.t.shop.kit.checkout({ customerId, items: [{ planId: base.id }], idempotencyKey: `tg71-rotate-${user.id}` });
    await s.t.drain();
    const [sub] = (await s.t.shop.storage.subscriptions.listByCustomer(customerId, { limit: 5 })).items;
    const before = await ownLinkOf(s.t.shop, customerId, sub!.id);
    const tokenOf = (link: string) => link.split('/s/')[1] ?? '';
    const shown = await user.send(user.tap(`ko:${sub!.id}`, messageIdOf(menu)));
    expect(textOf(shown)).toContain(before);

    const ask = await pressLabel(user, shown, en('ownSubscriptions.link.rotate'));
    expect(textOf(ask)).toBe(en('ownSubscriptions.link.rotateHelp'));
    // Asking changes nothing; a stranger's taps on either button are refused and change nothing either.
    expect(await ownLinkOf(s.t.shop, customerId, sub!.id)).toBe(before);
    const stranger = await newBuyer();
    const { answers, sent } = await forged(stranger.user, [`kor:${sub!.id}`, `koy:${sub!.id}`, 'koy:nope!']);
    expect(answers.slice(0, 2)).toEqual([en('telegram.notYours'), en('telegram.notYours')]);
    expect(sent).toEqual([]);
    expect(await ownLinkOf(s.t.shop, customerId, sub!.id)).toBe(before);

    const done = await pressLabel(user, ask, en('botOwnLink.confirm'));
    const after = await ownLinkOf(s.t.shop, customerId, sub!.id);
    expect(after).not.toBe(before);
    expect(textOf(done)).toBe(`${en('ownSubscriptions.notices.link_rotated')}\n${after}`);
    expect(await s.t.shop.kit.links.scope(tokenOf(before), {})).toBeNull();
    expect(await s.t.shop.kit.links.scope(tokenOf(after), {})).not.toBeNull();
  });

  it('invites by a t.me link the bot accepts, lists and removes a member after confirming; a member sees only their own', async () => {
    const payer = await newBuyer(5000);
    const { subscriptions } = await s.t.shop.kit.checkout({
      customerId: payer.customerId,
      items: [{ planId: family.id }],
      idempotencyKey: `tg71-family-${payer.user.id}`,
    });
    await s.t.drain();
    const groupId = subscriptions[0]!.id;
    const details = await payer.user.send(payer.user.tap(`s:${groupId}`, messageIdOf(payer.menu)));
    const members = await payer.user.press(details, 'kf:');
    expect(textOf(members)).toBe(en('buyerBot.family.title', { count: 0, max: 3 }));
    const invite = await payer.user.press(members, 'kfi:');
    const link = /https:\/\/t\.me\/panelkit_test_bot\?start=(fam_[A-Za-z0-9_-]{32})/.exec(textOf(invite));
    expect(link).not.toBeNull();

    const member = new TelegramUser(s.fake, s.t.clock, nextUser++);
    const joined = await member.send(member.message(`/start ${link![1]}`));
    expect(textOf(joined)).toBe(en('buyerBot.family.joined'));
    const memberId = (await s.t.shop.storage.customers.getByExternalRef(`telegram:${member.id}`))!.id;
    const [seat] = (await s.t.shop.storage.subscriptions.listByCustomer(memberId, { limit: 5 })).items;
    const reused = await nextUserStart(link![1]!);
    expect(textOf(reused)).toBe(en('sharing.reasons.invite_used'));

    await s.t.drain();
    const memberScreen = await member.send(member.tap(`s:${seat!.id}`, 1));
    expect(buttonsOf(memberScreen).some((b) => b.callback_data?.startsWith('kf:'))).toBe(false);
    expect(textOf(memberScreen)).not.toContain(await ownLinkOf(s.t.shop, payer.customerId, groupId));
    const memberForged = await forged(member, [`kf:${groupId}`, `kfi:${groupId}`, `kfr:${seat!.id}`, `kfy:${seat!.id}`]);
    expect(memberForged.answers).toEqual(Array(4).fill(en('telegram.notYours')));

    const listed = await payer.user.press(invite, 'kf:');
    expect(textOf(listed)).toContain(en('buyerBot.family.title', { count: 1, max: 3 }));
    // Named by the Telegram name the shop holds, never by their link.
    const name = (await s.t.shop.storage.customers.get(memberId))!.name!;
    expect(name).not.toBe('');
    expect(textOf(listed)).toContain(`${name} · joined `);
    expect(buttonsOf(listed).map((b) => b.text)).toContain(en('familyNames.remove', { name }));
    expect(textOf(listed)).not.toContain(await ownLinkOf(s.t.shop, memberId, seat!.id));
    const ask = await payer.user.press(listed, 'kfr:');
    expect(textOf(ask)).toBe(`${en('familyNames.removing', { name })}\n${en('buyerBot.family.removeAsk')}`);
    expect((await s.t.shop.kit.sharing.membership(seat!.id))!.removedAt).toBeNull();
    const removed = await payer.user.press(ask, 'kfy:');
    expect(textOf(removed)).toBe(en('buyerBot.family.removed'));
    expect((await s.t.shop.kit.sharing.membership(seat!.id))!.removedAt).not.toBeNull();
    const again = await forged(payer.user, [`kfy:${seat!.id}`]);
    expect(again.answers).toEqual([en('telegram.notYours')]);
  });
});

/** A fresh Telegram user opening the bot with `/start <payload>`. */
async function nextUserStart(payload: string): Promise<BotCall> {
  const user = new TelegramUser(s.fake, s.t.clock, nextUser++);
  return user.send(user.message(`/start ${payload}`));
}

describe('trials with a verified phone in the bot', () => {
  it('asks for the contact with a request_contact button and accepts only the sender’s own', () => {
    expect(ownVerifiedPhone({ phone_number: '79991234567', first_name: 'a', user_id: 5 }, 5)).toBe('+79991234567');
    expect(ownVerifiedPhone({ phone_number: '+7 999 123-45-67', first_name: 'a', user_id: 5 }, 5)).toBe('+79991234567');
    expect(ownVerifiedPhone({ phone_number: '79991234567', first_name: 'a', user_id: 6 }, 5)).toBeNull();
    expect(ownVerifiedPhone({ phone_number: '79991234567', first_name: 'a' }, 5)).toBeNull();
    expect(ownVerifiedPhone({ phone_number: '12', first_name: 'a', user_id: 5 }, 5)).toBeNull();
  });

  it('claims the trial with the own contact once; the same phone on another account is refused without saying so', async () => {
    const first = await newBuyer();
    const planScreen = await first.user.send(first.user.tap(`p:${phoneTrial.id}`, messageIdOf(first.menu)));
    const ask = await first.user.press(planScreen, 't:');
    expect(textOf(ask)).toBe(en('buyerBot.phone.ask'));
    const keyboard = (ask.params['reply_markup'] as { keyboard: Array<Array<{ request_contact?: boolean }>> }).keyboard;
    expect(keyboard[0]![0]!.request_contact).toBe(true);

    const typed = await first.user.send(first.user.message('+79991234567'));
    expect(textOf(typed)).toBe(en('buyerBot.phone.useButton'));
    const someoneElse = await first.user.send(first.user.contact('79990000000', 424242));
    expect(textOf(someoneElse)).toBe(en('buyerBot.phone.notOwn'));
    expect((await s.t.shop.storage.subscriptions.listByCustomer(first.customerId, { limit: 5 })).items).toEqual([]);

    const claimed = await first.user.send(first.user.contact('79991234567'), (c) => textOf(c) !== en('buyerBot.phone.received'));
    expect(textOf(claimed)).toBe(en('telegram.catalog.ordered'));
    expect((await s.t.shop.storage.subscriptions.listByCustomer(first.customerId, { limit: 5 })).items).toHaveLength(1);

    const second = await newBuyer();
    await second.user.press(await second.user.send(second.user.tap(`p:${phoneTrial.id}`, messageIdOf(second.menu))), 't:');
    const refused = await second.user.send(second.user.contact('+7 999 123 45 67'), (c) => textOf(c) !== en('buyerBot.phone.received'));
    expect(textOf(refused)).toBe(en('checkout.refused.already_used'));
    expect((await s.t.shop.storage.subscriptions.listByCustomer(second.customerId, { limit: 5 })).items).toEqual([]);

    // A contact nobody asked for changes nothing; the web keeps refusing with the reason.
    const unasked = await second.user.send(second.user.contact('79995555555'));
    expect(textOf(unasked)).toBe(en('buyerBot.phone.notAsked'));
    const web = await signedUpBuyer(s.t.app);
    const res = await web.agent
      .post('/api/v1/checkout')
      .set('x-csrf-token', web.csrf)
      .send({ items: [{ planId: phoneTrial.id, quantity: 1, trial: true }], idempotencyKey: 'tg71-web-trial' });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe(en('checkout.refused.phone_required'));
  });
});
