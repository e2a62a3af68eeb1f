import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { formatDateTime } from '../src/i18n/format.js';
import { DeliveryRefusedError, type NotificationChannel } from '../src/app/notifications/channel.js';
import { shopChannels, type ShopChannels } from '../src/stack/notification-channels.js';
import { deliveriesOf } from '../src/db/notification-deliveries.js';
import { notificationJobs } from '../src/app/notifications/notification-jobs.js';
import { DELIVERY_RETRY, deliveryJobType, FAN_OUT_TYPE } from '../src/db/notification-outbox.js';
import { EVENT_NOTICES_TYPE } from '../src/app/notifications/event-notices.js';
import { RetryLaterError, type HostJobContext } from '@panelkit/sdk';
import { NotificationStore, notificationsOf, writeNotifications } from '../src/db/notifications.js';
import { CUSTOMER_KINDS } from '../src/db/notification-kinds.js';
import { adminGet, fundedBuyer, postForm } from './support/admin-support.js';
import { boughtAndProvisioned, planNamed } from './support/buying.js';
import { receiptSteps } from './support/receipt-steps.js';
import { signedInAdmin, signedUpBuyer, ADMIN, type ShopUnderTest, type Visitor } from './support/shop-under-test.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';
import { receipt, startMoneyShop } from './support/wallet-helpers.js';
import { buyerLinkOf } from '../src/app/subscriptions/buyer-link.js';
import { appButtonsOf } from '../src/app/subscriptions/app-buttons.js';

let sink: SmtpSink;
let t: ShopUnderTest;
let channels: ShopChannels;
/** Runs every due job, the notification jobs on the shop's channels among them (as `startBackground`'s worker does). */
let deliver: () => Promise<number>;
let admin: Visitor;
const { onlyPaymentOf, accepted, review } = receiptSteps(() => t);

beforeAll(async () => {
  sink = await startSmtpSink();
  t = await startMoneyShop({ SMTP_URL: sink.url, MAIL_FROM: 'Test Shop <shop@example.com>', SHOP_NAME: 'Test Shop' });
  channels = shopChannels(t.shop);
  deliver = workerWith(channels.list).drain;
  admin = await signedInAdmin(t.app);
});
afterAll(async () => {
  channels.close();
  await t.close();
  await sink.close();
});

/** A worker for the engine's jobs and the shop's, with notification jobs on these channels. */
function workerWith(list: readonly NotificationChannel[]) {
  return t.shop.kit.createWorker({ hostJobs: [...t.shop.hostJobs, ...notificationJobs(t.shop, list)] });
}

const mailsTo = (email: string) => sink.received.filter((m) => m.to.includes(email));
const kindsOf = async (customerId: string) => (await notificationsOf(t.shop).history(customerId, { limit: 100 })).items.map((n) => n.kind);

async function buyer(amount = 10_000) {
  if (amount > 0) return fundedBuyer(t, t.app, amount);
  const signedUp = await signedUpBuyer(t.app);
  return { ...signedUp, customerId: (await t.shop.storage.customers.getByEmail(signedUp.email))!.id };
}

/** The one delivery of the notification written with `source`. */
async function deliveryOfSource(source: string) {
  const { rows } = await t.shop.db.query<{ id: string }>(`SELECT id FROM ${t.shop.shopSchema}.notifications WHERE source = $1`, [source]);
  const [delivery] = await deliveriesOf(t.shop).ofNotification(rows[0]!.id);
  return delivery!;
}

/** A channel that takes messages only together (`sendMany`), keeping each call's messages (address and text). */
function batchPigeon() {
  const sends: { address: string; text: string }[][] = [];
  const pigeon: NotificationChannel = {
    name: 'pigeon',
    addressesOf: async () => [],
    send: async () => {
      throw new Error('sendMany only');
    },
    sendMany: async (messages) => {
      sends.push(messages.map((m) => ({ address: m.address, text: m.message.text })));
      return messages.map(() => null);
    },
  };
  return { pigeon, sends };
}

