import type { StoragePort } from '@panelkit/sdk/storage';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buyerLinkOf } from '../src/app/subscriptions/buyer-link.js';
import { translator } from '../src/i18n/translate.js';
import { handleUpdate } from '../src/telegram/bot.js';
import { buy, customerIdOf, fund, planNamed } from './support/buying.js';
import type { BotCall } from './support/fake-telegram.js';
import { startBotReplicaShop, type BotReplicaShop } from './support/bot-replica-shop.js';
import { signedUpBuyer } from './support/shop-under-test.js';
import { dataOf, messageIdOf, startBotShop, TelegramUser, textOf, type BotShop } from './support/telegram-driver.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];
const en = translator('en');
const ROTATED = en('sublink.notices.rotated');

/** The link a "new link" message shows (after the notice and a blank line). */
const linkIn = (call: BotCall): string => textOf(call).split('\n')[2] ?? '';
const tokenOf = (link: string): string => link.split('/s/')[1] ?? '';

/** How often the customer's link was replaced, by the engine's audit. */
async function rotationsOf(storage: StoragePort, customerId: string): Promise<number> {
  const audit = await storage.audit.list({ subjectType: 'customer', subjectId: customerId }, { limit: 50 });
  return audit.items.filter((e) => e.action === 'subscription_link.rotated').length;
}

describe('a double tap on the account link confirmation, in one process', () => {
  let s: BotShop;
  beforeAll(async () => {
    s = await startBotShop();
  });
  afterAll(() => s.close());

  it('asks first, replaces the link once; both answers show the one new link, which serves the buyer', async () => {
    const { shop } = s.t;
    const user = new TelegramUser(s.fake, s.t.clock, 9501);
    const menu = await user.send(user.message('/start'));
    const customerId = (await shop.storage.customers.getByExternalRef(`telegram:${user.id}`))!.id;
    const plan = await planNamed(s.t, 'Frankfurt · 1 month · 50');
    await shop.kit.topUp({ customerId, amount: plan.price, idempotencyKey: `acc-once-${user.id}` });
    await shop.kit.checkout({ customerId, items: [{ planId: plan.id }], idempotencyKey: `acc-once-${user.id}` });
    await s.t.drain();
    const before = await buyerLinkOf(shop, customerId);
    const list = await user.press(menu, 'subs');
    const ask = await user.press(list, 'lr');
    // The button only asks: nothing replaced yet.
    expect(textOf(ask)).toBe(en('sublink.rotateHelp'));
    expect(await rotationsOf(shop.storage, customerId)).toBe(0);
    expect(await buyerLinkOf(shop, customerId)).toBe(before);

    const confirm = dataOf(ask, 'lry:');
    const since = s.fake.calls.length;
    s.fake.push(user.tap(confirm, messageIdOf(ask)));
    s.fake.push(user.tap(confirm, messageIdOf(ask)));
    const answered = (c: BotCall) => c.ok && c.method === 'sendMessage' && textOf(c).startsWith(ROTATED);
    const first = await s.fake.waitFor(since, answered, 'first answer');
    const second = await s.fake.waitFor(s.fake.calls.indexOf(first) + 1, answered, 'second answer');

    const after = await buyerLinkOf(shop, customerId);
    expect(after).not.toBe(before);
    expect([linkIn(first), linkIn(second)]).toEqual([after, after]);
    expect(await rotationsOf(shop.storage, customerId)).toBe(1);
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
    expect(await rotationsOf(shop.storage, customerId)).toBe(1);
    const again = await user.press(list, 'lr');
    expect(dataOf(again, 'lry:')).not.toBe(confirm);
    const replaced = await user.press(again, 'lry:');
    expect(linkIn(replaced)).not.toBe(after);
    expect(linkIn(replaced)).toBe(await buyerLinkOf(shop, customerId));
    expect(await rotationsOf(shop.storage, customerId)).toBe(2);
    // A confirmation with no version, or a forged one, replaces nothing.
    for (const data of ['lry', 'lry:zzzzzzzzzzzz']) s.fake.push(user.tap(data, messageIdOf(ask)));
    await user.send(user.message('/menu'));
    expect(await rotationsOf(shop.storage, customerId)).toBe(2);
  });
});

