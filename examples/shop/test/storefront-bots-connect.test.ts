/**
 * Issue 70: connecting a storefront's bot (checked with `getMe`, sealed at rest, a webhook of its own with a secret
 * of its own) and setting its brand; bad input refused with a 4xx-kind refusal that changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShopError } from '../src/app/shop-error.js';
import { connectStorefrontBot, storefrontBots } from '../src/app/storefront-bots/connect-bot.js';
import { setStorefrontBrand, storefrontBrands } from '../src/app/storefront-bots/brand.js';
import { resealShopSecrets } from '../src/db/shop-secrets.js';
import { startBotShop, type BotShop } from './support/telegram-driver.js';

describe('connecting a storefront’s bot', () => {
  let s: BotShop;
  beforeAll(async () => {
    s = await startBotShop({ webhook: true });
  });
  afterAll(() => s.close());

  const rows = async () =>
    (await s.t.shop.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${s.t.shop.shopSchema}.storefront_bots`)).rows[0]?.n;
  const refusal = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ShopError);
    return error as ShopError;
  };

  it('refuses a malformed token or one Telegram refuses, saving nothing and calling nothing for a malformed one', async () => {
    const since = s.fake.calls.length;
    for (const token of ['', 'abc', '123:short', `${'9'.repeat(21)}:${'a'.repeat(30)}`, '123:has spaces in it and more text']) {
      const error = await refusal(connectStorefrontBot(s.t.shop, 'sf-a', token));
      expect(error.code).toBe('invalid_input');
      expect(error.messageKey).toBe('storefrontBot.errors.badToken');
    }
    expect(s.fake.calls.length).toBe(since);
    // Well formed, but no bot Telegram knows: getMe answers 404.
    const unknown = await refusal(connectStorefrontBot(s.t.shop, 'sf-a', '5550001:TEST-no-such-bot-token-at-all'));
    expect(unknown.code).toBe('invalid_input');
    expect(unknown.messageKey).toBe('storefrontBot.errors.tokenRefused');
    expect(await rows()).toBe(0);
  });

  it('says Telegram is away when the Bot API cannot be reached, saving nothing', async () => {
    const token = s.fake.addBot(5550002, 'away_shop_bot');
    s.fake.down = true;
    try {
      const error = await refusal(connectStorefrontBot(s.t.shop, 'sf-a', token));
      expect(error.code).toBe('unavailable');
    } finally {
      s.fake.down = false;
    }
    expect(await rows()).toBe(0);
  });

  it('saves the bot sealed and gives Telegram its own webhook and secret; another storefront cannot take it', async () => {
    const token = s.fake.addBot(5550003, 'alpha_shop_bot');
    const since = s.fake.calls.length;
    const connected = await connectStorefrontBot(s.t.shop, 'sf-a', token);
    expect(connected).toEqual({ storefrontId: 'sf-a', botId: '5550003', username: 'alpha_shop_bot', webhookSet: true });
    const [setWebhook] = s.fake.callsOf(token, since, 'setWebhook');
    expect(setWebhook?.params['url']).toBe('https://shop.example.com/telegram/5550003/webhook');
    const saved = await storefrontBots(s.t.shop).byStorefront('sf-a');
    expect(setWebhook?.params['secret_token']).toBe(saved?.webhookSecret);
    // The owner's webhook secret is not this bot's.
    expect(saved?.webhookSecret).not.toBe(s.shopBot.webhookSecret);
    expect(saved?.token).toBe(token);

    // At rest, neither the token nor the secret is readable, and both open with the shop's keys (the rotation check).
    const { rows: raw } = await s.t.shop.db.query<{ token_sealed: string; webhook_secret_sealed: string }>(
      `SELECT token_sealed, webhook_secret_sealed FROM ${s.t.shop.shopSchema}.storefront_bots`,
    );
    expect(JSON.stringify(raw)).not.toContain(token.split(':')[1]);
    expect(JSON.stringify(raw)).not.toContain(saved?.webhookSecret);
    const resealed = await resealShopSecrets(s.t.shop.db, s.t.shop.shopSchema, s.t.shop.secretBox, false);
    expect(resealed.checked).toBeGreaterThanOrEqual(2);

    const taken = await refusal(connectStorefrontBot(s.t.shop, 'sf-b', token));
    expect(taken.code).toBe('conflict');
    expect(await storefrontBots(s.t.shop).byStorefront('sf-b')).toBeNull();
    expect(await rows()).toBe(1);
  });

  it('sets a brand in the shop’s languages and refuses a bad one, changing nothing', async () => {
    const brand = await setStorefrontBrand(s.t.shop, 'sf-a', {
      shopName: '  Alpha VPN ',
      support: '@alpha_support',
      welcome: { en: 'Welcome to Alpha!', fa: 'به آلفا خوش آمدید' },
      planNames: { 'plan-1': { en: 'Alpha Basic' } },
    });
    expect(brand).toMatchObject({ shopName: 'Alpha VPN', support: '@alpha_support', welcome: { en: 'Welcome to Alpha!' } });
    for (const bad of [
      { shopName: '' },
      { shopName: 'x'.repeat(65) },
      { shopName: 'A', welcome: { de: 'Hallo' } },
      { shopName: 'A', welcome: { en: '' } },
      { shopName: 'A', welcome: { en: 'x'.repeat(1001) } },
      { shopName: 'A', unknown: 1 },
      { shopName: 'A\0B' },
      null,
      'Alpha',
    ]) {
      const error = await refusal(setStorefrontBrand(s.t.shop, 'sf-a', bad));
      expect(error.code, JSON.stringify(bad)).toBe('invalid_input');
    }
    expect((await storefrontBrands(s.t.shop).get('sf-a'))?.shopName).toBe('Alpha VPN');
  });
});
