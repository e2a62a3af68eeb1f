/** `/evacuate` in the bot: an admin picks a panel, reads the dry run, and starts the evacuation; nobody else can. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../src/i18n/translate.js';
import { type ExtraPanel, startExtraPanel } from './support/admin-support.js';
import { planNamed } from './support/buying.js';
import { ADMIN_TELEGRAM_ID, type BotShop, startBotShop, TelegramUser, textOf } from './support/telegram-driver.js';

const en = translator('en');

describe('the /evacuate bot command', () => {
  let s: BotShop;
  let extra: ExtraPanel;
  beforeAll(async () => {
    s = await startBotShop();
    extra = await startExtraPanel(s.t.clock);
  });
  afterAll(async () => {
    await extra.close();
    await s.close();
  });

  it('shows where each subscription would go, then moves them on the admin’s tap; a buyer’s tap does nothing', async () => {
    const { shop } = s.t;
    const plan = await planNamed(s.t, 'Frankfurt · 1 month · 50');
    const customer = await shop.kit.customers.create({ email: 'evac-bot@example.com' });
    await shop.kit.topUp({ customerId: customer.id, amount: plan.price, idempotencyKey: 'evac-bot' });
    const { subscriptions } = await shop.kit.checkout({
      customerId: customer.id,
      items: [{ planId: plan.id, quantity: 1 }],
      idempotencyKey: 'evac-bot',
    });
    await s.t.drain();
    const sub = (await shop.storage.subscriptions.get(subscriptions[0]!.id))!;
    const oldPanel = (await shop.storage.panels.get(sub.panelId))!;
    const second = await shop.kit.panels.add({
      kind: '3x-ui',
      name: 'Frankfurt 2',
      baseUrl: extra.url,
      credentials: { type: 'password', ...extra.login },
      locationTags: ['de'],
    });
    await shop.kit.targets.sync(second.id, { capacity: 5 });

    const admin = new TelegramUser(s.fake, s.t.clock, ADMIN_TELEGRAM_ID);
    await admin.send(admin.message('/start'));
    const picked = await admin.send(admin.message('/evacuate'));
    expect(textOf(picked)).toBe(en('evacuation.bot.pick'));
    const preview = await admin.press(picked, `evq:${oldPanel.id}`);
    const planned = await shop.kit.evacuate({ panelId: oldPanel.id, dryRun: true });
    expect(planned.counts.would_move).toBeGreaterThanOrEqual(1);
    expect(textOf(preview)).toContain(
      en('evacuation.planSummary', { move: planned.counts.would_move, noRoom: 0, moving: 0, stay: planned.counts.not_movable }),
    );

    const buyer = new TelegramUser(s.fake, s.t.clock, 8701);
    await buyer.send(buyer.message('/start'));
    const since = s.fake.calls.length;
    s.fake.push(buyer.tap(`evgo:${oldPanel.id}`, 1));
    await buyer.send(buyer.message('/menu'));
    expect(s.fake.callsSince(since, 'answerCallbackQuery').map((c) => c.params['text'])).toEqual([en('telegram.notYours')]);
    expect((await shop.kit.evacuationProgress(oldPanel.id)).moving).toBe(0);

    const started = await admin.press(preview, 'evgo:');
    expect(textOf(started)).toBe(en('evacuation.bot.started', { queued: planned.counts.would_move, noRoom: 0 }));
    await s.t.drain();
    expect((await shop.storage.subscriptions.get(sub.id))!.panelId).toBe(second.id);
    expect(await extra.sim.countClients(sub.remote.username)).toBe(1);
  });
});
