/**
 * The required channel in the Mini App: the same check as the bot's (one check, shared). A buyer outside the channel is
 * not signed in and gets the join link; once they joined, the same launch data signs them in (it was not used up). A
 * channel the bot cannot check lets buyers in and tells the staff, as in the bot; a check Telegram does not answer
 * within the check's budget lets them in too.
 */
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveGrowthSettings } from '../src/app/growth/growth-settings.js';
import { translator } from '../src/i18n/translate.js';
import { launchData } from './support/mini-app-launch.js';
import { startBotShop, type BotShop } from './support/telegram-driver.js';

const CHANNEL = '@panelkit_news';
const OWNER = { type: 'system', id: 'test-owner' } as const;
const t = translator('en');

describe('the required channel in the Mini App', () => {
  let s: BotShop;
  const signIn = (initData: string) =>
    supertest(s.t.app).post('/tg/app/session').set({ origin: 'https://shop.example.com' }).send({ initData });

  beforeAll(async () => {
    s = await startBotShop({ env: { PUBLIC_URL: 'https://shop.example.com', TELEGRAM_WEBHOOK: 'off' } });
  });
  afterAll(() => s?.close());

  it('shows the join link and the check-again button to a buyer outside the channel, and signs them in once they joined', async () => {
    await saveGrowthSettings(s.t.shop, { channel: CHANNEL, channelJoinUrl: null, neverConnectedHours: 24 }, OWNER);
    s.fake.setChannelMember(CHANNEL, 1, 'creator');
    s.fake.setChannelMember(CHANNEL, 7801, 'left');
    const page = await supertest(s.t.app).get('/tg/app').expect(200);
    expect(page.text).toContain('data-check');
    expect(page.text).toContain(t('growth.channel.done'));

    const initData = launchData(s.fake.token, { id: 7801 }, s.t.clock.now());
    const outside = await signIn(initData);
    expect(outside.status).toBe(403);
    expect(outside.body).toEqual({
      error: 'channel',
      message: t('growth.channel.miniAppPrompt', { channel: CHANNEL }),
      joinUrl: 'https://t.me/panelkit_news',
    });
    expect(outside.headers['set-cookie']).toBeUndefined();

    // Joined: the same launch data signs in now (checked afresh, not from a cache).
    s.fake.setChannelMember(CHANNEL, 7801, 'member');
    const inside = await signIn(initData);
    expect(inside.status).toBe(200);
    expect(String(inside.headers['set-cookie'])).toContain('session');
  });

  it('lets buyers in when the bot cannot check the channel, and tells the staff once', async () => {
    await saveGrowthSettings(s.t.shop, { channel: '@not_our_channel', channelJoinUrl: null, neverConnectedHours: 24 }, OWNER);
    const first = await signIn(launchData(s.fake.token, { id: 7802 }, s.t.clock.now()));
    expect(first.status).toBe(200);
    const second = await signIn(launchData(s.fake.token, { id: 7803 }, s.t.clock.now()));
    expect(second.status).toBe(200);
    const notices = await s.t.shop.db.query<{ params: { channel: string } }>(
      `SELECT params FROM ${s.t.shop.shopSchema}.notifications WHERE kind = 'channel_unchecked'`,
    );
    expect(notices.rows.map((r) => r.params.channel)).toEqual(['@not_our_channel']);
  });

  it('lets a buyer in while getChatMember does not answer: signed in while the call still hangs, the staff told nothing', async () => {
    await saveGrowthSettings(s.t.shop, { channel: CHANNEL, channelJoinUrl: null, neverConnectedHours: 24 }, OWNER);
    s.fake.setChannelMember(CHANNEL, 7804, 'left');
    const held = s.fake.holdNext('getChatMember');
    try {
      const inside = await signIn(launchData(s.fake.token, { id: 7804 }, s.t.clock.now()));
      expect(inside.status).toBe(200);
      // The check gave up on the call, which Telegram has not answered yet (its answer would have kept them out).
      expect(s.fake.calls.some((c) => c.method === 'getChatMember' && Number(c.params['user_id']) === 7804)).toBe(false);
    } finally {
      held.release();
    }
    const notices = await s.t.shop.db.query(
      `SELECT 1 FROM ${s.t.shop.shopSchema}.notifications WHERE kind = 'channel_unchecked' AND params->>'channel' = $1`,
      [CHANNEL],
    );
    expect(notices.rows).toHaveLength(0);
  });
});
