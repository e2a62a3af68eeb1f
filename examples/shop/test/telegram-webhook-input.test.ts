import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/stack/web-app.js';
import { startBotShop, TelegramUser, type BotShop } from './support/telegram-driver.js';

const SECRET = 'webhook-secret-for-tests-0123';

describe('the Telegram webhook given what it cannot handle', () => {
  let s: BotShop;
  beforeAll(async () => {
    s = await startBotShop({ webhook: true });
  });
  afterAll(() => s.close());

  const handledUpdates = async () =>
    (await s.t.shop.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${s.t.shop.shopSchema}.telegram_updates`)).rows[0]?.n;
  const customers = async () =>
    (await s.t.shop.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${s.t.config.schema}".customers`)).rows[0]?.n;

  it('refuses malformed updates with a 400 and touches no table', async () => {
    const app = createApp(s.t.shop, { telegram: s.shopBot });
    const [updatesBefore, customersBefore] = [await handledUpdates(), await customers()];
    const bodies: Array<{ body: unknown; type: string }> = [
      { body: '{}', type: 'application/json' },
      { body: '{"update_id":"12"}', type: 'application/json' },
      { body: '{"update_id":1e300,"message":{}}', type: 'application/json' },
      { body: '{"update_id":-1,"message":{}}', type: 'application/json' },
      { body: '[{"update_id":5,"message":{}}]', type: 'application/json' },
      { body: '{"update_id":6}', type: 'application/json' },
      { body: 'update_id=7&message=x', type: 'application/x-www-form-urlencoded' },
      { body: 'not json', type: 'application/json' },
    ];
    for (const { body, type } of bodies) {
      const res = await supertest(app)
        .post('/telegram/webhook')
        .set('X-Telegram-Bot-Api-Secret-Token', SECRET)
        .type(type)
        .send(body as string);
      expect(res.status, `${type} ${String(body)}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${type} ${String(body)}`).toBeLessThan(500);
    }
    expect(await handledUpdates()).toBe(updatesBefore);
    expect(await customers()).toBe(customersBefore);
    expect(s.fake.calls).toHaveLength(0);
  });

  it("passes only the request log and metrics before its own checks: no page's headers, still timed by route", async () => {
    const app = createApp(s.t.shop, { telegram: s.shopBot });
    const res = await supertest(app)
      .post('/telegram/webhook')
      .set('X-Telegram-Bot-Api-Secret-Token', SECRET)
      .type('application/json')
      .send('{"update_id":8}');
    expect(res.status).toBe(400);
    expect(res.headers['content-security-policy']).toBeUndefined();
    expect((await supertest(app).get('/healthz')).headers['content-security-policy']).toBeDefined();
    const metrics = await supertest(app).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/shop_http_request_duration_seconds_count\{method="POST",route="\/telegram\/webhook",status="400"\} 1/);
  });

  it('answers 200 to an update from a user who blocked the bot, once and for good', async () => {
    const app = createApp(s.t.shop, { telegram: s.shopBot });
    const user = new TelegramUser(s.fake, s.t.clock, 7101);
    const update = user.message('/start');
    s.fake.failNext('sendMessage', { code: 403, description: 'Forbidden: bot was blocked by the user' });
    for (let i = 0; i < 3; i++) {
      const res = await supertest(app).post('/telegram/webhook').set('X-Telegram-Bot-Api-Secret-Token', SECRET).send(update);
      expect(res.status).toBe(200);
    }
    // Tried once; the redeliveries found the update handled.
    expect(s.fake.calls.filter((c) => c.method === 'sendMessage')).toHaveLength(1);
    const customer = await s.t.shop.storage.customers.getByExternalRef('telegram:7101');
    // The customer the first contact made is whole: linked to the Telegram user, so a later message reaches it.
    expect(customer).not.toBeNull();
    expect((await s.shopBot.links.byTelegramUser('7101'))?.customerId).toBe(customer?.id);

    // The user unblocks the bot and writes again: answered, as the same customer.
    const again = await supertest(app)
      .post('/telegram/webhook')
      .set('X-Telegram-Bot-Api-Secret-Token', SECRET)
      .send(user.message('/start'));
    expect(again.status).toBe(200);
    expect(s.fake.calls.filter((c) => c.method === 'sendMessage' && c.ok)).toHaveLength(1);
  });

  it('makes no customer for a user blocking the bot (my_chat_member)', async () => {
    const app = createApp(s.t.shop, { telegram: s.shopBot });
    const from = { id: 7102, is_bot: false, first_name: 'Gone' };
    const update = {
      update_id: s.fake.updateId(),
      my_chat_member: {
        chat: { id: 7102, type: 'private', first_name: 'Gone' },
        from,
        date: 1_770_000_000,
        old_chat_member: { status: 'member', user: { id: 777000111, is_bot: true, first_name: 'bot' } },
        new_chat_member: { status: 'kicked', until_date: 0, user: { id: 777000111, is_bot: true, first_name: 'bot' } },
      },
    };
    const res = await supertest(app).post('/telegram/webhook').set('X-Telegram-Bot-Api-Secret-Token', SECRET).send(update);
    expect(res.status).toBe(200);
    expect(await s.t.shop.storage.customers.getByExternalRef('telegram:7102')).toBeNull();
  });
});
