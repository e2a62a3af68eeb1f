/**
 * Support tickets in the bot, on the project's fake Bot API: a buyer opens one with a screenshot, the staff are told in
 * their chats, answer and close from the bot (the buyer is told in Telegram), a picture is kept as a receipt's is (its
 * Telegram file id: shown again in the bot, fetched for the web admin), and a Telegram admin linked to a support
 * account answers and closes but does not delete.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../src/i18n/translate.js';
import { ticketsOfBuyer } from '../src/app/support/tickets.js';
import { paymentsOf } from '../src/app/payments/records.js';
import { buttonsOf, type BotCall } from './support/fake-telegram.js';
import { signedInAdmin } from './support/shop-under-test.js';
import supertest from 'supertest';
import { launchData } from './support/mini-app-launch.js';
import { ADMIN_TELEGRAM_ID, BOT_SHOP_URL, type BotShop, startBotShop, TelegramUser, textOf } from './support/telegram-driver.js';

const en = translator('en');
const SUPPORT_ADMIN = 9013;
let s: BotShop;
let admin: TelegramUser;

beforeAll(async () => {
  s = await startBotShop({ env: { TELEGRAM_ADMIN_IDS: [ADMIN_TELEGRAM_ID, SUPPORT_ADMIN].join(',') } });
  admin = new TelegramUser(s.fake, s.t.clock, ADMIN_TELEGRAM_ID);
  await admin.send(admin.message('/start'));
});
afterAll(() => s.close());

/** Messages the bot sent to a chat since `since` (an index into the fake's calls). */
const sentTo = (chatId: number, since = 0) =>
  s.fake.calls.slice(since).filter((c) => c.ok && c.method === 'sendMessage' && Number(c.params['chat_id']) === chatId);

/** Runs the notification jobs: the fan-out, then the sends. */
async function deliver(): Promise<void> {
  await s.t.drain();
  await s.t.drain();
}

async function customerOf(user: TelegramUser): Promise<string> {
  return (await s.t.shop.storage.customers.getByExternalRef(`telegram:${user.id}`))!.id;
}

/** A buyer's new ticket from the menu: "Support", "New ticket", then the message (text or a photo with a caption). */
async function openInBot(buyer: TelegramUser, update: ReturnType<TelegramUser['message']>): Promise<BotCall> {
  const menu = await buyer.send(buyer.message('/start'));
  const list = await buyer.press(menu, 'sup');
  expect(textOf(list)).toContain(en('support.bot.intro'));
  const asked = await buyer.press(list, 'tkn');
  expect(textOf(asked)).toBe(en('support.bot.askNew'));
  return buyer.send(update);
}

