/** Issue 70: Telegram's sending limit is each bot's own, so each storefront bot's sends are paced by a pacer of its own. */
import { Api } from 'grammy';
import { describe, expect, it } from 'vitest';
import { pacedPerBot } from '../src/telegram/storefront/pacing.js';
import { FakeTelegram } from './support/fake-telegram.js';

describe('storefront bots’ pacing', () => {
  it('gives each bot its own pacer, shared by every client of that bot, and paces sends only', async () => {
    const fake = await FakeTelegram.start();
    try {
      const turns = new Map<string, number>();
      const counting = (name: string) => () => ({
        next: async () => void turns.set(name, (turns.get(name) ?? 0) + 1),
      });
      const clientOf = (token: string, botId: string, name: string) => {
        const api = new Api(token, { apiRoot: fake.apiRoot });
        api.config.use(pacedPerBot(botId, counting(name)));
        return api;
      };
      const a = fake.addBot(9990001, 'pace_a_bot');
      const b = fake.addBot(9990002, 'pace_b_bot');
      const a1 = clientOf(a, '9990001', 'a');
      // A second client of bot A (a notice job beside the webhook's replies) shares A's pacer: its factory is not used.
      const a2 = clientOf(a, '9990001', 'a-second');
      const b1 = clientOf(b, '9990002', 'b');
      await a1.sendMessage(1, 'one');
      await a2.sendMessage(1, 'two');
      await a1.getMe();
      await b1.sendMessage(2, 'three');
      await b1.answerCallbackQuery('cb');
      expect(Object.fromEntries(turns)).toEqual({ a: 2, b: 1 });
      expect(fake.callsOf(a, 0, 'sendMessage')).toHaveLength(2);
      expect(fake.callsOf(b, 0, 'sendMessage')).toHaveLength(1);
    } finally {
      await fake.close();
    }
  });
});
