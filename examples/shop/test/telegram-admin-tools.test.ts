/**
 * Admins in the bot (issue 31): rejecting a receipt with a reason (and cancelling), finding a customer by Telegram
 * id, `@username` or email, their card with wallet and subscriptions, and the web admin's subscription actions,
 * each the web's use case, audited the same and held to the staff member's role.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentsOf } from '../src/app/payments/records.js';
import { formatMoney } from '../src/i18n/format.js';
import { translator } from '../src/i18n/translate.js';
import { planNamed } from './support/buying.js';
import { buttonsOf, type BotCall } from './support/fake-telegram.js';
import { ADMIN_TELEGRAM_ID, type BotShop, dataOf, startBotShop, TelegramUser, textOf } from './support/telegram-driver.js';

const en = translator('en');
const SECOND_ADMIN = 9002;
const SUPPORT_ADMIN = 9003;

describe('admins in the Telegram bot', () => {
  let s: BotShop;
  let admin: TelegramUser;
  let second: TelegramUser;
  let receipts = 0;
  beforeAll(async () => {
    s = await startBotShop({ env: { TELEGRAM_ADMIN_IDS: [ADMIN_TELEGRAM_ID, SECOND_ADMIN, SUPPORT_ADMIN].join(',') } });
    admin = new TelegramUser(s.fake, s.t.clock, ADMIN_TELEGRAM_ID);
    second = new TelegramUser(s.fake, s.t.clock, SECOND_ADMIN);
    await admin.send(admin.message('/start'));
    await second.send(second.message('/start'));
  });
  afterAll(() => s.close());

  /** A buyer who started the bot, with money in the wallet; returns their customer id. */
  async function buyerOf(user: TelegramUser, amount = 5_000): Promise<string> {
    await user.send(user.message('/start'));
    const customer = await s.t.shop.storage.customers.getByExternalRef(`telegram:${user.id}`);
    if (customer === null) throw new Error('no customer for the Telegram user');
    await s.t.shop.kit.topUp({ customerId: customer.id, amount: { amount, currency: 'USD' }, idempotencyKey: `tools:${customer.id}` });
    return customer.id;
  }

  /** A card receipt a buyer sent as a photo, waiting for review. */
  async function receiptFrom(userId: number): Promise<{ customerId: string; paymentId: string }> {
    const buyer = new TelegramUser(s.fake, s.t.clock, userId);
    const customerId = await buyerOf(buyer, 100);
    receipts += 1;
    await buyer.send(buyer.photo(`3 QW${userId}${receipts} 1111`));
    const page = await paymentsOf(s.t.shop).listByCustomer(customerId, { limit: 5 });
    const payment = page.items.find((p) => p.status === 'pending');
    if (payment === undefined) throw new Error('the receipt was not recorded');
    return { customerId, paymentId: payment.id };
  }

  const hasButton = (call: BotCall, prefix: string) => buttonsOf(call).some((b) => b.callback_data?.startsWith(prefix));

  const statusOf = async (paymentId: string) => (await s.t.shop.kit.payments.get(paymentId))?.status;

  /** The callback answers (toasts) the bot gave since `since`. */
  const toastsSince = (since: number) => s.fake.callsSince(since, 'answerCallbackQuery').map((c) => c.params['text']);

  it('asks why before rejecting a receipt, rejects it with that reason, and tells a second admin it is decided', async () => {
    const { paymentId } = await receiptFrom(6801);
    const asked = await admin.send(admin.tap(`rr:${paymentId}`, 1));
    expect(textOf(asked)).toContain('Why is the receipt of');
    expect(await statusOf(paymentId)).toBe('pending');

    const done = await admin.send(admin.message('No such transfer on the statement'));
    expect(textOf(done)).toBe(en('telegram.receipts.rejected'));
    expect(await s.t.shop.kit.payments.get(paymentId)).toMatchObject({
      status: 'rejected',
      note: 'No such transfer on the statement',
      decidedBy: { type: 'admin', id: `telegram:${ADMIN_TELEGRAM_ID}` },
    });

    const since = s.fake.calls.length;
    s.fake.push(second.tap(`rr:${paymentId}`, 1));
    s.fake.push(second.tap(`ra:${paymentId}`, 1));
    await second.send(second.message('/menu'));
    expect(toastsSince(since)).toEqual([en('telegram.receipts.already'), en('telegram.receipts.already')]);
  });

  it('drops the question on Cancel (the next text is no reason), and asks again for a reason that is too long', async () => {
    const { paymentId } = await receiptFrom(6802);
    const asked = await admin.send(admin.tap(`rr:${paymentId}`, 1));
    const cancelled = await admin.press(asked, 'axc');
    expect(textOf(cancelled)).toBe(en('telegram.admin.cancelled'));
    expect(textOf(await admin.send(admin.message('Blurry photo')))).toBe(en('telegram.menu.hint'));
    expect(await statusOf(paymentId)).toBe('pending');

    await admin.send(admin.tap(`rr:${paymentId}`, 1));
    const again = await admin.send(admin.message('x'.repeat(501)));
    expect(textOf(again)).toBe(en('adminMoney.errors.noteTooLong'));
    expect(await statusOf(paymentId)).toBe('pending');
    expect(textOf(await admin.send(admin.message('/cancel')))).toBe(en('telegram.admin.cancelled'));
    expect(textOf(await admin.send(admin.message('/cancel')))).toBe(en('telegram.admin.nothingToCancel'));
  });

  it('tells an admin whose reason comes after another admin approved that the receipt is decided, and credits once', async () => {
    const { customerId, paymentId } = await receiptFrom(6803);
    await admin.send(admin.tap(`rr:${paymentId}`, 1));
    await second.send(second.tap(`ra:${paymentId}`, 1), (c) => textOf(c) === en('telegram.receipts.approved'));
    const late = await admin.send(admin.message('Looks fake'));
    expect(textOf(late)).toBe(en('telegram.receipts.already'));
    expect(await statusOf(paymentId)).toBe('credited');
    expect(await s.t.shop.storage.ledger.balance(customerId, 'USD')).toBe(400);
  });

  it('finds a customer by @username, Telegram id or email, with wallet and subscriptions; refuses a malformed search', async () => {
    const { shop } = s.t;
    const buyer = new TelegramUser(s.fake, s.t.clock, 6810, 'en', 'alice_vpn');
    const customerId = await buyerOf(buyer);
    const plan = await planNamed(s.t, 'Frankfurt · 1 month · 50');
    const { subscriptions } = await shop.kit.checkout({ customerId, items: [{ planId: plan.id }], idempotencyKey: 'tools-buy' });
    await s.t.drain();
    const balance = formatMoney({ amount: await shop.storage.ledger.balance(customerId, 'USD'), currency: 'USD' }, 'en');

    for (const query of ['@Alice_VPN', '6810']) {
      const card = await admin.send(admin.message(`/find ${query}`));
      expect(textOf(card)).toContain(en('telegram.admin.customer.title', { name: 'User 6810' }));
      expect(textOf(card)).toContain(en('telegram.admin.customer.telegram', { telegram: '6810 @alice_vpn' }));
      expect(textOf(card)).toContain(en('telegram.admin.customer.wallet', { balance }));
      expect(buttonsOf(card).map((b) => b.callback_data)).toEqual([`as:${subscriptions[0]!.id}`, `adv:${customerId}`, `al:${customerId}`]);
    }

    const carol = await shop.kit.customers.create({ email: 'carol@example.com', name: 'Carol' });
    const menu = await admin.send(admin.message('/menu'));
    const ask = await admin.press(menu, 'af');
    expect(textOf(ask)).toBe(en('telegram.admin.find.ask'));
    const byEmail = await admin.send(admin.message('carol@example.com'));
    expect(textOf(byEmail)).toContain(en('telegram.admin.customer.email', { email: 'carol@example.com' }));
    expect(dataOf(byEmail, 'al:')).toBe(`al:${carol.id}`);

    expect(textOf(await admin.send(admin.message('/find @x')))).toBe(en('adminOps.find.invalid'));
    expect(textOf(await admin.send(admin.message('/find nobody@example.com')))).toBe(en('telegram.admin.find.none'));

    // A buyer has no /find, and a customer button from them does nothing.
    expect(textOf(await buyer.send(buyer.message('/find @alice_vpn')))).toBe(en('telegram.menu.hint'));
    const since = s.fake.calls.length;
    s.fake.push(buyer.tap(`ac:${carol.id}`, 1));
    await buyer.send(buyer.message('/menu'));
    expect(toastsSince(since)).toEqual([en('telegram.notYours')]);
  });

  it('finds a user by the @username they have now: a renamed user is not found by the old one', async () => {
    const renamed = new TelegramUser(s.fake, s.t.clock, 6811, 'en', 'bob_before');
    await renamed.send(renamed.message('/start'));
    const after = new TelegramUser(s.fake, s.t.clock, 6811, 'en', 'bob_after');
    await after.send(after.message('/menu'));
    expect(textOf(await admin.send(admin.message('/find @bob_before')))).toBe(en('telegram.admin.find.none'));
    expect(textOf(await admin.send(admin.message('/find @bob_after')))).toContain('User 6811');
  });

  it('suspends with the typed reason, resumes, and terminates only after "are you sure?", audited; a second tap is a conflict', async () => {
    const { shop } = s.t;
    const card = await admin.send(admin.message('/find @alice_vpn'));
    const subCard = await admin.press(card, 'as:');
    const subId = dataOf(subCard, 'ak:suspend:').split(':')[2]!;
    expect(textOf(subCard)).toContain(`${en('adminOps.subscriptions.status')}: ${en('adminOps.subStatus.active')}`);

    const why = await admin.press(subCard, 'ak:suspend:');
    expect(textOf(why)).toContain(en('adminOps.subscriptions.suspendConfirm'));
    expect((await shop.storage.subscriptions.get(subId))?.status).toBe('active');
    const suspended = await admin.send(admin.message('Sharing the account'));
    expect(textOf(suspended)).toBe(en('adminOps.notices.subscription_suspend'));
    expect((await shop.storage.subscriptions.get(subId))?.status).toBe('suspended');

    const resumeCard = await s.fake.waitFor(0, (c) => buttonsOf(c).some((b) => b.callback_data === `ad:resume:${subId}`));
    const resumed = await admin.press(resumeCard, 'ad:resume:', (c) => textOf(c) === en('adminOps.notices.subscription_resume'));
    expect(textOf(resumed)).toBe(en('adminOps.notices.subscription_resume'));
    expect((await shop.storage.subscriptions.get(subId))?.status).toBe('active');

    const activeCard = await admin.send(admin.tap(`as:${subId}`, 1), (c) => hasButton(c, 'ak:terminate:'));
    const sure = await admin.press(activeCard, 'ak:terminate:', (c) => hasButton(c, 'ad:terminate:'));
    expect(textOf(sure)).toBe(en('adminOps.subscriptions.terminateConfirm'));
    expect(textOf(await admin.press(sure, 'axc', (c) => !hasButton(c, 'as:')))).toBe(en('telegram.admin.cancelled'));
    expect((await shop.storage.subscriptions.get(subId))?.status).toBe('active');
    const terminated = await admin.press(sure, 'ad:terminate:', (c) => !hasButton(c, 'ac:'));
    expect(textOf(terminated)).toBe(en('adminOps.notices.subscription_terminate'));
    expect((await shop.storage.subscriptions.get(subId))?.status).toBe('terminated');

    const late = await second.send(second.tap(`ad:terminate:${subId}`, 1));
    expect(textOf(late)).toBe(en('errors.conflict'));

    const audit = (await shop.storage.audit.list({ subjectType: 'subscription', subjectId: subId }, { limit: 50 })).items;
    const byAdmin = audit
      .filter((e) => e.actor.type === 'admin')
      .map((e) => ({ action: e.action, actor: e.actor.id, reason: e.data['reason'] }));
    const actor = `telegram:${ADMIN_TELEGRAM_ID}`;
    expect(byAdmin).toEqual(
      expect.arrayContaining([
        { action: 'subscription.suspended', actor, reason: 'Sharing the account' },
        { action: 'subscription.terminated', actor, reason: 'admin' },
      ]),
    );
    expect(byAdmin.filter((e) => e.action === 'subscription.terminated')).toHaveLength(1);
  });

  it('gives a customer a new subscription link after a confirmation, audited with the admin', async () => {
    const { shop } = s.t;
    const card = await admin.send(admin.message('/find @alice_vpn'), (c) => hasButton(c, 'al:'));
    const customerId = dataOf(card, 'al:').slice('al:'.length);
    const before = await shop.kit.links.tokenFor(customerId);
    const sure = await admin.press(card, 'al:', (c) => hasButton(c, 'ald:'));
    expect(textOf(sure)).toBe(en('telegram.admin.customer.newLinkConfirm'));
    expect(await shop.kit.links.tokenFor(customerId)).toBe(before);
    const done = await admin.press(sure, 'ald:');
    expect(textOf(done)).toBe(en('sublink.notices.rotatedByAdmin'));
    expect(await shop.kit.links.tokenFor(customerId)).not.toBe(before);
    const audit = await shop.storage.audit.list({ subjectType: 'customer', subjectId: customerId }, { limit: 10 });
    expect(audit.items.filter((e) => e.action === 'subscription_link.rotated').map((e) => e.actor)).toEqual([
      { type: 'admin', id: `telegram:${ADMIN_TELEGRAM_ID}` },
    ]);
  });

  it('holds a Telegram admin linked to a support account to support’s rights, acting as that account', async () => {
    const { shop } = s.t;
    const supportUser = new TelegramUser(s.fake, s.t.clock, SUPPORT_ADMIN);
    await supportUser.send(supportUser.message('/start'));
    const staffCustomer = await shop.kit.customers.create({ email: 'support@example.com' });
    const account = await shop.accounts.create({
      email: 'support@example.com',
      passwordHash: 'not-used-here',
      customerId: staffCustomer.id,
      role: 'support',
    });
    await s.shopBot.links.relink({ telegramUserId: String(SUPPORT_ADMIN), chatId: String(SUPPORT_ADMIN), customerId: staffCustomer.id });

    // A receipt, support's work: decided under the staff account's id.
    const { paymentId } = await receiptFrom(6820);
    await supportUser.send(supportUser.tap(`ra:${paymentId}`, 1), (c) => textOf(c) === en('telegram.receipts.approved'));
    expect((await shop.kit.payments.get(paymentId))?.decidedBy).toEqual({ type: 'admin', id: account!.id });

    // The shop's revenue is the owner's on the web's overview: the support admin's summary leaves it out.
    const revenueLine = /^Revenue/m;
    expect(en('telegram.summary.revenue', { revenue: '0' })).toMatch(revenueLine);
    const supportMenu = await supportUser.send(supportUser.message('/menu'));
    expect(textOf(await supportUser.press(supportMenu, 'sum'))).not.toMatch(revenueLine);
    const ownerMenu = await admin.send(admin.message('/menu'));
    expect(textOf(await admin.press(ownerMenu, 'sum'))).toMatch(revenueLine);

    // Evacuating a panel is the owner's on the web: refused here too, and nothing is queued.
    const [panel] = await shop.storage.panels.list();
    expect(textOf(await supportUser.send(supportUser.message('/evacuate')))).toBe(en('telegram.admin.forbidden'));
    expect(textOf(await supportUser.send(supportUser.tap(`evgo:${panel!.id}`, 1)))).toBe(en('telegram.admin.forbidden'));
    expect((await shop.kit.evacuationProgress(panel!.id)).moving).toBe(0);
  });
});