describe('a ticket in the bot, from the buyer’s question to the staff’s answer', () => {
  it('opens with a screenshot, tells the staff, is answered from the bot, and tells the buyer in Telegram', async () => {
    const buyer = new TelegramUser(s.fake, s.t.clock, 7101);
    const since = s.fake.calls.length;
    const opened = await openInBot(buyer, buyer.photo('The app says “handshake failed”', 'ticket-shot-7101'));
    expect(textOf(opened)).toBe(en('support.notices.opened'));
    const customerId = await customerOf(buyer);
    const [ticket] = await ticketsOfBuyer(s.t.shop, customerId);
    expect(ticket).toMatchObject({ subject: 'The app says “handshake failed”', status: 'waiting' });

    await deliver();
    const alerts = sentTo(ADMIN_TELEGRAM_ID, since).filter((c) => textOf(c).includes('handshake failed'));
    expect(alerts).toHaveLength(1);
    expect(textOf(alerts[0]!)).toContain('User 7101');

    // The staff's list, the ticket with its screenshot again (by its Telegram file id), the typed answer.
    const list = await admin.send(admin.message('/tickets'));
    expect(textOf(list)).toContain(en('support.admin.title'));
    const view = await admin.send(admin.tap(`tsv:${ticket!.id}`, 1));
    expect(textOf(view)).toContain('handshake failed');
    expect(buttonsOf(view).map((b) => b.callback_data)).toEqual(
      expect.arrayContaining([`tsa:${ticket!.id}`, `tsc:${ticket!.id}`, `tsd:${ticket!.id}`]),
    );
    const photo = await s.fake.waitFor(
      since,
      (c) => c.method === 'sendPhoto' && c.params['photo'] === 'ticket-shot-7101',
      'the screenshot',
    );
    expect(Number(photo.params['chat_id'])).toBe(ADMIN_TELEGRAM_ID);
    const asked = await admin.press(view, 'tsa:');
    expect(textOf(asked)).toBe(en('support.admin.askAnswer'));
    const beforeAnswer = s.fake.calls.length;
    const answered = await admin.send(admin.message('Update the app to 2.1 and import the link again.'));
    expect(textOf(answered)).toBe(en('support.notices.answered'));

    await deliver();
    const told = sentTo(buyer.id, beforeAnswer).filter((c) => textOf(c).includes('Update the app to 2.1'));
    expect(told).toHaveLength(1);
    const thread = await buyer.send(buyer.tap(`tk:${ticket!.id}`, 1));
    expect(textOf(thread)).toContain(en('support.status.answered'));
    expect(textOf(thread)).toContain('Update the app to 2.1');

    // The web admin sees the picture, fetched from Telegram as a receipt's is.
    s.fake.files.set('ticket-shot-7101', { bytes: Buffer.from('a screenshot'), path: 'photos/shot.png' });
    const web = await signedInAdmin(s.t.app);
    const page = await web.agent.get(`/admin/tickets/${ticket!.id}`).expect(200);
    const href = /href="(\/admin\/tickets\/[^"]+\/picture)"/.exec(page.text)?.[1];
    const picture = await web.agent.get(href as string).expect(200);
    expect(picture.headers['content-type']).toBe('image/png');
    expect(Buffer.from(picture.body as Buffer).toString()).toBe('a screenshot');
  });

  it('is closed by staff with a typed reason the buyer reads, and opens again when the buyer writes', async () => {
    const buyer = new TelegramUser(s.fake, s.t.clock, 7102);
    await openInBot(buyer, buyer.message('Can I pay by card?'));
    const [ticket] = await ticketsOfBuyer(s.t.shop, await customerOf(buyer));
    await admin.send(admin.tap(`tsc:${ticket!.id}`, 1), (c) => textOf(c) === en('support.admin.askClose'));
    const before = s.fake.calls.length;
    const closed = await admin.send(admin.message('Yes: see Wallet → Top up'));
    expect(textOf(closed)).toBe(en('support.notices.closed'));
    await deliver();
    expect(sentTo(buyer.id, before).filter((c) => textOf(c).includes('Yes: see Wallet → Top up'))).toHaveLength(1);

    // The buyer's "Write again" reopens it; the staff hear of it.
    const view = await buyer.send(buyer.tap(`tk:${ticket!.id}`, 1));
    expect(textOf(view)).toContain(en('support.status.closed'));
    await buyer.press(view, 'tkr:');
    const sent = await buyer.send(buyer.message('Which cards?'));
    expect(textOf(sent)).toBe(en('support.notices.sent'));
    const [reopened] = await ticketsOfBuyer(s.t.shop, await customerOf(buyer));
    expect(reopened).toMatchObject({ status: 'waiting', closedAt: null });
    // A close of a closed ticket is said, not done twice.
    await admin.send(admin.tap(`tsc:${ticket!.id}`, 1), (c) => textOf(c) === en('support.admin.askClose'));
    await admin.send(admin.message('Done'), (c) => textOf(c) === en('support.notices.closed'));
    await admin.send(admin.tap(`tsc:${ticket!.id}`, 1), (c) => textOf(c) === en('support.admin.askClose'));
    expect(textOf(await admin.send(admin.message('Again')))).toBe(en('support.errors.closed'));
  });

  it('takes a staff answer sent as a picture with its caption, and shows it to the buyer in the bot and the Mini App', async () => {
    const buyer = new TelegramUser(s.fake, s.t.clock, 7106);
    await openInBot(buyer, buyer.message('Where is the import button?'));
    const [ticket] = await ticketsOfBuyer(s.t.shop, await customerOf(buyer));
    await admin.send(admin.tap(`tsa:${ticket!.id}`, 1), (c) => textOf(c) === en('support.admin.askAnswer'));
    const answered = await admin.send(admin.photo('Here, at the top right', 'answer-shot-7106'));
    expect(textOf(answered)).toBe(en('support.notices.answered'));
    // Not taken for a card receipt: no payment was started.
    expect((await paymentsOf(s.t.shop).listByCustomer(await customerOf(admin), { limit: 5 })).items).toEqual([]);

    const since = s.fake.calls.length;
    const view = await buyer.send(buyer.tap(`tk:${ticket!.id}`, 1));
    expect(textOf(view)).toContain('Here, at the top right');
    await s.fake.waitFor(
      since,
      (c) => c.method === 'sendPhoto' && c.params['photo'] === 'answer-shot-7106' && Number(c.params['chat_id']) === buyer.id,
    );

    // In the Mini App (the web pages, signed in by Telegram) the buyer opens the picture; another buyer cannot.
    s.fake.files.set('answer-shot-7106', { bytes: Buffer.from('staff screenshot'), path: 'photos/answer.jpg' });
    const signedIn = await supertest(s.t.app)
      .post('/tg/app/session')
      .set('origin', BOT_SHOP_URL)
      .send({ initData: launchData(s.fake.token, { id: buyer.id }, s.t.clock.now()) })
      .expect(200);
    const cookie = String(signedIn.headers['set-cookie']?.[0]).split(';')[0] as string;
    const page = await supertest(s.t.app).get(`/support/${ticket!.id}`).set('cookie', cookie).expect(200);
    const href = /href="(\/support\/[^"]+\/picture)"/.exec(page.text)?.[1] as string;
    const picture = await supertest(s.t.app).get(href).set('cookie', cookie).expect(200);
    expect(picture.headers['content-type']).toBe('image/jpeg');
    expect(Buffer.from(picture.body as Buffer).toString()).toBe('staff screenshot');
    const other = await supertest(s.t.app)
      .post('/tg/app/session')
      .set('origin', BOT_SHOP_URL)
      .send({ initData: launchData(s.fake.token, { id: 7107 }, s.t.clock.now()) })
      .expect(200);
    await supertest(s.t.app)
      .get(href)
      .set('cookie', String(other.headers['set-cookie']?.[0]).split(';')[0] as string)
      .expect(404);
  });

  it('refuses an empty or too long message in the bot with its reason, and opens nothing', async () => {
    const buyer = new TelegramUser(s.fake, s.t.clock, 7103);
    const refused = await openInBot(buyer, buyer.message('x'.repeat(3001)));
    expect(textOf(refused)).toBe(en('support.errors.tooLong', { max: 3000 }));
    expect(await ticketsOfBuyer(s.t.shop, await customerOf(buyer))).toEqual([]);
  });

  it('holds a Telegram admin linked to a support account to support’s rights: answers and closes, never deletes', async () => {
    const { shop } = s.t;
    const supportUser = new TelegramUser(s.fake, s.t.clock, SUPPORT_ADMIN);
    await supportUser.send(supportUser.message('/start'));
    const staffCustomer = await shop.kit.customers.create({ email: 'ticket-staff@example.com' });
    const account = await shop.accounts.create({
      email: 'ticket-staff@example.com',
      passwordHash: 'not-used-here',
      customerId: staffCustomer.id,
      role: 'support',
    });
    await s.shopBot.links.relink({ telegramUserId: String(SUPPORT_ADMIN), chatId: String(SUPPORT_ADMIN), customerId: staffCustomer.id });

    const buyer = new TelegramUser(s.fake, s.t.clock, 7104);
    await openInBot(buyer, buyer.message('Hello?'));
    const [ticket] = await ticketsOfBuyer(shop, await customerOf(buyer));
    const view = await supportUser.send(supportUser.tap(`tsv:${ticket!.id}`, 1));
    expect(buttonsOf(view).map((b) => b.callback_data)).not.toContain(`tsd:${ticket!.id}`);
    expect(textOf(await supportUser.send(supportUser.tap(`tsd:${ticket!.id}`, 1)))).toBe(en('telegram.admin.forbidden'));
    expect(await ticketsOfBuyer(shop, await customerOf(buyer))).toHaveLength(1);

    await supportUser.press(view, 'tsa:');
    await supportUser.send(supportUser.message('Hi! How can we help?'), (c) => textOf(c) === en('support.notices.answered'));
    const audit = await shop.storage.audit.list({ subjectType: 'ticket', subjectId: ticket!.id }, { limit: 10 });
    expect(audit.items.find((e) => e.action === 'ticket.answered')?.actor).toEqual({ type: 'admin', id: account!.id });

    // The owner deletes, audited under their Telegram id.
    const deleted = await admin.send(admin.tap(`tsd:${ticket!.id}`, 1), (c) => textOf(c) === en('support.notices.deleted'));
    expect(deleted.ok).toBe(true);
    expect(await ticketsOfBuyer(shop, await customerOf(buyer))).toEqual([]);
    const trail = await shop.storage.audit.list({ subjectType: 'ticket', subjectId: ticket!.id }, { limit: 10 });
    expect(trail.items.find((e) => e.action === 'ticket.deleted')?.actor).toEqual({ type: 'admin', id: `telegram:${ADMIN_TELEGRAM_ID}` });
  });

  it('tells a buyer who taps a staff button nothing, and does nothing', async () => {
    const buyer = new TelegramUser(s.fake, s.t.clock, 7105);
    await openInBot(buyer, buyer.message('Mine'));
    const [ticket] = await ticketsOfBuyer(s.t.shop, await customerOf(buyer));
    const before = s.fake.calls.length;
    s.fake.push(buyer.tap(`tsd:${ticket!.id}`, 1));
    await s.fake.waitFor(before, (c) => c.method === 'answerCallbackQuery', 'the refusal');
    expect(await ticketsOfBuyer(s.t.shop, await customerOf(buyer))).toHaveLength(1);
  });
});