describe('an account link rotation sent twice on the web and over the JSON API', () => {
  let s: BotShop;
  beforeAll(async () => {
    s = await startBotShop();
  });
  afterAll(() => s.close());

  /** A signed-in web buyer with one subscription (so the dashboard shows the link), and their customer id. */
  async function webBuyer() {
    const buyer = await signedUpBuyer(s.t.app);
    await fund(s.t, buyer.email, 5000);
    expect((await buy(buyer, (await planNamed(s.t, 'Frankfurt · 1 month · 50')).id)).status).toBe(303);
    await s.t.drain();
    return { buyer, customerId: await customerIdOf(s.t, buyer.email) };
  }

  it('the dashboard’s form replaces the link once, however often it is submitted; a forged version is 400', async () => {
    const { buyer, customerId } = await webBuyer();
    const page = await buyer.agent.get('/dashboard').expect(200);
    const from = /data-testid="rotate-link">[\s\S]*?name="from" value="([0-9a-f]{12})"/.exec(page.text)?.[1];
    expect(from).toBeDefined();
    const post = (fields: Record<string, string>) =>
      buyer.agent
        .post('/account/subscription-link/rotate')
        .type('form')
        .send({ _csrf: buyer.csrf, ...fields });
    await post({ from: 'not-a-version' }).expect(400);
    expect(await rotationsOf(s.t.shop.storage, customerId)).toBe(0);
    await Promise.all([post({ from: from! }).expect(303), post({ from: from! }).expect(303)]);
    expect(await rotationsOf(s.t.shop.storage, customerId)).toBe(1);
    const after = await buyerLinkOf(s.t.shop, customerId);
    expect((await buyer.agent.get('/dashboard').expect(200)).text).toContain(after);
  });

  it('the API replaces the link once from the version it read, and answers both with the one new link', async () => {
    const { buyer, customerId } = await webBuyer();
    const read = await buyer.agent.get('/api/v1/subscription-link').expect(200);
    expect(read.body.url).toBe(await buyerLinkOf(s.t.shop, customerId));
    expect(read.body.version).toMatch(/^[0-9a-f]{12}$/);
    const rotate = (body: object) => buyer.agent.post('/api/v1/subscription-link/rotate').set('x-csrf-token', buyer.csrf).send(body);
    const bad = await rotate({ from: 'ABC' }).expect(400);
    expect(bad.body.error.fields.from).toBeDefined();
    expect(await rotationsOf(s.t.shop.storage, customerId)).toBe(0);
    const answers = await Promise.all([rotate({ from: read.body.version }).expect(200), rotate({ from: read.body.version }).expect(200)]);
    const after = await buyerLinkOf(s.t.shop, customerId);
    expect(after).not.toBe(read.body.url);
    expect(answers.map((a) => a.body.url)).toEqual([after, after]);
    expect(answers[0]!.body.version).not.toBe(read.body.version);
    expect(await rotationsOf(s.t.shop.storage, customerId)).toBe(1);
    // Without a version the current link is replaced, as before.
    expect((await rotate({}).expect(200)).body.url).not.toBe(after);
    expect(await rotationsOf(s.t.shop.storage, customerId)).toBe(2);
  });
});

/** Two replica processes of the shop, each with its bot, over one PostgreSQL: each gets one of the two taps at once. */
describe.skipIf(DATABASE_URL === undefined)(
  `a double tap on the account link confirmation, on two replica processes${DATABASE_URL === undefined ? ' (skipped: PANELKIT_TEST_DATABASE_URL is not set)' : ''}`,
  () => {
    let shop: BotReplicaShop;

    beforeAll(async () => {
      shop = await startBotReplicaShop(DATABASE_URL as string);
    }, 120_000);

    afterAll(async () => {
      await shop?.close();
    });

    it('replaces the link once, whichever process each tap reaches; both answers show the one new link', async () => {
      for (let round = 0; round < 4; round++) {
        const user = new TelegramUser(shop.fake, shop.clock, 9600 + round);
        await handleUpdate(shop.bot, user.message('/start'));
        const customerId = (await shop.web.storage.customers.getByExternalRef(`telegram:${user.id}`))!.id;
        const before = await buyerLinkOf(shop.web, customerId);
        let since = shop.fake.calls.length;
        await handleUpdate(shop.bot, user.tap('lr', 1));
        const ask = shop.fake.callsSince(since, 'sendMessage').at(-1)!;
        const confirm = dataOf(ask, 'lry:');

        since = shop.fake.calls.length;
        await Promise.all(shop.replicas.map((r) => r.handle(user.tap(confirm, messageIdOf(ask)))));
        const answers = shop.fake.callsSince(since, 'sendMessage').filter((c) => textOf(c).startsWith(ROTATED));
        const after = await buyerLinkOf(shop.web, customerId);
        expect(after).not.toBe(before);
        expect(answers.map(linkIn)).toEqual([after, after]);
        expect(await rotationsOf(shop.web.storage, customerId)).toBe(1);
        expect(await shop.web.kit.links.resolve(tokenOf(before))).toBeNull();
        expect(await shop.web.kit.links.resolve(tokenOf(after))).toBe(customerId);
      }
    });
  },
);
