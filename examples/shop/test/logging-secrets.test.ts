import { Writable } from 'node:stream';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/stack/web-app.js';
import { createLogger, LogSecrets } from '../src/logging/logger.js';
import { TEST_SECRET_KEYS } from './support/shop-under-test.js';
import { startBotShop, TelegramUser, type BotShop } from './support/telegram-driver.js';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
const WEBHOOK_SECRET = 'webhook-secret-for-tests-0123';

describe('logs at every level carry no secret the shop knows', () => {
  let s: BotShop;
  const lines: string[] = [];
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    s = await startBotShop({ webhook: true, logger: createLogger('trace', sink), env: { SHOP_SECRET_KEYS: TEST_SECRET_KEYS } });
  });
  afterAll(() => s.close());

  it('blanks the bot token, webhook secret, SHOP_SECRET, sealing key, panel password and session cookie', async () => {
    const shop = s.t.shop;
    const app = createApp(shop, { telegram: s.shopBot });
    const panelPassword = shop.demo?.panels[0]?.login.password as string;
    const secrets = {
      botToken: s.fake.token,
      webhookSecret: WEBHOOK_SECRET,
      shopSecret: 'test-secret-test-secret-test-secret',
      sealingKey: TEST_SECRET_KEYS.slice(3),
      panelPassword,
    };
    expect(panelPassword.length).toBeGreaterThanOrEqual(8);
    await s.t.drain(); // the panels' adapters are built (and their passwords registered) on first use

    // A webhook request (its secret header logged at info), then a bot handler that fails (a 500 from the Bot API).
    const user = new TelegramUser(s.fake, s.t.clock, 7201);
    await supertest(app)
      .post('/telegram/webhook')
      .set('X-Telegram-Bot-Api-Secret-Token', WEBHOOK_SECRET)
      .send(user.message('/start'))
      .expect(200);
    s.fake.failNext('sendMessage', { code: 400, description: 'Bad Request: message is too long' });
    await supertest(app)
      .post('/telegram/webhook')
      .set('X-Telegram-Bot-Api-Secret-Token', WEBHOOK_SECRET)
      .send(user.message('/menu'))
      .expect(500);
    // A signed-in request: the session cookie travels in the request's headers.
    const signin = await supertest(app).get('/signin');
    const cookie = String(signin.headers['set-cookie']?.[0] ?? '').split(';')[0] as string;
    await supertest(app).get('/account').set('Cookie', cookie);
    const cookieValue = cookie.split('=')[1] as string;

    // Every level, the secrets under keys at any depth, in messages and in errors.
    const log = shop.logger.child({ component: 'test' });
    for (const level of LEVELS) {
      const error = new Error(`calling https://api.telegram.org/bot${secrets.botToken}/getMe failed`);
      log[level](
        {
          err: error,
          deep: { a: { b: { c: { token: 'deep-token-value-123', api: { token: secrets.botToken } } } } },
          headers: { 'x-telegram-bot-api-secret-token': secrets.webhookSecret, cookie },
          note: `secret ${secrets.shopSecret} key ${secrets.sealingKey} panel ${secrets.panelPassword}`,
        },
        `at ${level}: ${secrets.botToken} ${secrets.webhookSecret}`,
      );
    }
    const text = lines.join('');
    for (const level of LEVELS) expect(text).toContain(`"msg":"at ${level}: [redacted] [redacted]"`);
    expect(text).toContain('handling a Telegram update failed');
    expect(text).toContain('/telegram/webhook');
    for (const [name, value] of Object.entries({ ...secrets, cookieValue, deepToken: 'deep-token-value-123' }))
      expect(text.includes(value), `${name} is in the log`).toBe(false);
  });

  it('blanks registered values JSON-escaped and URL-encoded, and non-JSON lines too', () => {
    const secrets = new LogSecrets();
    secrets.add('p"a\\ss/wo rd', 'short', null);
    expect(secrets.redact('{"msg":"p\\"a\\\\ss/wo rd"}\n')).toBe('{"msg":"[redacted]"}\n');
    expect(secrets.redact('url ?x=p%22a%5Css%2Fwo%20rd')).toBe('url ?x=[redacted]');
    // Too short to register without blanking ordinary words.
    expect(secrets.redact('short')).toBe('short');
  });
});
