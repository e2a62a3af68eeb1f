/**
 * Issue 70: a reseller's broadcast reaches its own buyers and nobody else, through the shop's broadcast jobs (one
 * fan-out, copies sent once), and the same form or request again queues nothing more.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerIdOf, planNamed } from './support/buying.js';
import { signedUpBuyer } from './support/shop-under-test.js';
import { startBotShop, TelegramUser, type BotShop } from './support/telegram-driver.js';

let s: BotShop;
beforeAll(async () => {
  s = await startBotShop();
});
afterAll(() => s.close());

describe("a reseller's broadcast", () => {
  it('goes to the buyers of its storefront only, once', async () => {
    const shop = s.t.shop;
    const users = [7101, 7102, 7103].map((id) => new TelegramUser(s.fake, s.t.clock, id));
    for (const user of users) await user.send(user.message('/start'));
    const customers = await Promise.all(users.map(async (u) => (await shop.storage.customers.getByTelegramId(String(u.id)))!.id));

    const plan = await planNamed(s.t, 'Frankfurt · 1 month · 50');
    const reseller = await signedUpBuyer(s.t.app);
    const resellerId = await customerIdOf(s.t, reseller.email);
    const currency = s.t.config.currency;
    await shop.kit.resellers.setTerms(
      {
        customerId: resellerId,
        creditLimit: { amount: 0, currency },
        prices: [{ planId: plan.id, price: { amount: 100, currency }, extensionPrice: null, trafficPricePerGiB: null }],
        removePlanIds: [],
      },
      { type: 'admin', id: null },
    );
    const storefront = await shop.kit.storefronts.create({ resellerId, name: 'Broadcast Shop' });
    const post = (body: object) => reseller.agent.post('/api/v1/storefront/broadcasts').set('x-csrf-token', reseller.csrf).send(body);

    // No buyer of its own linked Telegram yet: refused, nothing queued.
    const none = await post({ text: 'Hello buyers', idempotencyKey: 'bc-none-1' });
    expect(none.status).toBe(409);

    for (const customerId of customers.slice(0, 2)) await shop.kit.storefronts.moveBuyer({ customerId, storefrontId: storefront.id });
    const queued = await post({ text: 'Hello from Broadcast Shop', idempotencyKey: 'bc-first-1' });
    expect(queued.status, JSON.stringify(queued.body)).toBe(202);
    expect(queued.body).toMatchObject({ recipients: 2, created: true });
    expect(await s.shopBot.sendBroadcasts()).toBe(2);
    const delivered = s.fake.calls
      .filter((c) => c.method === 'sendMessage' && c.ok && c.params['text'] === 'Hello from Broadcast Shop')
      .map((c) => String(c.params['chat_id']))
      .sort();
    expect(delivered).toEqual(
      users
        .slice(0, 2)
        .map((u) => String(u.id))
        .sort(),
    );

    const again = await post({ text: 'Hello from Broadcast Shop', idempotencyKey: 'bc-first-1' });
    expect(again.status).toBe(200);
    expect(again.body.created).toBe(false);
    expect(await s.shopBot.sendBroadcasts()).toBe(0);
    expect((await post({ text: ' ', idempotencyKey: 'bc-blank-1' })).status).toBe(400);
  });
});