/** A provisioned-subscription notice to each customer (source `<prefix>:<customer id>`), delivered on the pigeon to their id. */
async function writeProvisionedNotices(prefix: string, customerIds: readonly string[]): Promise<void> {
  await t.shop.storage.transaction((tx) =>
    writeNotifications(
      tx,
      t.shop.shopSchema,
      t.clock.now(),
      customerIds.map((customerId) => ({
        notice: {
          recipient: { kind: 'customer', customerId },
          kind: 'subscription_provisioned',
          source: `${prefix}:${customerId}`,
          params: { subscriptionId: `sub_of_${customerId}` },
        },
        targets: [{ channel: 'pigeon', address: customerId }],
      })),
    ),
  );
}

describe('notifications written with their causes', () => {
  it('a provisioned subscription is mailed to its buyer once, with its link and a Message-ID made of the delivery key', async () => {
    const b = await buyer();
    const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
    const subId = await boughtAndProvisioned(t, b, plan.id);
    const sub = (await t.shop.storage.subscriptions.get(subId))!;
    await deliver();
    await deliver();
    const mails = mailsTo(b.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe(`Your subscription is ready: ${plan.name}`);
    expect(sub.subscriptionUrl).not.toBeNull();
    expect(mails[0]!.text).toContain(await buyerLinkOf(t.shop, b.customerId));
    expect(mails[0]!.text).not.toContain(sub.subscriptionUrl!);
    // The same one-tap imports as the link's page and the bot, each through the shop's https hop.
    for (const button of await appButtonsOf(t.shop, b.customerId)) expect(mails[0]!.text).toContain(`${button.app.name}: ${button.url}`);
    expect(mails[0]!.text).toContain(`Happ: ${await buyerLinkOf(t.shop, b.customerId)}/open/happ`);
    expect(mails[0]!.text).toContain('— Test Shop');
    const [notification] = (await notificationsOf(t.shop).history(b.customerId, { limit: 10 })).items;
    const deliveries = await deliveriesOf(t.shop).ofNotification(notification!.id);
    expect(deliveries.map((d) => [d.channel, d.address, d.status])).toEqual([['email', b.email, 'sent']]);
    expect(mails[0]!.messageId).toBe(`<${deliveries[0]!.idempotencyKey}@example.com>`);
    const page = await b.agent.get('/account/notifications').expect(200);
    expect(page.text).toContain(`Your subscription is ready: ${plan.name}`);
    expect(page.text).toContain(await buyerLinkOf(t.shop, b.customerId));
    expect(page.text).not.toContain(sub.subscriptionUrl!);
  });

  it("an event's notice is written with its deliveries and their send jobs in one job: no fan-out job, and a rerun writes and queues nothing twice", async () => {
    const b = await buyer();
    const subId = await boughtAndProvisioned(t, b, (await planNamed(t, 'Frankfurt · 1 month · 50')).id);
    await deliver();
    const [notification] = (await notificationsOf(t.shop).history(b.customerId, { limit: 10 })).items;
    expect(notification?.kind).toBe('subscription_provisioned');
    expect(notification!.fannedOutAt).not.toBeNull();
    const jobsOf = async (type: string) => (await t.shop.storage.jobs.list({ type }, { limit: 500 })).items;
    expect((await jobsOf(FAN_OUT_TYPE)).filter((j) => j.payload['notificationId'] === notification!.id)).toEqual([]);
    const [delivery] = await deliveriesOf(t.shop).ofNotification(notification!.id);
    expect([delivery!.channel, delivery!.status]).toEqual(['email', 'sent']);

    // The notices job run again (a worker that died after its commit): nothing written, nothing queued, nothing sent.
    const event = (await jobsOf(EVENT_NOTICES_TYPE)).find(
      (j) => j.payload['action'] === 'subscription.provisioned' && j.payload['subjectId'] === subId,
    );
    const notices = notificationJobs(t.shop, channels.list).find((j) => j.type === EVENT_NOTICES_TYPE)!;
    await notices.run(event!.payload, { job: event! } as HostJobContext);
    await deliver();
    expect((await notificationsOf(t.shop).history(b.customerId, { limit: 10 })).items.map((n) => n.id)).toEqual([notification!.id]);
    expect((await deliveriesOf(t.shop).ofNotification(notification!.id)).map((d) => d.id)).toEqual([delivery!.id]);
    expect((await jobsOf(deliveryJobType('email'))).filter((j) => j.payload['deliveryId'] === delivery!.id)).toHaveLength(1);
    expect(mailsTo(b.email)).toHaveLength(1);
  });

  it('the events of one claim are written together, each as alone: a new notice with its delivery, a muted one without, one written before untouched', async () => {
    const [fresh, muted, before] = [await buyer(), await buyer(), await buyer()];
    await postForm(muted, '/account/notifications', { send: ['refund'] }).expect(303);
    const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
    const subs = [
      await boughtAndProvisioned(t, fresh, plan.id),
      await boughtAndProvisioned(t, muted, plan.id),
      await boughtAndProvisioned(t, before, plan.id),
    ];
    const jobsOf = async (type: string) => (await t.shop.storage.jobs.list({ type }, { limit: 500 })).items;
    const events = await Promise.all(
      subs.map(
        async (subId) =>
          (await jobsOf(EVENT_NOTICES_TYPE)).find(
            (j) => j.payload['action'] === 'subscription.provisioned' && j.payload['subjectId'] === subId,
          )!,
      ),
    );
    const notices = notificationJobs(t.shop, channels.list).find((j) => j.type === EVENT_NOTICES_TYPE)!;
    await notices.run(events[2]!.payload, { job: events[2]! } as HostJobContext);
    const [written] = (await notificationsOf(t.shop).history(before.customerId, { limit: 10 })).items;

    // As the worker hands them over when one claim brings them (a provisioning batch's events are enqueued together).
    await notices.runMany!(events.map((job) => ({ payload: job.payload, context: { job } as HostJobContext })));
    await deliver();
    const historyOf = async (customerId: string) => (await notificationsOf(t.shop).history(customerId, { limit: 10 })).items;
    const [ofFresh, ofMuted, ofBefore] = [
      await historyOf(fresh.customerId),
      await historyOf(muted.customerId),
      await historyOf(before.customerId),
    ];
    expect(ofFresh.map((n) => [n.kind, n.muted])).toEqual([['subscription_provisioned', false]]);
    expect(ofMuted.map((n) => [n.kind, n.muted])).toEqual([['subscription_provisioned', true]]);
    expect(ofBefore.map((n) => n.id)).toEqual([written!.id]);
    expect((await deliveriesOf(t.shop).ofNotification(ofFresh[0]!.id)).map((d) => [d.channel, d.address, d.status])).toEqual([
      ['email', fresh.email, 'sent'],
    ]);
    expect(await deliveriesOf(t.shop).ofNotification(ofMuted[0]!.id)).toEqual([]);
    const [delivery] = await deliveriesOf(t.shop).ofNotification(written!.id);
    expect((await jobsOf(deliveryJobType('email'))).filter((j) => j.payload['deliveryId'] === delivery!.id)).toHaveLength(1);
    expect([mailsTo(fresh.email).length, mailsTo(muted.email).length, mailsTo(before.email).length]).toEqual([1, 0, 1]);
  });

  it('a notice written by a cause that does not know the channels is fanned out by its job and sent once, or muted when turned off', async () => {
    const [told, muted] = [await buyer(), await buyer()];
    await notificationsOf(t.shop).setOptedOut(muted.customerId, ['refund']);
    const refund = (customerId: string) => ({
      recipient: { kind: 'customer' as const, customerId },
      kind: 'refund' as const,
      source: `test:${customerId}`,
      params: { amount: 500, currency: 'USD', reason: 'by_shop', note: null },
    });
    for (const b of [told, muted]) expect(await notificationsOf(t.shop).write(refund(b.customerId))).toBe(true);
    const [toTold] = (await notificationsOf(t.shop).history(told.customerId, { limit: 10 })).items;
    expect(toTold!.fannedOutAt).toBeNull();
    await deliver();
    await deliver();
    expect((await deliveriesOf(t.shop).ofNotification(toTold!.id)).map((d) => [d.channel, d.status])).toEqual([['email', 'sent']]);
    expect(mailsTo(told.email).map((m) => m.subject)).toEqual(['$5.00 was refunded to your wallet']);
    const [toMuted] = (await notificationsOf(t.shop).history(muted.customerId, { limit: 10 })).items;
    expect([toMuted!.fannedOutAt !== null, toMuted!.muted]).toEqual([true, true]);
    expect(await deliveriesOf(t.shop).ofNotification(toMuted!.id)).toEqual([]);
    expect(mailsTo(muted.email)).toEqual([]);
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
    await deliver();
    const [mail] = mailsTo(b.email);
    expect(mail!.subject).toBe('Your payment of $12.00 was not accepted');
    expect(mail!.text).toContain('Note: blurry photo');
  });
});

describe('in the buyer language', () => {
  it('a Farsi buyer is warned of expiry with the Jalali date and Persian digits', async () => {
    const b = await buyer();
    await t.shop.storage.customers.update(b.customerId, { locale: 'fa' });
    const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
    const sub = (await t.shop.storage.subscriptions.get(await boughtAndProvisioned(t, b, plan.id)))!;
    await deliver();
    t.clock.set(new Date(sub.expiresAt!.getTime() - 71 * 3_600_000));
    await t.shop.kit.createScheduler().tick();
    await t.drain(); // the warning's notices job
    await deliver();
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
    await deliver();
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
    await deliver();
    expect(mailsTo(b.email)).toEqual([]);
    const [notification] = (await notificationsOf(t.shop).history(b.customerId, { limit: 1 })).items;
    const [refused] = await deliveriesOf(t.shop).ofNotification(notification!.id);
    expect([refused!.status, refused!.attempts]).toEqual(['pending', 1]);
    // Not before its backoff.
    await deliver();
    expect(mailsTo(b.email)).toEqual([]);
    t.clock.advance(60 * 60_000);
    await deliver();
    expect(mailsTo(b.email)).toHaveLength(1);
  });

  it('the sends of one claim run together, each its own outcome: one sent, one refused for good, one retried and sent once later', async () => {
    let busy = true;
    const calls: string[] = [];
    const pigeon: NotificationChannel = {
      name: 'pigeon',
      addressesOf: async () => [],
      send: async (address, _message, key) => {
        calls.push(address);
        if (address === 'refusing') throw new DeliveryRefusedError('no perch');
        if (address === 'busy' && busy) throw new RetryLaterError('the loft is busy', 60_000);
        calls.push(`${address} ${key}`);
      },
    };
    const addresses = ['fine', 'refusing', 'busy'];
    await t.shop.storage.transaction((tx) =>
      writeNotifications(
        tx,
        t.shop.shopSchema,
        t.clock.now(),
        addresses.map((address) => ({
          notice: { recipient: { kind: 'staff' }, kind: 'panel_down', source: `pigeon:${address}`, params: { panel: address } },
          targets: [{ channel: 'pigeon', address }],
        })),
      ),
    );
    const reads = vi.spyOn(NotificationStore.prototype, 'ofDeliveries');
    const pigeons = workerWith([pigeon]);
    expect(await pigeons.drain()).toBeGreaterThanOrEqual(3);
    // One read of the three deliveries: they ran as one call.
    expect(reads.mock.calls.map(([ids]) => ids.length)).toContain(3);
    reads.mockRestore();
    const stateOf = async (address: string) => {
      const d = await deliveryOfSource(`pigeon:${address}`);
      return [d.status, d.attempts, d.lastError];
    };
    expect(await stateOf('fine')).toEqual(['sent', 1, null]);
    expect(await stateOf('refusing')).toEqual(['failed', 1, 'no perch']);
    expect(await stateOf('busy')).toEqual(['pending', 1, 'the loft is busy']);
    busy = false;
    t.clock.advance(60_000);
    await pigeons.drain();
    expect(await stateOf('busy')).toEqual(['sent', 2, null]);
    expect(calls.filter((c) => c.includes(' ')).map((c) => c.split(' ')[0])).toEqual(['fine', 'busy']);
  });

  it("a claim's buyer notices read their buyers and links once each and go to the channel together, each with its own buyer's link and language", async () => {
    const { pigeon, sends } = batchPigeon();
    const buyers = [await buyer(0), await buyer(0), await buyer(0)];
    await t.shop.storage.customers.update(buyers[1]!.customerId, { locale: 'ru' });
    await writeProvisionedNotices(
      'pigeon:links',
      buyers.map((b) => b.customerId),
    );
    const getMany = vi.spyOn(t.shop.storage.customers, 'getMany');
    const get = vi.spyOn(t.shop.storage.customers, 'get');
    const tokensFor = vi.spyOn(t.shop.kit.links, 'tokensFor');
    const tokenFor = vi.spyOn(t.shop.kit.links, 'tokenFor');
    try {
      await workerWith([pigeon]).drain();
      expect(sends.map((batch) => batch.length)).toEqual([3]);
      expect(getMany).toHaveBeenCalledTimes(1);
      expect(tokensFor).toHaveBeenCalledTimes(1);
      expect(get).not.toHaveBeenCalled();
      expect(tokenFor).not.toHaveBeenCalled();
    } finally {
      for (const spy of [getMany, get, tokensFor, tokenFor]) spy.mockRestore();
    }
    for (const b of buyers) {
      const [sent] = sends[0]!.filter((m) => m.address === b.customerId);
      expect(sent!.text).toContain(await buyerLinkOf(t.shop, b.customerId));
      for (const other of buyers) if (other !== b) expect(sent!.text).not.toContain(await buyerLinkOf(t.shop, other.customerId));
    }
    // Each in its reader's language: the one Russian buyer's in Cyrillic, the others' not.
    const cyrillic = sends[0]!.filter((m) => /[а-яА-Я]/.test(m.text)).map((m) => m.address);
    expect(cyrillic).toEqual([buyers[1]!.customerId]);
  });

  it("a buyer of the batch whose link cannot be made fails alone; the others' notices go out", async () => {
    const { pigeon, sends } = batchPigeon();
    const b = await buyer(0);
    await writeProvisionedNotices('pigeon:gone', [b.customerId, 'cus_gone']);
    await workerWith([pigeon]).drain();
    expect(sends.flat().map((m) => m.address)).toEqual([b.customerId]);
    const stateOf = async (customerId: string) => {
      const d = await deliveryOfSource(`pigeon:gone:${customerId}`);
      return [d.status, d.attempts];
    };
    expect(await stateOf(b.customerId)).toEqual(['sent', 1]);
    // Its NotFoundError is for good: the delivery fails at once (no retry can make the link).
    expect(await stateOf('cus_gone')).toEqual(['failed', 1]);
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
    const strict = workerWith([...channels.list, flaky]);
    await boughtAndProvisioned({ ...t, drain: strict.drain }, b, (await planNamed(t, 'Frankfurt · 1 month · 50')).id);
    // Past the give-up time (a day and a half of failing): the next attempt is the last.
    t.clock.advance(DELIVERY_RETRY.giveUpAfterMs);
    await strict.drain();
    const failed = (await deliveriesOf(t.shop).listFailed(100)).filter((d) => d.address === `flaky:${b.customerId}`);
    expect(failed.map((d) => [d.kind, d.attempts, d.lastError])).toEqual([['subscription_provisioned', 2, 'flaky is down']]);
    const adminPage = await adminGet(admin, '/admin/deliveries');
    expect(adminPage.html).toContain(`data-delivery-id="${failed[0]!.id}"`);
    await postForm(admin, `/admin/deliveries/${failed[0]!.id}/retry`, {}).expect(303);
    // A second click queues nothing more.
    await postForm(admin, `/admin/deliveries/${failed[0]!.id}/retry`, {}).expect(404);
    up = true;
    await strict.drain();
    await strict.drain();
    expect(sent).toEqual([`flaky:${b.customerId} ${failed[0]!.idempotencyKey}`]);
    expect(mailsTo(b.email)).toHaveLength(1);
  });
});

describe('a worker that dies mid-send', () => {
  it('leaves its job leased until the lease expires; the delivery is then sent again with the same key, and only then', async () => {
    const sent: string[] = [];
    const recording: NotificationChannel = {
      name: 'recording',
      addressesOf: async (r) => (r.kind === 'customer' ? [`rec:${r.customerId}`] : []),
      send: async (_address, _message, key) => void sent.push(key),
    };
    const jobs = notificationJobs(t.shop, [recording]);
    // Provisioned, its notice written and fanned out to the recording channel, not sent yet.
    const fanningOut = t.shop.kit.createWorker({
      hostJobs: [...t.shop.hostJobs, ...jobs.filter((j) => j.type !== deliveryJobType('recording'))],
    });
    const b = await buyer();
    await boughtAndProvisioned({ ...t, drain: fanningOut.drain }, b, (await planNamed(t, 'Frankfurt · 1 month · 50')).id);
    const [notification] = (await notificationsOf(t.shop).history(b.customerId, { limit: 1 })).items;
    const [delivery] = await deliveriesOf(t.shop).ofNotification(notification!.id);
    expect([delivery!.channel, delivery!.status]).toEqual(['recording', 'pending']);
    // A worker claims the send, sends, and dies before it can mark the job done.
    const [claimed] = await t.shop.storage.jobs.claim({
      workerId: 'dies',
      limit: 1,
      leaseMs: 60_000,
      types: [deliveryJobType('recording')],
    });
    expect(claimed?.job.payload).toEqual({ deliveryId: delivery!.id });
    await recording.send(delivery!.address, { subject: '', text: '' }, delivery!.idempotencyKey);
    const survivor = t.shop.kit.createWorker({ hostJobs: jobs, engineJobs: false });
    // While the lease holds, nobody else sends it.
    await survivor.drain();
    expect(sent).toHaveLength(1);
    t.clock.advance(2 * 60_000);
    await t.shop.kit.createScheduler().tick(); // reaps the expired lease
    await survivor.drain();
    expect(sent).toEqual([delivery!.idempotencyKey, delivery!.idempotencyKey]);
    expect((await deliveriesOf(t.shop).get(delivery!.id))?.status).toBe('sent');
    await survivor.drain();
    expect(sent).toHaveLength(2);
  });
});

describe('the background loop', () => {
  it('its worker delivers through the channels it is given', async () => {
    const { startBackground } = await import('../src/stack/background.js');
    const b = await buyer();
    // Provisioned; the background's worker writes its notice, fans it out and sends it.
    const withoutNotices = t.shop.kit.createWorker({ hostJobs: t.shop.hostJobs });
    await boughtAndProvisioned({ ...t, drain: withoutNotices.drain }, b, (await planNamed(t, 'Frankfurt · 1 month · 50')).id);
    const sent: string[] = [];
    const recording: NotificationChannel = {
      name: 'recording',
      addressesOf: async (r) => (r.kind === 'customer' ? [`rec:${r.customerId}`] : []),
      send: async (address, message) => void sent.push(`${address} ${message.subject}`),
    };
    const background = startBackground(t.shop, { tickEveryMs: 3_600_000, channels: [recording] });
    try {
      const ready = `rec:${b.customerId} Your subscription is ready: ${(await planNamed(t, 'Frankfurt · 1 month · 50')).name}`;
      await vi.waitFor(() => expect(sent).toContain(ready), { timeout: 20_000, interval: 50 });
    } finally {
      await background.stop();
    }
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
    await boughtAndProvisioned(
      { ...t, drain: workerWith([...channels.list, side]).drain },
      b,
      (await planNamed(t, 'Frankfurt · 1 month · 50')).id,
    );
    const [notification] = (await notificationsOf(t.shop).history(b.customerId, { limit: 1 })).items;
    const before = await deliveriesOf(t.shop).ofNotification(notification!.id);
    const sideBefore = before.find((d) => d.channel === 'side')!;
    t.clock.advance(24 * 3_600_000);
    await deliver();
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
    await deliver();
    await deliver();
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
    await deliver();
    await t.shop.kit.checkPanelHealth(demo.panel.id);
    await t.drain();
    await deliver();
    await deliver();
    const alerts = mailsTo(ADMIN.email).filter((m) => m.subject.includes(demo.panel.name));
    expect(alerts.map((m) => m.subject)).toEqual([`Panel down: ${demo.panel.name}`, `Panel back: ${demo.panel.name}`]);
  });

  it('a client its panel cannot read alerts the staff once, however many usage syncs find it', async () => {
    const demo = t.shop.demo!.panels[0]!;
    const adapter = await t.shop.kit.panels.adapter(demo.panel.id);
    const list = adapter.listClients.bind(adapter);
    const poisoned = { username: null, position: 0, after: null, before: 'first-readable', message: 'panel failed with 500' };
    adapter.listClients = async (request, ctx) => ({ ...(await list(request, ctx)), unreadable: [poisoned] });
    try {
      const scheduler = t.shop.kit.createScheduler();
      for (let i = 0; i < 3; i++) {
        t.clock.advance(120_000);
        await scheduler.tick();
        await t.drain();
        await deliver();
      }
    } finally {
      adapter.listClients = list;
    }
    const alerts = mailsTo(ADMIN.email).filter((m) => m.subject === `A client on ${demo.panel.name} cannot be read`);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.text).toContain('listed after — and before first-readable');
    expect(alerts[0]!.text).toContain('panel failed with 500');
  });
});
