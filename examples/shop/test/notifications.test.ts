import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDateTime } from '../src/i18n/format.js';
import type { NotificationChannel } from '../src/notifications/channel.js';
import { shopChannels, type ShopChannels } from '../src/notifications/channels.js';
import { deliveriesOf } from '../src/notifications/deliveries.js';
import { createNotifier, type Notifier } from '../src/notifications/notifier.js';
import { createPostgresStorage } from '@panelkit/storage-postgres';
import { adoptUnrelayedEvents } from '../src/notifications/event-notices.js';
import { notificationsOf } from '../src/notifications/store.js';
import { CUSTOMER_KINDS } from '../src/notifications/kinds.js';
import { adminGet, fundedBuyer, postForm } from './support/admin-support.js';
import { boughtAndProvisioned, planNamed } from './support/buying.js';
import { receiptSteps } from './support/receipt-steps.js';
import { signedInAdmin, signedUpBuyer, ADMIN, type ShopUnderTest, type Visitor } from './support/shop-under-test.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';
import { receipt, startMoneyShop } from './support/wallet-helpers.js';

let sink: SmtpSink;
let t: ShopUnderTest;
let channels: ShopChannels;
let notifier: Notifier;
let admin: Visitor;
const { onlyPaymentOf, accepted, review } = receiptSteps(() => t);

beforeAll(async () => {
  sink = await startSmtpSink();
  t = await startMoneyShop({ SMTP_URL: sink.url, MAIL_FROM: 'Test Shop <shop@example.com>', SHOP_NAME: 'Test Shop' });
  channels = shopChannels(t.shop);
  notifier = createNotifier(t.shop, channels.list, { random: () => 0.5 });
  admin = await signedInAdmin(t.app);
});
afterAll(async () => {
  channels.close();
  await t.close();
  await sink.close();
});

const mailsTo = (email: string) => sink.received.filter((m) => m.to.includes(email));
const kindsOf = async (customerId: string) => (await notificationsOf(t.shop).history(customerId, { limit: 100 })).items.map((n) => n.kind);

async function buyer(amount = 10_000) {
  if (amount > 0) return fundedBuyer(t, t.app, amount);
  const signedUp = await signedUpBuyer(t.app);
  return { ...signedUp, customerId: (await t.shop.storage.customers.getByEmail(signedUp.email))!.id };
}

