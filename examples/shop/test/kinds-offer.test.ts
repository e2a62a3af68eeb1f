/**
 * Issue 92: a plan says what it sells before it is bought. The catalogue card (the web's and the Mini App's, one view)
 * and the checkout carry a badge per kind and a bundle's line naming its parts; the checkout says what the buyer
 * receives of each kind (a link for the app, a config file, a Telegram link); the bot's plan screen says the same in
 * its text. In every language the shop has.
 */
import type { Plan } from '@panelkit/sdk';
import type { EntitlementKind } from '@panelkit/sdk/kinds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../src/i18n/translate.js';
import { planNamed } from './support/buying.js';
import { signedUpBuyer, type Visitor } from './support/shop-under-test.js';
import { startBotShop, TelegramUser, textOf, type BotShop } from './support/telegram-driver.js';

const en = translator('en');
let s: BotShop;
let buyer: Visitor;
let wireGuard: Plan;
let bundle: Plan;
let xray: Plan;

beforeAll(async () => {
  s = await startBotShop();
  xray = await planNamed(s.t, 'Frankfurt · 1 month · 50');
  const sells = (name: string, kinds: EntitlementKind[]) =>
    s.t.shop.kit.plans.create(
      {
        name,
        family: name,
        price: { amount: 700, currency: 'USD' },
        durationDays: 30,
        trafficBytes: null,
        kinds,
        placement: xray.placement,
      },
      { type: 'system', id: 'test' },
    );
  wireGuard = await sells('Frankfurt · WireGuard only', ['wireguard']);
  bundle = await sells('Frankfurt · Xray + Telegram', ['xray', 'mtproto']);
  buyer = await signedUpBuyer(s.t.app);
});
afterAll(() => s.close());

/** The part of a page from the card of the plan named `name` to the next card. */
const cardOf = (page: string, name: string) =>
  page.split('data-testid="plan-card"').find((card) => card.includes(`<h3>${name}</h3>`)) ?? '';
const badges = (html: string) => [...html.matchAll(/<span class="badge" data-kind="([a-z]+)">([^<]+)</g)].map((m) => [m[1], m[2]]);
const bundleLine = (html: string) => /data-testid="plan-bundle">([^<]*)</.exec(html)?.[1];
const receives = (html: string) => [...html.matchAll(/<li data-kind="([a-z]+)">([^<]+)</g)].map((m) => [m[1], m[2]]);

describe('what a plan sells, on the web', () => {
  it('the catalogue: a badge per kind on every plan, and a bundle names its parts', async () => {
    const page = (await buyer.agent.get('/').expect(200)).text;
    expect(badges(cardOf(page, xray.name))).toEqual([['xray', 'Xray']]);
    expect(bundleLine(cardOf(page, xray.name))).toBeUndefined();
    expect(badges(cardOf(page, wireGuard.name))).toEqual([['wireguard', 'WireGuard']]);
    expect(badges(cardOf(page, bundle.name))).toEqual([
      ['xray', 'Xray'],
      ['mtproto', 'Telegram proxy'],
    ]);
    expect(bundleLine(cardOf(page, bundle.name))).toBe(en('kinds.offer.bundle', { count: 2, kinds: 'Xray, Telegram proxy' }));
  });

  it('the checkout: what the buyer receives of each kind (a config file for WireGuard, a Telegram link)', async () => {
    const wg = (await buyer.agent.get(`/checkout/${wireGuard.id}`).expect(200)).text;
    expect(receives(wg)).toEqual([['wireguard', en('kinds.offer.receive.wireguard')]]);
    expect(en('kinds.offer.receive.wireguard')).toContain('.conf');
    const both = (await buyer.agent.get(`/checkout/${bundle.id}`).expect(200)).text;
    expect(badges(both)).toEqual([
      ['xray', 'Xray'],
      ['mtproto', 'Telegram proxy'],
    ]);
    expect(receives(both)).toEqual([
      ['xray', en('kinds.offer.receive.xray')],
      ['mtproto', en('kinds.offer.receive.mtproto')],
    ]);
  });

  it.each(['fa', 'ru', 'zh'] as const)('in %s: its own names and lines, none left in English', async (locale) => {
    const t = translator(locale);
    const page = (await buyer.agent.get(`/checkout/${bundle.id}`).set('Accept-Language', locale).expect(200)).text;
    expect(badges(page).map(([, name]) => name)).toEqual([t('kinds.names.xray'), t('kinds.names.mtproto')]);
    expect(receives(page).map(([, line]) => line)).toEqual([t('kinds.offer.receive.xray'), t('kinds.offer.receive.mtproto')]);
    for (const key of ['kinds.offer.bundle', 'kinds.offer.receiveTitle', 'kinds.offer.receive.mtproto', 'kinds.names.mtproto'])
      expect(t(key), key).not.toBe(en(key));
  });
});

describe('what a plan sells, in the bot', () => {
  it('the plan screen names its kinds, a bundle’s parts and what each part is received as', async () => {
    const user = new TelegramUser(s.fake, s.t.clock, 9301);
    await user.send(user.message('/start'));
    const screen = textOf(await user.send(user.tap(`p:${bundle.id}`, 1)));
    expect(screen).toContain(`${en('kinds.offer.sells')}: Xray, Telegram proxy`);
    expect(screen).toContain(en('kinds.offer.bundle', { count: 2, kinds: 'Xray, Telegram proxy' }));
    expect(screen).toContain(`• ${en('kinds.offer.receive.xray')}\n• ${en('kinds.offer.receive.mtproto')}`);
    const single = textOf(await user.send(user.tap(`p:${wireGuard.id}`, 1)));
    expect(single).toContain(`${en('kinds.offer.sells')}: WireGuard`);
    expect(single).toContain(`• ${en('kinds.offer.receive.wireguard')}`);
    expect(single).not.toContain(en('kinds.offer.bundle', { count: 2, kinds: 'Xray, Telegram proxy' }).slice(0, 10));
  });
});
