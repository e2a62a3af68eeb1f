/**
 * Issue 67: the required channel while Telegram errs. The membership check asks `getChatMember` once, with its own
 * short timeout, apart from the bot's client (whose auto-retry waits out 5xx for ~90 s, past the webhook's wait): a
 * buyer not yet checked who sends `/start` while Telegram answers 5xx, rate-limits the check or does not answer at
 * all is let through and answered within the webhook's wait (200, not 503), and no staff notice is written for it
 * (that notice is for a channel the bot cannot check, a refusal).
 */
import type { Update } from 'grammy/types';
import supertest from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { saveGrowthSettings } from '../src/app/growth/growth-settings.js';
import { translator } from '../src/i18n/translate.js';
import type { ShopBot } from '../src/telegram/bot.js';
import { createApp } from '../src/stack/web-app.js';
import { webhookRouter } from '../src/telegram/webhook.js';
import { startBotShop, TelegramUser, textOf, type BotShop } from './support/telegram-driver.js';

const SECRET = 'webhook-secret-for-tests-0123';
const CHANNEL = '@panelkit_outage_news';
const OWNER = { type: 'system', id: 'test-owner' } as const;
const t = translator('en');

describe('the required channel while Telegram errs (webhook)', () => {
  let s: BotShop;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    s = await startBotShop({ webhook: true });
    // A wait far longer than the update takes on a busy machine, and shorter than the bot client's retries of a
    // 5xx (3 + 6 + 12 + 24 + 48 s): an update that waits for those is answered 503, one that does not is answered 200.
    const telegram: ShopBot = {
      ...s.shopBot,
      webhookRoutes: () =>
        webhookRouter(s.shopBot.bot, '/telegram/webhook', SECRET, s.t.shop.logger, { maxUpdates: 10, timeoutMs: 60_000 }),
    };
    app = createApp(s.t.shop, { telegram });
    await saveGrowthSettings(s.t.shop, { channel: CHANNEL, channelJoinUrl: null, neverConnectedHours: 24 }, OWNER);
    // The bot administers the channel: `getChatMember` is answered (a member, an outsider) unless a test says otherwise.
    s.fake.setChannelMember(CHANNEL, 1, 'creator');
  });
  afterAll(() => s?.close());
  afterEach(() => s.fake.stopFailing('getChatMember'));

  const post = (update: Update) => supertest(app).post('/telegram/webhook').set('X-Telegram-Bot-Api-Secret-Token', SECRET).send(update);
  const staffNotices = async () =>
    (await s.t.shop.db.query(`SELECT 1 FROM ${s.t.shop.shopSchema}.notifications WHERE kind = 'channel_unchecked'`)).rows.length;

  /** Posts the buyer's `/start` to the webhook: its status, the `getChatMember` calls it made, and what the buyer was sent. */
  async function start(buyer: TelegramUser) {
    const since = s.fake.calls.length;
    const answer = await post(buyer.message('/start'));
    const sent = s.fake.callsSince(since, 'sendMessage').filter((c) => c.ok && Number(c.params['chat_id']) === buyer.id);
    return { status: answer.status, checks: s.fake.callsSince(since, 'getChatMember').length, sent: sent.map(textOf) };
  }

  it('lets a buyer through at once while getChatMember answers 500: one call, no retry, the webhook answers 200', async () => {
    const buyer = new TelegramUser(s.fake, s.t.clock, 6701);
    s.fake.failNext('getChatMember', { code: 500, description: 'Internal Server Error' }, 10);
    const { status, checks, sent } = await start(buyer);
    expect(status).toBe(200);
    expect(checks).toBe(1);
    expect(sent.at(-1)).toContain(t('telegram.menu.title', { shop: s.t.shop.config.shopName }));
    expect(await staffNotices()).toBe(0);
  }, 120_000);

  it('lets a buyer through while Telegram rate-limits the check (429): one call, and no notice to the staff', async () => {
    const buyer = new TelegramUser(s.fake, s.t.clock, 6702);
    s.fake.failNext('getChatMember', { code: 429, description: 'Too Many Requests: retry after 1', retryAfter: 1 }, 10);
    const { status, checks, sent } = await start(buyer);
    expect(status).toBe(200);
    expect(checks).toBe(1);
    expect(sent.at(-1)).toContain(t('telegram.menu.title', { shop: s.t.shop.config.shopName }));
    expect(await staffNotices()).toBe(0);
  }, 120_000);

  it('lets a buyer through when getChatMember does not answer: the reply goes out while the call still hangs', async () => {
    const buyer = new TelegramUser(s.fake, s.t.clock, 6703);
    const held = s.fake.holdNext('getChatMember');
    try {
      const { status, sent } = await start(buyer);
      expect(status).toBe(200);
      expect(sent.at(-1)).toContain(t('telegram.menu.title', { shop: s.t.shop.config.shopName }));
      // The check gave up on the call, which Telegram has not answered yet.
      expect(s.fake.calls.some((c) => c.method === 'getChatMember' && Number(c.params['user_id']) === buyer.id)).toBe(false);
    } finally {
      held.release();
    }
    expect(await staffNotices()).toBe(0);
  }, 120_000);

  it('still asks an outsider to join, and lets a member in, once Telegram answers again', async () => {
    const outsider = new TelegramUser(s.fake, s.t.clock, 6704);
    s.fake.setChannelMember(CHANNEL, outsider.id, 'left');
    const asked = await start(outsider);
    expect(asked.status).toBe(200);
    expect(asked.sent).toEqual([t('growth.channel.prompt', { channel: CHANNEL })]);
    const member = new TelegramUser(s.fake, s.t.clock, 6705);
    s.fake.setChannelMember(CHANNEL, member.id, 'member');
    const inside = await start(member);
    expect(inside.sent.at(-1)).toContain(t('telegram.menu.title', { shop: s.t.shop.config.shopName }));
  }, 120_000);
});
