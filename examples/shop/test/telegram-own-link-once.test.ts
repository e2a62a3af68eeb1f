import type { StoragePort } from '@panelkit/sdk/storage';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownLinkOf } from '../src/app/subscriptions/own-link.js';
import { translator } from '../src/i18n/translate.js';
import { handleUpdate } from '../src/telegram/bot.js';
import { buy, fund, orderIdFrom, planNamed } from './support/buying.js';
import type { BotCall } from './support/fake-telegram.js';
import { startBotReplicaShop, type BotReplicaShop } from './support/bot-replica-shop.js';
import { signedUpBuyer } from './support/shop-under-test.js';
import { dataOf, messageIdOf, startBotShop, TelegramUser, textOf, type BotShop } from './support/telegram-driver.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];
const en = translator('en');
const ROTATED = en('ownSubscriptions.notices.link_rotated');

/** The link a "new link" message shows. */
const linkIn = (call: BotCall): string => textOf(call).split('\n')[1] ?? '';
const tokenOf = (link: string): string => link.split('/s/')[1] ?? '';

/** How often the subscription's own link was replaced, by the engine's audit. */
async function rotationsOf(storage: StoragePort, subscriptionId: string): Promise<number> {
  const audit = await storage.audit.list({ subjectType: 'subscription', subjectId: subscriptionId }, { limit: 50 });
  return audit.items.filter((e) => e.action === 'subscription_link.rotated').length;
}

