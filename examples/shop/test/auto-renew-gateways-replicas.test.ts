import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Payment } from '@panelkit/sdk';
import { ManualClock } from '@panelkit/sdk/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from '../src/app/auth/accounts.js';
import { gatewayTopUpOutcome, startGatewayTopUp } from '../src/app/payments/rails/start-gateway-top-up.js';
import { saveStripeSettings } from '../src/app/payments/stripe/settings.js';
import { saveYooKassaSettings } from '../src/app/payments/yookassa/settings.js';
import { loadConfig } from '../src/config/config.js';
import { deliveriesOf } from '../src/db/notification-deliveries.js';
import { notificationsOf } from '../src/db/notifications.js';
import { StripeSimulator, YooKassaSimulator } from '@panelkit/payment-providers/simulators';
import { openShop, type RunningShop } from '../src/stack/shop.js';
import { startNotifyReplicas, type NotifyReplica, type TelegramSend } from './support/notify-replicas.js';
import { TEST_SECRET_KEYS, TEST_START } from './support/shop-under-test.js';
import type { TakenSchema } from '../../../packages/storage-postgres/test/support/schema-pool.js';
import { takeShopSchema } from './support/pooled-shop-schema.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const PUBLIC_URL = 'http://127.0.0.1:9';

type ChargeAnswer = 'succeed' | 'decline' | 'require_action';

/** A gateway's simulator as these tests drive it: the buyer pays on its page, and it answers saved-method charges as told. */
interface RenewalGateway {
  /** Saves the gateway's settings (on, pointed at the simulator) in the shop. */
  setUp(shop: RunningShop): Promise<void>;
  /** The buyer pays the payment the gateway knows as `ref` on its page (no notification sent). */
  pay(ref: string): Promise<void>;
  /** How the next off-session charges are answered. */
  answer(answer: ChargeAnswer): void;
  /** Off-session charges the gateway made, each once however often asked. */
  charges(): number;
  close(): Promise<void>;
}

interface GatewayCase {
  rail: 'yookassa' | 'stripe';
  currency: string;
  locale: string;
  /** The buyer's way to pay on the rail, when it has ways to pick from. */
  method?: string;
  start(): Promise<RenewalGateway>;
}

const CASES: GatewayCase[] = [
  {
    rail: 'yookassa',
    currency: 'RUB',
    locale: 'ru',
    method: 'sbp',
    async start() {
      const sim = await new YooKassaSimulator().start();
      return {
        setUp: (shop) =>
          saveYooKassaSettings(
            shop,
            { enabled: true, baseUrl: sim.url, shopId: sim.shopId, secretKey: sim.secretKey, receipts: false, vatCode: 1 },
            shop.clock.now(),
            null,
          ),
        pay: async (ref) => void (await sim.pay(ref, { deliveries: 0 })),
        answer: (answer) => (sim.chargeAnswer = answer),
        charges: () => sim.charges.size,
        close: () => sim.close(),
      };
    },
  },
  {
    rail: 'stripe',
    currency: 'USD',
    locale: 'en',
    async start() {
      const sim = await new StripeSimulator().start();
      return {
        setUp: (shop) =>
          saveStripeSettings(
            shop,
            { enabled: true, baseUrl: sim.url, secretKey: sim.secretKey, webhookSecret: sim.webhookSecret },
            shop.clock.now(),
            null,
          ),
        pay: async (ref) => void (await sim.pay(ref, { deliveries: 0 })),
        answer: (answer) => (sim.chargeAnswer = answer),
        charges: () => sim.offSessionCharges.size,
        close: () => sim.close(),
      };
    },
  },
];

/**
 * Auto-renewal charging a buyer's saved method at a real gateway's simulator, on real PostgreSQL, with four worker
 * replicas (each its own OS process with its scheduler, job worker and notification sends) ticking at the same
 * moments of a manual month. Three buyers saved their method with a gateway top-up and bought a monthly plan that
 * renews itself, their wallets empty at renewal: one's charge goes through (one charge at the gateway, one renewal),
 * one's is declined (the subscription expires into its grace period, not renewed, the buyer told once), one's needs
 * the buyer's confirmation (they get the link once; confirmed there, the subscription renews at its expiry from the
 * wallet the charge filled). A fourth confirms only after the expiry, in the grace period: the renewal it paid for is
 * made then, once, the subscription revived with a new period from that moment.
 */