describe('notifications written with their causes', () => {
  it('a provisioned subscription is mailed to its buyer once, with its link and a Message-ID made of the delivery key', async () => {
    const b = await buyer();
    const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
    const subId = await boughtAndProvisioned(t, b, plan.id);
    const sub = (await t.shop.storage.subscriptions.get(subId))!;
    await notifier.runOnce();
    await notifier.runOnce();
    const mails = mailsTo(b.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe(`Your subscription is ready: ${plan.name}`);
    expect(sub.subscriptionUrl).not.toBeNull();
    expect(mails[0]!.text).toContain(sub.subscriptionUrl!);
    expect(mails[0]!.text).toContain('— Test Shop');
    const [notification] = (await notificationsOf(t.shop).history(b.customerId, { limit: 10 })).items;
    const deliveries = await deliveriesOf(t.shop).ofNotification(notification!.id);
    expect(deliveries.map((d) => [d.channel, d.address, d.status])).toEqual([['email', b.email, 'sent']]);
    expect(mails[0]!.messageId).toBe(`<${deliveries[0]!.idempotencyKey}@example.com>`);
    const page = await b.agent.get('/account/notifications').expect(200);
    expect(page.text).toContain(`Your subscription is ready: ${plan.name}`);
    expect(page.text).toContain(sub.subscriptionUrl!);
  });

  it('an audit event rolled back with its transaction notifies nobody; a committed one notifies once (its job, enqueued in that transaction, keyed by the event)', async () => {
    const b = await buyer();
    const subId = await boughtAndProvisioned(t, b, (await planNamed(t, 'Frankfurt · 1 month · 50')).id);
    const expired = {
      actor: { type: 'scheduler' as const, id: null },
      action: 'subscription.expired',
      subjectType: 'subscription',
      subjectId: subId,
      data: { from: 'active' },
    };
    await expect(
      t.shop.storage.transaction(async (tx) => {
        await tx.audit.append(expired);
        throw new Error('the cause failed');
      }),
    ).rejects.toThrow('the cause failed');
    await t.drain();
    expect(await kindsOf(b.customerId)).not.toContain('subscription_expired');

    await t.shop.storage.audit.append(expired);
    await Promise.all([t.drain(), t.drain()]);
    await t.drain();
    expect((await kindsOf(b.customerId)).filter((k) => k === 'subscription_expired')).toHaveLength(1);
  });

  it('a receipt decision and its notice cannot part: the notice comes from the decision’s own audit event, retried until it is written', async () => {
    const b = await buyer(0);
    await accepted(b, receipt({ amount: '12' }));
    const payment = await onlyPaymentOf(b.email);
    const table = `${t.shop.shopSchema}.notifications`;
    await t.shop.db.query(`ALTER TABLE ${table} ADD CONSTRAINT test_no_rejections CHECK (kind <> 'receipt_rejected')`);
    try {
      expect((await review(admin, payment.id, 'reject', 'blurry photo')).status).toBe(303);
      // The decision's notices job fails against the constraint and waits for its next attempt.
      await t.drain();
    } finally {
      await t.shop.db.query(`ALTER TABLE ${table} DROP CONSTRAINT test_no_rejections`);
    }
    expect((await onlyPaymentOf(b.email)).status).toBe('rejected');
    expect(await kindsOf(b.customerId)).toEqual([]);
    t.clock.advance(60 * 60_000);
    await t.drain();
    await t.drain();
    expect(await kindsOf(b.customerId)).toEqual(['receipt_rejected']);
    await notifier.runOnce();
    const [mail] = mailsTo(b.email);
    expect(mail!.subject).toBe('Your payment of $12.00 was not accepted');
    expect(mail!.text).toContain('Note: blurry photo');
  });
});

describe('upgrading from the polling relay', () => {
  it('an event an older release wrote (no job) and its relay had not reached is notified once at start', async () => {
    const b = await buyer();
    const subId = await boughtAndProvisioned(t, b, (await planNamed(t, 'Frankfurt · 1 month · 50')).id);
    const expiredOf = async () => (await kindsOf(b.customerId)).filter((k) => k === 'subscription_expired');
    // The old release's storage: no audit outbox, so its events enqueued nothing.
    const old = createPostgresStorage({ client: t.shop.db, schema: t.config.schema, clock: t.clock });
    await old.audit.append({
      actor: { type: 'scheduler', id: null },
      action: 'subscription.expired',
      subjectType: 'subscription',
      subjectId: subId,
      data: { from: 'active' },
    });
    await t.drain();
    expect(await expiredOf()).toEqual([]);
    // Its relay had read up to a minute before the event (within its 10-minute look-back).
    const relay = (at: Date) =>
      t.shop.db.query(
        `INSERT INTO ${t.shop.shopSchema}.notification_relay (name, position_at) VALUES ('audit', $1)
         ON CONFLICT (name) DO UPDATE SET position_at = excluded.position_at`,
        [at],
      );
    await relay(new Date(t.clock.now().getTime() - 60_000));
    expect(await adoptUnrelayedEvents(t.shop)).toBeGreaterThan(0);
    await t.drain();
    expect(await expiredOf()).toEqual(['subscription_expired']);
    // Adopting again (a second replica starting from the same position) writes nothing twice; without a position, nothing.
    await relay(new Date(t.clock.now().getTime() - 60_000));
    await adoptUnrelayedEvents(t.shop);
    await t.drain();
    expect(await expiredOf()).toEqual(['subscription_expired']);
    expect(await adoptUnrelayedEvents(t.shop)).toBe(0);
  });
});

describe('in the buyer language', () => {
  it('a Farsi buyer is warned of expiry with the Jalali date and Persian digits', async () => {
    const b = await buyer();
    await t.shop.storage.customers.update(b.customerId, { locale: 'fa' });
    const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
    const sub = (await t.shop.storage.subscriptions.get(await boughtAndProvisioned(t, b, plan.id)))!;
    await notifier.runOnce();
    t.clock.set(new Date(sub.expiresAt!.getTime() - 71 * 3_600_000));
    await t.shop.kit.createScheduler().tick();
    await t.drain(); // the warning's notices job
    await notifier.runOnce();
    const warning = mailsTo(b.email).find((m) => m.subject.includes('تمام می‌شود'));
    expect(warning).toBeDefined();
    // The plan by its Farsi name (the demo's plans have one).
    const farsiName = 'فرانکفورت · یک ماه · ۵۰ گیگابایت';
    expect(warning!.subject).toBe(`${farsiName} تا ۳ روز دیگر تمام می‌شود`);
    const jalali = formatDateTime(sub.expiresAt!, 'fa', t.config.timeZone);
    expect(jalali).toMatch(/[۰-۹]/);
    expect(warning!.text).toContain(jalali);
    expect(mailsTo(b.email)[0]!.subject).toBe(`اشتراک شما آماده است: ${farsiName}`);
  });
});

describe('opting out', () => {
  it('a kind the buyer turned off is kept in the history, marked, and sent nowhere', async () => {
    const b = await buyer();
    const page = await adminGet(b, '/account/notifications');
    expect(page.html).toContain('value="subscription_provisioned" checked');
    const keep = ['expiry_soon', 'refund'];
    await postForm(b, '/account/notifications', { send: keep }).expect(303);
    expect([...(await notificationsOf(t.shop).optedOut(b.customerId))]).toHaveLength(CUSTOMER_KINDS.length - keep.length);
    await boughtAndProvisioned(t, b, (await planNamed(t, 'Frankfurt · 1 month · 50')).id);
    await notifier.runOnce();
    expect(mailsTo(b.email)).toEqual([]);
    const history = await b.agent.get('/account/notifications').expect(200);
    expect(history.text).toContain('data-kind="subscription_provisioned"');
    expect(history.text).toContain('not sent (turned off)');
    expect(history.text).not.toContain('value="subscription_provisioned" checked');
  });

  it('an unknown kind is refused with 400 and changes nothing', async () => {
    const b = await buyer();
    await postForm(b, '/account/notifications', { send: ['refund', 'everything'] }).expect(400);
    expect((await notificationsOf(t.shop).optedOut(b.customerId)).size).toBe(0);
  });

  it('the page reads in Farsi too', async () => {
    const b = await buyer();
    await b.agent.get('/lang/fa?next=/account/notifications').redirects(0);
    const res = await b.agent.get('/account/notifications').expect(200);
    expect(res.text).toContain('اعلان‌ها');
    expect(res.text).toContain('آماده شدن اشتراک (با لینک)');
  });
});

describe('retries', () => {
  it('a refused mail is retried after a backoff, and sent once', async () => {
    const b = await buyer();
    sink.refuseNext(1);
    await boughtAndProvisioned(t, b, (await planNamed(t, 'Frankfurt · 1 month · 50')).id);
    const first = await notifier.runOnce();
    expect(first.failed).toBe(1);
    expect(mailsTo(b.email)).toEqual([]);
    expect((await notifier.runOnce()).sent).toBe(0);
    t.clock.advance(60 * 60_000);
    await notifier.runOnce();
    expect(mailsTo(b.email)).toHaveLength(1);
  });

  it('a channel that keeps failing gives up into the admin failed list, from where it is sent again', async () => {
    let up = false;
    const sent: string[] = [];
    const flaky: NotificationChannel = {
      name: 'flaky',
      addressesOf: async (r) => (r.kind === 'customer' ? [`flaky:${r.customerId}`] : []),
      send: async (address, _message, key) => {
        if (!up) throw new Error('flaky is down');
        sent.push(`${address} ${key}`);
      },
    };
    const b = await buyer();
    await boughtAndProvisioned(t, b, (await planNamed(t, 'Frankfurt · 1 month · 50')).id);
    const strict = createNotifier(t.shop, [...channels.list, flaky], {
      retry: { maxAttempts: 2, baseDelayMs: 1000, maxDelayMs: 1000, maxRetryAfterMs: 1000 },
    });
    await strict.runOnce();
    t.clock.advance(60_000);
    await strict.runOnce();
    t.clock.advance(60_000);
    await strict.runOnce();
    const failed = (await deliveriesOf(t.shop).listFailed(100)).filter((d) => d.address === `flaky:${b.customerId}`);
    expect(failed.map((d) => [d.kind, d.attempts, d.lastError])).toEqual([['subscription_provisioned', 2, 'flaky is down']]);
    const adminPage = await adminGet(admin, '/admin/deliveries');
    expect(adminPage.html).toContain(`data-delivery-id="${failed[0]!.id}"`);
    await postForm(admin, `/admin/deliveries/${failed[0]!.id}/retry`, {}).expect(303);
    up = true;
    await strict.runOnce();
    await strict.runOnce();
    expect(sent).toEqual([`flaky:${b.customerId} ${failed[0]!.idempotencyKey}`]);
    expect(mailsTo(b.email)).toHaveLength(1);
  });
});

describe('a worker that dies mid-send', () => {
  it('leaves its lease to expire; the delivery is then sent again with the same key, and only then', async () => {
    const b = await buyer();
    await boughtAndProvisioned(t, b, (await planNamed(t, 'Frankfurt · 1 month · 50')).id);
    await t.drain();
    const [notification] = (await notificationsOf(t.shop).history(b.customerId, { limit: 1 })).items;
    const sent: string[] = [];
    const recording: NotificationChannel = {
      name: 'recording',
      addressesOf: async (r) => (r.kind === 'customer' ? [`rec:${r.customerId}`] : []),
      send: async (_address, _message, key) => void sent.push(key),
    };
    const survivor = createNotifier(t.shop, [recording]);
    // The survivor fans out and sends; the row is then put back to what a worker that sent and died
    // before marking leaves behind: claimed under its lease, not marked sent.
    await t.shop.db.query(`UPDATE ${t.shop.shopSchema}.notifications SET fanned_out_at = NULL WHERE id = $1`, [notification!.id]);
    await survivor.runOnce();
    expect(sent).toHaveLength(1);
    const [delivery] = (await deliveriesOf(t.shop).ofNotification(notification!.id)).filter((d) => d.channel === 'recording');
    await t.shop.db.query(`UPDATE ${t.shop.shopSchema}.notification_deliveries SET status = 'pending', sent_at = NULL WHERE id = $1`, [
      delivery!.id,
    ]);
    const dying = deliveriesOf(t.shop);
    const claimed = await dying.claim(['recording'], 10, 5 * 60_000);
    expect(claimed.map((c) => c.delivery.id)).toContain(delivery!.id);
    // While the lease holds, nobody else sends it.
    await survivor.runOnce();
    expect(sent).toHaveLength(1);
    t.clock.advance(5 * 60_000);
    await survivor.runOnce();
    expect(sent).toEqual([delivery!.idempotencyKey, delivery!.idempotencyKey]);
    // The dead worker's late mark is refused: the lease is no longer its own.
    expect(await dying.markSent(claimed.find((c) => c.delivery.id === delivery!.id)!)).toBe(false);
  });
});

describe('the background loop', () => {
  it('delivers on its first round, through the channels it is given', async () => {
    const { startBackground } = await import('../src/stack/background.js');
    const b = await buyer();
    await boughtAndProvisioned(t, b, (await planNamed(t, 'Frankfurt · 1 month · 50')).id);
    const sent: string[] = [];
    const recording: NotificationChannel = {
      name: 'recording',
      addressesOf: async (r) => (r.kind === 'customer' ? [`rec:${r.customerId}`] : []),
      send: async (address, message) => void sent.push(`${address} ${message.subject}`),
    };
    // The loop runs a round when it starts; stopping waits for it.
    const background = startBackground(t.shop, { tickEveryMs: 3_600_000, channels: [recording] });
    await background.stop();
    expect(sent).toContain(`rec:${b.customerId} Your subscription is ready: ${(await planNamed(t, 'Frankfurt · 1 month · 50')).name}`);
  });
});

describe('replicas with different channels', () => {
  it('a replica without a channel leaves that channel deliveries alone (no attempt spent) for one that has it', async () => {
    const side: NotificationChannel = {
      name: 'side',
      addressesOf: async (r) => (r.kind === 'customer' ? [`side:${r.customerId}`] : []),
      send: async () => {
        throw new Error('not this time');
      },
    };
    const b = await buyer();
    await boughtAndProvisioned(t, b, (await planNamed(t, 'Frankfurt · 1 month · 50')).id);
    await createNotifier(t.shop, [...channels.list, side], { batch: 1 }).runOnce();
    const [notification] = (await notificationsOf(t.shop).history(b.customerId, { limit: 1 })).items;
    const before = await deliveriesOf(t.shop).ofNotification(notification!.id);
    const sideBefore = before.find((d) => d.channel === 'side')!;
    t.clock.advance(24 * 3_600_000);
    await notifier.runOnce();
    const sideAfter = (await deliveriesOf(t.shop).ofNotification(notification!.id)).find((d) => d.channel === 'side')!;
    expect([sideAfter.status, sideAfter.attempts]).toEqual([sideBefore.status, sideBefore.attempts]);
    expect(sideAfter.status).toBe('pending');
  });
});

describe('staff alerts', () => {
  it('a provisioning that fails for good refunds the buyer and alerts the staff, each told once', async () => {
    const b = await buyer();
    const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
    const demo = t.shop.demo!.panels.find((p) => plan.placement.allowedLocations.every((tag) => p.panel.locationTags.includes(tag)))!;
    for (let i = 0; i < 40; i++) demo.sim.injectFault({ kind: 'status', status: 400, on: 'write' });
    let subId: string;
    try {
      const { subscriptions } = await t.shop.kit.checkout({
        customerId: b.customerId,
        items: [{ planId: plan.id }],
        idempotencyKey: 'doomed',
      });
      subId = subscriptions[0]!.id;
      for (let i = 0; i < 10 && (await t.shop.storage.subscriptions.get(subId))!.status === 'pending'; i++) {
        await t.drain();
        t.clock.advance(60 * 60_000);
      }
    } finally {
      demo.sim.clearFaults();
    }
    expect((await t.shop.storage.subscriptions.get(subId))!.status).toBe('failed');
    await notifier.runOnce();
    await notifier.runOnce();
    expect(mailsTo(b.email).map((m) => m.subject)).toEqual(['$5.00 was refunded to your wallet']);
    expect(mailsTo(b.email)[0]!.text).toContain('your subscription could not be set up');
    expect(mailsTo(ADMIN.email).filter((m) => m.subject === `Provisioning failed for good: ${plan.name}`)).toHaveLength(1);
  });

  it('a panel going down and coming back alerts every admin once each, in the staff language', async () => {
    const demo = t.shop.demo!.panels[0]!;
    for (let i = 0; i < 40; i++) demo.sim.injectFault({ kind: 'status', status: 503 });
    await t.shop.kit.checkPanelHealth(demo.panel.id);
    await t.shop.kit.checkPanelHealth(demo.panel.id);
    demo.sim.clearFaults();
    expect((await t.shop.storage.panels.get(demo.panel.id))!.health.status).toBe('unhealthy');
    await t.drain();
    await notifier.runOnce();
    await t.shop.kit.checkPanelHealth(demo.panel.id);
    await t.drain();
    await notifier.runOnce();
    await notifier.runOnce();
    const alerts = mailsTo(ADMIN.email).filter((m) => m.subject.includes(demo.panel.name));
    expect(alerts.map((m) => m.subject)).toEqual([`Panel down: ${demo.panel.name}`, `Panel back: ${demo.panel.name}`]);
  });
});
