/**
 * Issue 70: a reseller's broadcast reaches its buyers who started the storefront's own bot, through THAT bot (two
 * storefront bots on the fake Bot API): not the other storefront's buyers, not through the other bot or the owner's,
 * and the same key again sends nothing more.
 */
import type { Update } from 'grammy/types';
import type { Express } from 'express';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectStorefrontBot, storefrontBots } from '../src/app/storefront-bots/connect-bot.js';
import { kitStorefrontSales } from '../src/app/storefront-bots/kit-sales.js';
import { broadcastToBuyers } from '../src/app/storefronts/broadcast-to-buyers.js';
import { createApp } from '../src/stack/web-app.js';
import { handleUpdate } from '../src/telegram/bot.js';
import { createStorefrontBots } from '../src/telegram/storefront/runtime.js';
import { startBotShop, TelegramUser, type BotShop } from './support/telegram-driver.js';

interface Front {
  storefrontId: string;
  resellerId: string;
  botId: string;
  token: string;
  secret: string;
}

let s: BotShop;
let app: Express;
const fronts: Front[] = [];

async function openFront(botId: number, username: string): Promise<Front> {
  const { shop } = s.t;
  const currency = s.t.config.currency;
  const plan = (await shop.storage.plans.list({ onSale: true })).find((p) => p.price.currency === currency)!;
  const reseller = await shop.kit.customers.create({ externalRef: `reseller:${username}`, name: username, locale: 'en' });
  await shop.kit.resellers.setPrice({ customerId: reseller.id, planId: plan.id, price: { amount: 100, currency } });
  const storefront = await shop.kit.storefronts.create({ resellerId: reseller.id, name: username });
  const token = s.fake.addBot(botId, username);
  await connectStorefrontBot(shop, storefront.id, token);
  const secret = (await storefrontBots(shop).byStorefront(storefront.id))!.webhookSecret;
  return { storefrontId: storefront.id, resellerId: reseller.id, botId: String(botId), token, secret };
}

beforeAll(async () => {
  s = await startBotShop({ webhook: true });
  fronts.push(await openFront(7780001, 'gamma_bc_bot'), await openFront(7780002, 'delta_bc_bot'));
  app = createApp(s.t.shop, {
    telegram: s.shopBot,
    storefrontBots: createStorefrontBots(s.t.shop, { sales: kitStorefrontSales(s.t.shop) }),
  });
});
afterAll(() => s?.close());

const start = async (front: Front, update: Update) => {
  const res = await supertest(app)
    .post(`/telegram/${front.botId}/webhook`)
    .set('X-Telegram-Bot-Api-Secret-Token', front.secret)
    .send(update);
  expect(res.status).toBe(200);
};
/** Who got `text`, per token that sent it: chat ids, sorted. */
const sentTo = (text: string, since: number) => {
  const byToken: Record<string, string[]> = {};
  for (const c of s.fake.calls.slice(since)) {
    if (c.method !== 'sendMessage' || !c.ok || c.params['text'] !== text) continue;
    const token = c.token ?? 'owner';
    (byToken[token] ??= []).push(String(c.params['chat_id']));
  }
  for (const list of Object.values(byToken)) list.sort();
  return byToken;
};

describe("a reseller's broadcast to its own bot's buyers", () => {
  it('goes through its storefront’s bot to the buyers who started it, once; the other storefront’s buyers hear nothing', async () => {
    const [gamma, delta] = fronts as [Front, Front];
    const users = [9901, 9902, 9903, 9904].map((id) => new TelegramUser(s.fake, s.t.clock, id));
    await start(gamma, users[0]!.message('/start'));
    await start(gamma, users[2]!.message('/start'));
    await start(delta, users[1]!.message('/start'));
    // Also Gamma's buyer, in the other storefront's bot: a separate buyer of Delta.
    await start(delta, users[2]!.message('/start'));
    // Only the owner's bot: no storefront's buyer.
    await handleUpdate(s.shopBot, users[3]!.message('/start'));

    const since = s.fake.calls.length;
    const text = 'Gamma news: new servers';
    const queued = await broadcastToBuyers(s.t.shop, gamma.resellerId, { text, idempotencyKey: 'gamma-news-1' });
    expect(queued).toMatchObject({ recipients: 2, created: true });
    expect(await s.shopBot.sendBroadcasts()).toBe(2);
    expect(sentTo(text, since)).toEqual({ [gamma.token]: ['9901', '9903'] });

    const again = await broadcastToBuyers(s.t.shop, gamma.resellerId, { text, idempotencyKey: 'gamma-news-1' });
    expect(again.created).toBe(false);
    expect(await s.shopBot.sendBroadcasts()).toBe(0);

    const deltaText = 'Delta news';
    const deltaSince = s.fake.calls.length;
    await broadcastToBuyers(s.t.shop, delta.resellerId, { text: deltaText, idempotencyKey: 'delta-news-1' });
    expect(await s.shopBot.sendBroadcasts()).toBe(2);
    expect(sentTo(deltaText, deltaSince)).toEqual({ [delta.token]: ['9902', '9903'] });
  });
});
