/** A forgotten-password link reaches a buyer whose account is linked to the Telegram bot, through the bot. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from '../src/app/auth/accounts.js';
import { verifyPassword } from '../src/app/auth/password.js';
import { requestPasswordReset, resetPassword } from '../src/app/auth/password-reset.js';
import { shopChannels } from '../src/stack/notification-channels.js';
import { startBotShop, type BotShop } from './support/telegram-driver.js';

describe('password reset through the Telegram bot', () => {
  let s: BotShop;
  beforeAll(async () => {
    // Webhook mode: the shop has a public address (links need one) and the bot is not polling.
    s = await startBotShop({ webhook: true });
  });
  afterAll(() => s?.close());

  const textsTo = (chatId: number) =>
    s.fake.calls
      .filter((c) => c.ok && c.method === 'sendMessage' && Number(c.params['chat_id']) === chatId)
      .map((c) => String(c.params['text']));

  it('sends the one-time link to the linked chat, and the link sets the password once', async () => {
    const created = await signUp(s.t.shop, { email: 'linked@example.com', password: 'correct horse battery', locale: 'fa' });
    if (!created.ok) throw new Error('sign-up failed');
    await s.shopBot.links.linkIfNew({ telegramUserId: '7501', chatId: '7501', customerId: created.account.customerId });
    const channels = shopChannels(s.t.shop).list;

    expect(await (await requestPasswordReset(s.t.shop, channels, 'LINKED@example.com')).sending).toBe(1);
    const texts = textsTo(7501);
    expect(texts).toHaveLength(1);
    // In the buyer's language.
    expect(texts[0]).toContain('رمز عبور');
    const token = /https:\/\/shop\.example\.com\/reset-password\/([A-Za-z0-9_-]{43})/.exec(texts[0] as string)?.[1] ?? '';
    expect(token).not.toBe('');

    expect(await resetPassword(s.t.shop, token, 'a brand new password')).toBe(true);
    expect(await resetPassword(s.t.shop, token, 'another new password')).toBe(false);
    const account = await s.t.shop.accounts.getByEmail('linked@example.com');
    expect(await verifyPassword('a brand new password', account?.passwordHash ?? '')).toBe(true);
  });

  it('sends nothing for an account that is not linked and has no email channel', async () => {
    const created = await signUp(s.t.shop, { email: 'unlinked@example.com', password: 'correct horse battery', locale: 'en' });
    if (!created.ok) throw new Error('sign-up failed');
    const before = s.fake.calls.length;
    expect(await (await requestPasswordReset(s.t.shop, shopChannels(s.t.shop).list, 'unlinked@example.com')).sending).toBe(0);
    expect(s.fake.calls.length).toBe(before);
  });
});
