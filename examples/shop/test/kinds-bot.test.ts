/**
 * Issue 92: the bot delivers WireGuard and Telegram-proxy parts (design §11). A WireGuard part's screen sends its
 * `.conf` as a document named after its server and offers the conf as a QR; an AmneziaWG part sends its file with no
 * QR (its app reads another QR format); a Telegram part has one URL button to its `https://t.me/proxy` link. Their
 * credentials stay out of the screen's text; an Xray subscription's screen is as it was.
 */
import { wireGuardConf } from '@panelkit/subscription-feed/formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../src/i18n/translate.js';
import { buttonsOf, type BotCall } from './support/fake-telegram.js';
import { MTPROTO_SECRET, partsFor } from './support/kind-parts.js';
import { messageIdOf, startBotShop, TelegramUser, textOf, type BotShop } from './support/telegram-driver.js';

const en = translator('en');
let s: BotShop;
let buyer: TelegramUser;
let list: BotCall;
let parts: Awaited<ReturnType<typeof partsFor>>;

beforeAll(async () => {
  s = await startBotShop({ env: { PUBLIC_URL: 'https://shop.example.com', TELEGRAM_WEBHOOK: 'off' } });
  buyer = new TelegramUser(s.fake, s.t.clock, 9201);
  const menu = await buyer.send(buyer.message('/start'));
  const customerId = (await s.t.shop.storage.customers.getByExternalRef(`telegram:${buyer.id}`))!.id;
  parts = await partsFor(s.t.shop, customerId, ['xray', 'wireguard', 'amneziawg', 'mtproto']);
  list = await buyer.press(menu, 'subs');
});
afterAll(() => s.close());

const isScreen = (c: BotCall) => c.method === 'sendMessage';
/**
 * The screen the buyer's tap after call `since` sent after its document: waited for, not tapped for again, so the
 * next test's tap finds no message of this one still on its way (a second tap's screen once came after the next
 * test's tap under load).
 */
const screenSince = (since: number) =>
  s.fake.waitFor(since, (c) => c.ok && isScreen(c) && Number(c.params['chat_id']) === buyer.id, `the screen for ${buyer.id}`);
const callbacks = (call: BotCall) => buttonsOf(call).flatMap((b) => (b.callback_data === undefined ? [] : [b.callback_data.split(':')[0]]));

describe('a part’s screen in the bot', () => {
  it('WireGuard: the .conf as a document named after its server, then the screen with a QR button and no link', async () => {
    const wg = parts[1]!;
    const since = s.fake.calls.length;
    const doc = await buyer.send(buyer.tap(`s:${wg.id}`, messageIdOf(list)));
    expect(doc.method).toBe('sendDocument');
    expect(doc.upload?.filename).toBe('DE_Frankfurt_2.conf');
    expect(doc.upload?.bytes.toString('utf8')).toBe(wireGuardConf(wg.shareLinks[0]!));
    expect(textOf(doc)).toBe(en('kinds.bot.configCaption'));

    const screen = await screenSince(since);
    expect(textOf(screen)).toContain('Kind: WireGuard');
    expect(textOf(screen)).not.toContain('wireguard://');
    expect(textOf(screen)).not.toContain('/s/');
    expect(callbacks(screen)).toContain('wq');
    expect(callbacks(screen)).not.toContain('q');

    const qr = await buyer.press(screen, 'wq:');
    expect(qr.method).toBe('sendPhoto');
    expect(textOf(qr)).toBe(en('kinds.bot.configQrCaption'));
  });

  it('AmneziaWG: its file, and no QR button', async () => {
    const awg = parts[2]!;
    const since = s.fake.calls.length;
    const doc = await buyer.send(buyer.tap(`s:${awg.id}`, messageIdOf(list)));
    expect(doc.method).toBe('sendDocument');
    expect(doc.upload?.bytes.toString('utf8')).toContain('Jc = 4');
    const screen = await screenSince(since);
    expect(callbacks(screen)).not.toContain('wq');
  });

  it('Telegram proxy: one URL button to the https://t.me/proxy link, no document and no link QR', async () => {
    const tg = parts[3]!;
    const screen = await buyer.send(buyer.tap(`s:${tg.id}`, messageIdOf(list)));
    expect(screen.method).toBe('sendMessage');
    const urls = buttonsOf(screen).flatMap((b) => (b.url === undefined ? [] : [[b.text, b.url]]));
    expect(urls).toEqual([[en('kinds.buyer.openTelegram'), `https://t.me/proxy?server=tg.example.com&port=443&secret=${MTPROTO_SECRET}`]]);
    expect(callbacks(screen)).not.toContain('q');
    expect(textOf(screen)).not.toContain('tg://');
  });

  it('Xray in the same bundle: the link, its QR and the app buttons, as always', async () => {
    const screen = await buyer.send(buyer.tap(`s:${parts[0]!.id}`, messageIdOf(list)));
    expect(screen.method).toBe('sendMessage');
    expect(textOf(screen)).toContain('https://shop.example.com/s/');
    expect(callbacks(screen)).toEqual(expect.arrayContaining(['q', 'ap']));
    expect(callbacks(screen)).not.toContain('wq');
  });

  it('draws no config QR for another buyer’s part', async () => {
    const other = new TelegramUser(s.fake, s.t.clock, 9202);
    const menu = await other.send(other.message('/start'));
    const since = s.fake.calls.length;
    s.fake.push(other.tap(`wq:${parts[1]!.id}`, messageIdOf(menu)));
    const answer = await s.fake.waitFor(since, (c) => c.method === 'answerCallbackQuery');
    expect(answer.params['text']).toBe(en('telegram.notYours'));
    expect(s.fake.calls.slice(since).some((c) => c.method === 'sendPhoto')).toBe(false);
  });
});
