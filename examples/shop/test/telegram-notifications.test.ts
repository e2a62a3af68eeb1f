/**
 * The notification jobs and the bot together, as `npm start` wires them (`shopChannels`): a buyer who
 * came through Telegram hears of their subscription there, and the shop's admins get the panel alerts
 * there, each once however often the worker runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shopChannels } from '../src/stack/notification-channels.js';
import { notificationJobs } from '../src/app/notifications/notification-jobs.js';
import { planNamed } from './support/buying.js';
import { ADMIN_TELEGRAM_ID, startBotShop, TelegramUser, type BotShop } from './support/telegram-driver.js';
import { buyerLinkOf } from '../src/app/subscriptions/buyer-link.js';

describe('notifications through the Telegram bot', () => {
  let s: BotShop;
  let deliver: () => Promise<number>;
  beforeAll(async () => {
    s = await startBotShop();
    const channels = shopChannels(s.t.shop);
    expect(channels.list.map((c) => c.name)).toEqual(['telegram']);
    deliver = s.t.shop.kit.createWorker({ hostJobs: [...s.t.shop.hostJobs, ...notificationJobs(s.t.shop, channels.list)] }).drain;
  });
  afterAll(() => s?.close());

  const textsTo = (chatId: number) =>
    s.fake.calls
      .filter((c) => c.ok && c.method === 'sendMessage' && Number(c.params['chat_id']) === chatId)
      .map((c) => String(c.params['text']));

  it('tells a Telegram buyer their subscription is ready, with its link, once', async () => {
    const user = new TelegramUser(s.fake, s.t.clock, 7401);
    await user.send(user.message('/start'));
    const link = await s.shopBot.links.byTelegramUser('7401');
    const customerId = link!.customerId;
    const plan = await planNamed(s.t, 'Frankfurt · 1 month · 50');
    await s.t.shop.kit.topUp({ customerId, amount: plan.price, idempotencyKey: 'tg-notice-topup' });
    const before = textsTo(7401).length;
    const { subscriptions } = await s.t.shop.kit.checkout({ customerId, items: [{ planId: plan.id }], idempotencyKey: 'tg-notice-buy' });
    await s.t.drain();
    await deliver();
    await deliver();
    const sub = (await s.t.shop.storage.subscriptions.get(subscriptions[0]!.id))!;
    const notices = textsTo(7401).slice(before);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain(plan.name);
    expect(notices[0]).toContain(await buyerLinkOf(s.t.shop, customerId));
    expect(notices[0]).not.toContain(sub.subscriptionUrl!);
  });

  it('alerts the admins in the bot when a panel goes down and when it is back', async () => {
    const demo = s.t.shop.demo!.panels[0]!;
    for (let i = 0; i < 40; i++) demo.sim.injectFault({ kind: 'status', status: 503 });
    await s.t.shop.kit.checkPanelHealth(demo.panel.id);
    await s.t.shop.kit.checkPanelHealth(demo.panel.id);
    demo.sim.clearFaults();
    await s.t.drain(); // each event's notices job
    await deliver();
    await s.t.shop.kit.checkPanelHealth(demo.panel.id);
    await s.t.drain();
    await deliver();
    await deliver();
    const alerts = textsTo(ADMIN_TELEGRAM_ID).filter((text) => text.includes(demo.panel.name));
    expect(alerts).toHaveLength(2);
    expect(alerts[0]).toMatch(/down/i);
    expect(alerts[1]).toMatch(/back/i);
  });
});
