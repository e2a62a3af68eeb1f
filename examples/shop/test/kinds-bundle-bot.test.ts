/**
 * Issue 92 in the bot: a part of a bundle of kinds is extended with its whole bundle (the quote gives the total and
 * every part, the confirm button extends them all once); and a buyer whose WireGuard or Telegram part got new
 * credentials or a new server hears it once, in their language, through the shop's durable notices (the audit event
 * the SDK writes with the change is the cause): one notice for a rotated part, one for a bundle whose parts rotated
 * together, none for an Xray part (its app refreshes from the link).
 */
import type { Subscription } from '@panelkit/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationJobs } from '../src/app/notifications/notification-jobs.js';
import { planName } from '../src/app/subscriptions/plan-names.js';
import { notificationsOf } from '../src/db/notifications.js';
import { formatMoney } from '../src/i18n/format.js';
import { translator } from '../src/i18n/translate.js';
import { shopChannels } from '../src/stack/notification-channels.js';
import { partsFor } from './support/kind-parts.js';
import { messageIdOf, startBotShop, TelegramUser, textOf, type BotShop } from './support/telegram-driver.js';

const DAY = 86_400_000;
let s: BotShop;
let deliver: () => Promise<number>;
let nextUser = 9301;

beforeAll(async () => {
  s = await startBotShop();
  const channels = shopChannels(s.t.shop);
  deliver = s.t.shop.kit.createWorker({ hostJobs: [...s.t.shop.hostJobs, ...notificationJobs(s.t.shop, channels.list)] }).drain;
});
afterAll(() => s?.close());

/** A buyer who came through the bot (in `language`), with their customer id and the menu message. */
async function botBuyer(language = 'en') {
  const user = new TelegramUser(s.fake, s.t.clock, nextUser++, language);
  const menu = await user.send(user.message('/start'));
  const customerId = (await s.t.shop.storage.customers.getByExternalRef(`telegram:${user.id}`))!.id;
  return { user, menu, customerId };
}

/** What the bot sent `chatId` after the first `since` messages that tell it to take a config or proxy again, in `language`. */
async function reimportTextsTo(chatId: number, since: number, planId: string, language: 'en' | 'ru' = 'en') {
  const t = translator(language);
  const name = await planName(s.t.shop, planId, language);
  const lines = [t('kinds.changed.config', { name }), t('kinds.changed.telegram', { name })];
  return textsTo(chatId)
    .slice(since)
    .filter((text) => lines.some((line) => text.includes(line)));
}

const textsTo = (chatId: number) =>
  s.fake.calls
    .filter((c) => c.ok && c.method === 'sendMessage' && Number(c.params['chat_id']) === chatId)
    .map((c) => String(c.params['text']));

describe('extending a bundle in the bot', () => {
  it('quotes the bundle’s total with every part, and the confirm button extends every part once', async () => {
    const { user, menu, customerId } = await botBuyer();
    await s.t.shop.kit.topUp({
      customerId,
      amount: { amount: 100_000, currency: s.t.config.currency },
      idempotencyKey: `bot-bundle:${customerId}`,
    });
    const parts = await partsFor(s.t.shop, customerId, ['xray', 'wireguard', 'mtproto']);
    s.t.clock.set(new Date(parts[0]!.expiresAt!.getTime() - DAY));
    let total = 0;
    for (const part of parts) {
      const quote = await s.t.shop.kit.quoteExtension(part.id);
      if (quote.allowed) total += quote.quote.price.amount;
    }
    const en = translator('en');
    const price = formatMoney({ amount: total, currency: s.t.config.currency }, 'en');
    const quote = await user.send(user.tap(`x:${parts[1]!.id}`, messageIdOf(menu)));
    expect(textOf(quote)).toContain(en('kinds.extension.botQuote', { price }));
    for (const kind of ['Xray', 'WireGuard', 'Telegram proxy']) expect(textOf(quote)).toContain(`• ${kind}:`);

    const before = await s.t.shop.storage.ledger.balance(customerId, s.t.config.currency);
    const done = await user.press(quote, 'xc:');
    expect(textOf(done)).toBe(en('telegram.extension.done'));
    await user.press(quote, 'xc:');
    expect(await s.t.shop.storage.ledger.balance(customerId, s.t.config.currency)).toBe(before - total);
    const extensions = (await s.t.shop.storage.ledger.list(customerId, { limit: 20 })).items.filter((e) => e.kind === 'extension');
    expect(extensions).toHaveLength(3);
  });
});

describe('the re-import notice', () => {
  /** The audit event the SDK writes when a part's extension is applied on its panel. */
  async function extendedOnPanel(part: Subscription, expiresAt: Date, linkChanged: boolean) {
    await s.t.shop.storage.audit.append({
      actor: { type: 'system', id: 'worker' },
      action: 'subscription.extended',
      subjectType: 'subscription',
      subjectId: part.id,
      data: { expiresAt: expiresAt.toISOString(), linkChanged },
    });
  }

  const reimports = async (customerId: string) =>
    (await notificationsOf(s.t.shop).history(customerId, { limit: 50 })).items.filter((n) => n.kind === 'reimport_needed');

  async function settle() {
    await s.t.drain();
    await deliver();
    await deliver();
  }

  it('tells a buyer whose WireGuard part rotated, once, in their language', async () => {
    const { user, customerId } = await botBuyer('ru');
    const [wg] = await partsFor(s.t.shop, customerId, ['wireguard'], { bundle: false });
    const before = textsTo(user.id).length;
    await extendedOnPanel(wg!, new Date(wg!.expiresAt!.getTime() + 30 * DAY), true);
    await settle();
    await settle();
    expect(await reimports(customerId)).toHaveLength(1);
    const sent = await reimportTextsTo(user.id, before, wg!.planId, 'ru');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain(translator('ru')('kinds.changed.config', { name: await planName(s.t.shop, wg!.planId, 'ru') }));
  });

  it('tells a buyer whose bundle’s WireGuard and Telegram parts rotated together once, naming both', async () => {
    const { user, customerId } = await botBuyer();
    const parts = await partsFor(s.t.shop, customerId, ['xray', 'wireguard', 'mtproto']);
    const expiresAt = new Date(parts[0]!.expiresAt!.getTime() + 30 * DAY);
    const before = textsTo(user.id).length;
    for (const part of parts) await extendedOnPanel(part, expiresAt, true);
    await settle();
    expect(await reimports(customerId)).toHaveLength(1);
    const en = translator('en');
    const plan = (await s.t.shop.storage.plans.get(parts[0]!.planId))!;
    const sent = await reimportTextsTo(user.id, before, parts[0]!.planId);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain(en('kinds.changed.config', { name: plan.name }));
    expect(sent[0]).toContain(en('kinds.changed.telegram', { name: plan.name }));
  });

  it('tells nobody of an Xray part’s new link, nor of a WireGuard part extended in place', async () => {
    const { user, customerId } = await botBuyer();
    const [xray] = await partsFor(s.t.shop, customerId, ['xray'], { bundle: false });
    const [wg] = await partsFor(s.t.shop, customerId, ['wireguard'], { bundle: false });
    const before = textsTo(user.id).length;
    await extendedOnPanel(xray!, new Date(xray!.expiresAt!.getTime() + 30 * DAY), true);
    await extendedOnPanel(wg!, new Date(wg!.expiresAt!.getTime() + 30 * DAY), false);
    await settle();
    expect(await reimports(customerId)).toEqual([]);
    expect(textsTo(user.id).length).toBeGreaterThan(before); // the extensions' own notices went out
    expect(await reimportTextsTo(user.id, before, xray!.planId)).toEqual([]);
  });
});