describe('a double tap on the own link confirmation, in one process', () => {
  let s: BotShop;
  beforeAll(async () => {
    s = await startBotShop();
  });
  afterAll(() => s.close());

  it('replaces the link once; both answers show the one new link, which serves the subscription', async () => {
    const { shop } = s.t;
    const user = new TelegramUser(s.fake, s.t.clock, 9301);
    const menu = await user.send(user.message('/start'));
    const customerId = (await shop.storage.customers.getByExternalRef(`telegram:${user.id}`))!.id;
    const plan = await planNamed(s.t, 'Frankfurt · 1 month · 50');
    await shop.kit.topUp({ customerId, amount: plan.price, idempotencyKey: `own-once-${user.id}` });
    const { subscriptions } = await shop.kit.checkout({ customerId, items: [{ planId: plan.id }], idempotencyKey: `own-once-${user.id}` });
    await s.t.drain();
    const sub = subscriptions[0]!;
    const before = await ownLinkOf(shop, customerId, sub.id);
    const ask = await user.press(await user.send(user.tap(`ko:${sub.id}`, messageIdOf(menu))), 'kor:');

    const confirm = dataOf(ask, 'koy:');
    const since = s.fake.calls.length;
    s.fake.push(user.tap(confirm, messageIdOf(ask)));
    s.fake.push(user.tap(confirm, messageIdOf(ask)));
    const answered = (c: BotCall) => c.ok && c.method === 'sendMessage' && textOf(c).startsWith(ROTATED);
    const first = await s.fake.waitFor(since, answered, 'first answer');
    const second = await s.fake.waitFor(s.fake.calls.indexOf(first) + 1, answered, 'second answer');

    const after = await ownLinkOf(shop, customerId, sub.id);
    expect(after).not.toBe(before);
    expect([linkIn(first), linkIn(second)]).toEqual([after, after]);
    expect(await rotationsOf(shop.storage, sub.id)).toBe(1);
    const app = supertest(s.t.app);
    await app
      .get(`/s/${tokenOf(before)}`)
      .set('user-agent', 'v2rayNG/1.10.2')
      .expect(404);
    const served = await app
      .get(`/s/${tokenOf(after)}`)
      .set('user-agent', 'v2rayNG/1.10.2')
      .expect(200);
    expect(Buffer.from(served.text, 'base64').toString('utf8')).toMatch(/^vless:\/\//m);

    // The same confirmation later changes nothing either; a new ask carries the new version and replaces it again.
    const late = await user.send(user.tap(confirm, messageIdOf(ask)));
    expect(linkIn(late)).toBe(after);
    expect(await rotationsOf(shop.storage, sub.id)).toBe(1);
    const again = await user.press(await user.press(ask, 'ko:'), 'kor:');
    expect(dataOf(again, 'koy:')).not.toBe(confirm);
    const replaced = await user.press(again, 'koy:');
    expect(linkIn(replaced)).not.toBe(after);
    expect(linkIn(replaced)).toBe(await ownLinkOf(shop, customerId, sub.id));
    expect(await rotationsOf(shop.storage, sub.id)).toBe(2);
    // A confirmation with no version, or a forged one, replaces nothing.
    for (const data of [`koy:${sub.id}`, `koy:${sub.id}:zzzzzzzzzzzz`]) s.fake.push(user.tap(data, messageIdOf(ask)));
    await user.send(user.message('/menu'));
    expect(await rotationsOf(shop.storage, sub.id)).toBe(2);
  });
});

describe('a rotation sent twice on the web and over the JSON API', () => {
  let s: BotShop;
  beforeAll(async () => {
    s = await startBotShop();
  });
  afterAll(() => s.close());

  /** A signed-in web buyer with one subscription of a plain plan, provisioned. */
  async function webBuyerWithSubscription() {
    const buyer = await signedUpBuyer(s.t.app);
    await fund(s.t, buyer.email, 5000);
    const bought = await buy(buyer, (await planNamed(s.t, 'Frankfurt · 1 month · 50')).id);
    expect(bought.status).toBe(303);
    await s.t.drain();
    const [sub] = await s.t.shop.storage.subscriptions.listByOrder(orderIdFrom(bought.headers['location']));
    return { buyer, sub: sub! };
  }

  it('the page’s form replaces the link once, however often it is submitted; a forged version is 400', async () => {
    const { buyer, sub } = await webBuyerWithSubscription();
    const page = await buyer.agent.get(`/subscriptions/${sub.id}/link`).expect(200);
    const from = /name="from" value="([0-9a-f]{12})"/.exec(page.text)?.[1];
    expect(from).toBeDefined();
    const post = (fields: Record<string, string>) =>
      buyer.agent
        .post(`/subscriptions/${sub.id}/link/rotate`)
        .type('form')
        .send({ _csrf: buyer.csrf, ...fields });
    await post({ from: 'not-a-version' }).expect(400);
    expect(await rotationsOf(s.t.shop.storage, sub.id)).toBe(0);
    await Promise.all([post({ from: from! }).expect(303), post({ from: from! }).expect(303)]);
    expect(await rotationsOf(s.t.shop.storage, sub.id)).toBe(1);
    const after = await ownLinkOf(s.t.shop, sub.customerId, sub.id);
    expect((await buyer.agent.get(`/subscriptions/${sub.id}/link`).expect(200)).text).toContain(after);
  });

  it('the API replaces the link once from the version it read, and answers both with the one new link', async () => {
    const { buyer, sub } = await webBuyerWithSubscription();
    const read = await buyer.agent.get(`/api/v1/subscriptions/${sub.id}/link`).expect(200);
    expect(read.body.version).toMatch(/^[0-9a-f]{12}$/);
    const rotate = (body: object) =>
      buyer.agent.post(`/api/v1/subscriptions/${sub.id}/link/rotate`).set('x-csrf-token', buyer.csrf).send(body);
    const bad = await rotate({ from: 'ABC' }).expect(400);
    expect(bad.body.error.fields.from).toBeDefined();
    const answers = await Promise.all([rotate({ from: read.body.version }).expect(200), rotate({ from: read.body.version }).expect(200)]);
    const after = await ownLinkOf(s.t.shop, sub.customerId, sub.id);
    expect(after).not.toBe(read.body.link);
    expect(answers.map((a) => a.body.link)).toEqual([after, after]);
    expect(answers[0]!.body.version).not.toBe(read.body.version);
    expect(await rotationsOf(s.t.shop.storage, sub.id)).toBe(1);
    // Without a version the current link is replaced, as before.
    expect((await rotate({}).expect(200)).body.link).not.toBe(after);
    expect(await rotationsOf(s.t.shop.storage, sub.id)).toBe(2);
  });
});

/** Two replica processes of the shop, each with its bot, over one PostgreSQL: each gets one of the two taps at once. */
describe.skipIf(DATABASE_URL === undefined)(
  `a double tap on the own link confirmation, on two replica processes${DATABASE_URL === undefined ? ' (skipped: PANELKIT_TEST_DATABASE_URL is not set)' : ''}`,
  () => {
    let shop: BotReplicaShop;

    beforeAll(async () => {
      shop = await startBotReplicaShop(DATABASE_URL as string);
    }, 120_000);

    afterAll(async () => {
      await shop?.close();
    });

    it('replaces the link once, whichever process each tap reaches; both answers show the one new link', async () => {
      const plan = (await shop.web.storage.plans.list()).find((p) => p.name.startsWith('Frankfurt · 1 month · 50'))!;
      for (let round = 0; round < 4; round++) {
        const user = new TelegramUser(shop.fake, shop.clock, 9400 + round);
        await handleUpdate(shop.bot, user.message('/start'));
        const customerId = (await shop.web.storage.customers.getByExternalRef(`telegram:${user.id}`))!.id;
        await shop.web.kit.topUp({ customerId, amount: plan.price, idempotencyKey: `own-rep-${round}` });
        const { subscriptions } = await shop.web.kit.checkout({
          customerId,
          items: [{ planId: plan.id }],
          idempotencyKey: `own-rep-${round}`,
        });
        const sub = subscriptions[0]!;
        const before = await ownLinkOf(shop.web, customerId, sub.id);
        let since = shop.fake.calls.length;
        await handleUpdate(shop.bot, user.tap(`kor:${sub.id}`, 1));
        const ask = shop.fake.callsSince(since, 'sendMessage').at(-1)!;
        const confirm = dataOf(ask, 'koy:');

        since = shop.fake.calls.length;
        await Promise.all(shop.replicas.map((r) => r.handle(user.tap(confirm, messageIdOf(ask)))));
        const answers = shop.fake.callsSince(since, 'sendMessage').filter((c) => textOf(c).startsWith(ROTATED));
        const after = await ownLinkOf(shop.web, customerId, sub.id);
        expect(after).not.toBe(before);
        expect(answers.map(linkIn)).toEqual([after, after]);
        expect(await rotationsOf(shop.web.storage, sub.id)).toBe(1);
        expect(await shop.web.kit.links.scope(tokenOf(before))).toBeNull();
        expect(await shop.web.kit.links.scope(tokenOf(after))).not.toBeNull();
      }
    });
  },
);