for (const gateway of CASES) {
  describe.skipIf(DATABASE_URL === undefined)(
    `auto-renewal charged at ${gateway.rail} by four replicas${DATABASE_URL === undefined ? ' (skipped: PANELKIT_TEST_DATABASE_URL is not set)' : ''}`,
    () => {
      const env = {
        DATABASE_URL: DATABASE_URL as string,
        DATABASE_SCHEMA: '',
        SHOP_SECRET: `renewals-secret-${gateway.rail}-renewals-secret-0123`,
        SHOP_SECRET_KEYS: TEST_SECRET_KEYS,
        SHOP_CURRENCY: gateway.currency,
        PUBLIC_URL,
        LOG_LEVEL: 'silent',
        DATA_DIR: mkdtempSync(join(tmpdir(), `panelkit-renew-${gateway.rail}-`)),
      };
      const clock = new ManualClock(TEST_START);
      let taken: TakenSchema | undefined;
      const telegram: TelegramSend[] = [];
      const replicas: NotifyReplica[] = [];
      let web: RunningShop;
      let sim: RenewalGateway;

      beforeAll(async () => {
        taken = await takeShopSchema(env.DATABASE_URL);
        env.DATABASE_SCHEMA = taken.schema;
        sim = await gateway.start();
        web = await openShop(loadConfig({ ...env, DEMO_PANEL: 'on' }), { clock, logger: pino({ level: 'silent' }) });
        await sim.setUp(web);
        const names = ['replica-a', 'replica-b', 'replica-c', 'replica-d'];
        replicas.push(...(await startNotifyReplicas(names, env, TEST_START, (send) => telegram.push(send))));
      }, 180_000);

      afterAll(async () => {
        await Promise.all(replicas.map((r) => r.stop()));
        await web?.close();
        await sim?.close();
        await taken?.giveBack();
        rmSync(env.DATA_DIR, { recursive: true, force: true });
      });

      /** Every replica at `at` at once: each ticks its scheduler and drains its worker. */
      const round = async (at: Date) => {
        clock.set(at);
        await Promise.all(replicas.map((r) => r.round(at)));
      };

      /** A buyer at `at`: a gateway top-up of the plan's price that saves the method, then the plan bought with it, renewing itself. */
      const buyer = async (name: string, at: Date, planId: string, price: number) => {
        clock.set(at);
        const signed = await signUp(web, { email: `${name}@example.com`, password: 'correct horse battery', locale: gateway.locale });
        if (!signed.ok) throw new Error(signed.reason);
        const { customerId } = signed.account;
        const started = await startGatewayTopUp(web, {
          rail: gateway.rail,
          customerId,
          amount: price,
          requestKey: `renewals-${name}-top-up-key`,
          base: PUBLIC_URL,
          from: 'web',
          method: gateway.method ?? null,
          saveMethod: true,
        });
        if (!started.ok) throw new Error(started.reason);
        await sim.pay((await web.kit.payments.get(started.payment.id))!.externalRef!);
        expect(await gatewayTopUpOutcome(web, started.payment.id, {})).toBe('credited');
        expect(await web.kit.payments.savedMethods(customerId)).toMatchObject([{ allowRenewal: true }]);
        const { subscriptions } = await web.kit.checkout({
          customerId,
          items: [{ planId, autoRenew: true }],
          idempotencyKey: `renewals-${name}-buy`,
        });
        await round(at);
        const sub = (await web.storage.subscriptions.get(subscriptions[0]!.id))!;
        expect(sub).toMatchObject({ status: 'active', autoRenew: true });
        expect(await web.storage.ledger.balance(customerId, gateway.currency)).toBe(0);
        return { customerId, sub, expiresAt: sub.expiresAt! };
      };

      const chargesOf = async (customerId: string): Promise<Payment[]> =>
        (await web.storage.payments.list({ customerId }, { limit: 50 })).items.filter((p) => p.details['offSession'] === true);
      const renewalsOf = async (customerId: string) =>
        (await web.storage.ledger.list(customerId, { limit: 50 })).items.filter((e) => e.kind === 'extension');
      /** The buyer's notices of `kind`, each with the Telegram messages its delivery sent. */
      const noticesOf = async (customerId: string, kind: string) => {
        const history = (await notificationsOf(web).history(customerId, { limit: 100 })).items.filter((n) => n.kind === kind);
        return Promise.all(
          history.map(async (notice) => {
            const keys = (await deliveriesOf(web).ofNotification(notice.id)).map((d) => d.idempotencyKey);
            return { notice, sent: telegram.filter((m) => m.address === `chat:${customerId}` && keys.includes(m.idempotencyKey)) };
          }),
        );
      };

      it('charges once per renewal however many replicas tick; a decline leaves it in grace, told once; a confirmation is asked by link', async () => {
        const plan = (await web.storage.plans.list()).find((p) => p.name.startsWith('Frankfurt · 1 month · 50'))!;
        const price = plan.price.amount;
        const renews = await buyer('renews', TEST_START, plan.id, price);
        const declined = await buyer('declined', new Date(TEST_START.getTime() + 2 * DAY), plan.id, price);
        const confirms = await buyer('confirms', new Date(TEST_START.getTime() + 4 * DAY), plan.id, price);
        const late = await buyer('late', new Date(TEST_START.getTime() + 6 * DAY), plan.id, price);
        const dueOf = (b: { expiresAt: Date }, after: number) => new Date(b.expiresAt.getTime() - DAY + after);
        expect(sim.charges()).toBe(0);

        // Paid: four replicas at the renewal's moment, and again an hour later: one charge, one renewal.
        sim.answer('succeed');
        for (const after of [MINUTE, HOUR, 2 * HOUR]) await round(dueOf(renews, after));
        expect(sim.charges()).toBe(1);
        const paid = await chargesOf(renews.customerId);
        expect(paid).toHaveLength(1);
        expect(paid[0]).toMatchObject({ providerId: gateway.rail, status: 'credited', amount: price });
        const renewals = await renewalsOf(renews.customerId);
        expect(renewals).toHaveLength(1);
        expect(renewals[0]!.idempotencyKey).toBe(`renew:${renews.sub.id}:${renews.expiresAt.toISOString()}`);
        expect((await web.storage.subscriptions.get(renews.sub.id))!.expiresAt).toEqual(new Date(renews.expiresAt.getTime() + 30 * DAY));
        expect(await web.storage.ledger.balance(renews.customerId, gateway.currency)).toBe(0);

        // Declined: one charge tried, the subscription runs to its expiry and waits there in its grace period.
        sim.answer('decline');
        for (const after of [MINUTE, HOUR, DAY + MINUTE, DAY + HOUR]) await round(dueOf(declined, after));
        expect(sim.charges()).toBe(2);
        expect(await chargesOf(declined.customerId)).toMatchObject([{ status: 'rejected', details: { chargeStatus: 'declined' } }]);
        expect(await renewalsOf(declined.customerId)).toEqual([]);
        expect(await web.storage.subscriptions.get(declined.sub.id)).toMatchObject({ status: 'expired', expiresAt: declined.expiresAt });
        const told = await noticesOf(declined.customerId, 'renewal_charge_declined');
        expect(told).toHaveLength(1);
        expect(told[0]!.sent).toHaveLength(1);
        // Told of the decline, not (as well) to top up.
        expect(await noticesOf(declined.customerId, 'renewal_failed_funds')).toEqual([]);

        // Needs the buyer: one charge, waiting with the gateway's page; the buyer gets its link once.
        sim.answer('require_action');
        for (const after of [MINUTE, HOUR, 2 * HOUR]) await round(dueOf(confirms, after));
        expect(sim.charges()).toBe(3);
        const [waiting, ...others] = await chargesOf(confirms.customerId);
        expect(others).toEqual([]);
        expect(waiting).toMatchObject({ status: 'pending', details: { chargeStatus: 'requires_action' } });
        const link = waiting!.details['redirectUrl'] as string;
        expect(link.startsWith('http://127.0.0.1:')).toBe(true);
        const asked = await noticesOf(confirms.customerId, 'renewal_action_required');
        expect(asked).toHaveLength(1);
        expect(asked[0]!.sent).toHaveLength(1);
        expect(asked[0]!.sent[0]!.text).toContain(link);
        expect((await web.storage.subscriptions.get(confirms.sub.id))!.expiresAt).toEqual(confirms.expiresAt);

        // The buyer confirms on that page and comes back: credited; at its expiry the subscription renews from the wallet.
        const confirmed = await fetch(link, { method: 'POST', redirect: 'manual' });
        expect([302, 303]).toContain(confirmed.status);
        expect(await gatewayTopUpOutcome(web, waiting!.id, {})).toBe('credited');
        for (const after of [DAY + MINUTE, DAY + HOUR]) await round(dueOf(confirms, after));
        expect(sim.charges()).toBe(3);
        expect(await renewalsOf(confirms.customerId)).toHaveLength(1);
        // Its last chance at expiry: a month from that tick (the first round past its expiry).
        expect(await web.storage.subscriptions.get(confirms.sub.id)).toMatchObject({
          status: 'active',
          expiresAt: new Date(dueOf(confirms, DAY + MINUTE).getTime() + 30 * DAY),
        });
        expect(await web.storage.ledger.balance(confirms.customerId, gateway.currency)).toBe(0);

        // Needs the buyer, who confirms only after the expiry, in the grace period: once the charge is credited
        // the subscription renews (once, however many replicas), revived as an extension by hand revives it.
        for (const after of [MINUTE, HOUR, DAY + MINUTE, DAY + HOUR]) await round(dueOf(late, after));
        expect(sim.charges()).toBe(4);
        const [lateCharge, ...lateOthers] = await chargesOf(late.customerId);
        expect(lateOthers).toEqual([]);
        expect(lateCharge).toMatchObject({ status: 'pending', details: { chargeStatus: 'requires_action' } });
        expect(await web.storage.subscriptions.get(late.sub.id)).toMatchObject({ status: 'expired', expiresAt: late.expiresAt });
        expect(await noticesOf(late.customerId, 'renewal_action_required')).toHaveLength(1);
        const inGrace = new Date(late.expiresAt.getTime() + 2 * DAY);
        clock.set(inGrace);
        const confirmedLate = await fetch(lateCharge!.details['redirectUrl'] as string, { method: 'POST', redirect: 'manual' });
        expect([302, 303]).toContain(confirmedLate.status);
        expect(await gatewayTopUpOutcome(web, lateCharge!.id, {})).toBe('credited');
        for (const at of [inGrace, new Date(inGrace.getTime() + HOUR), new Date(inGrace.getTime() + DAY)]) await round(at);
        expect(sim.charges()).toBe(4);
        const lateRenewals = await renewalsOf(late.customerId);
        expect(lateRenewals).toHaveLength(1);
        expect(lateRenewals[0]!.idempotencyKey).toBe(`renew:${late.sub.id}:${late.expiresAt.toISOString()}`);
        // A new period from the moment the renewal was made (the first round after the confirmation), as `extend` revives.
        expect(await web.storage.subscriptions.get(late.sub.id)).toMatchObject({
          status: 'active',
          expiresAt: new Date(inGrace.getTime() + 30 * DAY),
        });
        expect(await web.storage.ledger.balance(late.customerId, gateway.currency)).toBe(0);
        const renewedNotice = await noticesOf(late.customerId, 'subscription_renewed');
        expect(renewedNotice).toHaveLength(1);
        expect(renewedNotice[0]!.sent).toHaveLength(1);
      }, 600_000);
    },
  );
}
