import { defineHostJob, enqueueHostJob, type HostJobDefinition } from '@panelkit/sdk';
import { GrammyError } from 'grammy';
import { z } from 'zod';
import { TelegramLinkStore } from '../../../db/telegram-links.js';
import { mayRefundOrders, type RefundingStaff } from '../../orders/refund-order.js';
import { telegramApi } from '../../telegram-api.js';
import type { Shop } from '../../shop.js';
import { STARS_PROVIDER } from './provider.js';

/** The host job that gives a Stars payment back through the Bot API. */
export const STARS_REFUND_JOB = 'shop.stars.refund';

const StarsRefundSchema = z.object({ paymentId: z.string().min(1).max(100) });

/** What the owner's refund of a Stars payment came to: queued (or queued before), or why not. */
export type StarsRefundResult =
  | { ok: true }
  | { ok: false; reason: 'forbidden' | 'not_found' | 'not_credited' | 'no_telegram' | 'spent'; balance?: number };

/** Telegram's answer when the charge was refunded already: the refund is done, whoever did it. */
const ALREADY_REFUNDED = /CHARGE_ALREADY_REFUNDED/i;

/**
 * The refund job: `refundStarPayment` for the payment's charge (to the buyer's Telegram user, who paid it:
 * the pre-checkout check holds to that), then the reversal the SDK writes (`payment_reversal`, once). Run
 * again after a crash it finds the charge refunded (Telegram says so) or the payment reversed: once either way.
 */
export function starsRefundJob(shopOf: () => Shop): HostJobDefinition<typeof StarsRefundSchema> {
  return defineHostJob({
    type: STARS_REFUND_JOB,
    payload: StarsRefundSchema,
    retry: { maxAttempts: 12, baseDelayMs: 5_000, maxDelayMs: 30 * 60_000 },
    async run({ paymentId }, { logger }) {
      const shop = shopOf();
      const payment = await shop.kit.payments.get(paymentId);
      if (payment === null || payment.status !== 'credited' || payment.externalRef === null) return;
      const charge = payment.details['settlementRef'];
      const link = await new TelegramLinkStore(shop.db, shop.shopSchema, shop.clock).byCustomer(payment.customerId);
      const telegram = shop.config.telegram;
      if (typeof charge !== 'string' || link === null || telegram === null) throw new Error('the Stars payment cannot be refunded here');
      try {
        await telegramApi(telegram).refundStarPayment(Number(link.telegramUserId), charge);
      } catch (error) {
        if (!(error instanceof GrammyError && ALREADY_REFUNDED.test(error.description))) throw error;
      }
      const reversed = await shop.kit.payments.applySignal(STARS_PROVIDER, {
        externalRef: payment.externalRef,
        kind: 'refunded',
        settlementRef: charge,
        providerStatus: 'refundStarPayment',
      });
      logger.info({ paymentId, outcome: reversed.outcome }, 'a Stars payment was refunded');
    },
  });
}

/**
 * The owner refunds a credited Stars payment to the buyer's Telegram account: the refund job is queued in
 * the transaction that audits the request, once per payment (a second request finds it queued). Only the
 * owner (as for order refunds); only while the wallet still holds the money, so the buyer does not keep both.
 */
export async function requestStarsRefund(shop: Shop, input: { paymentId: string; staff: RefundingStaff }): Promise<StarsRefundResult> {
  if (!mayRefundOrders(input.staff.role)) return { ok: false, reason: 'forbidden' };
  const payment = await shop.kit.payments.get(input.paymentId);
  if (payment === null || payment.providerId !== STARS_PROVIDER) return { ok: false, reason: 'not_found' };
  if (payment.status !== 'credited') return { ok: false, reason: 'not_credited' };
  const job = shop.hostJobs.find((d) => d.type === STARS_REFUND_JOB);
  if (job === undefined || shop.config.telegram === null) return { ok: false, reason: 'no_telegram' };
  const balance = await shop.storage.ledger.balance(payment.customerId, payment.currency);
  if (balance < payment.amount) return { ok: false, reason: 'spent', balance };
  await shop.storage.transaction(async (tx) => {
    await tx.audit.append({
      actor: { type: 'admin', id: input.staff.accountId },
      action: 'payment.refund_requested',
      subjectType: 'customer',
      subjectId: payment.customerId,
      data: { paymentId: payment.id, providerId: payment.providerId, amount: payment.amount, currency: payment.currency },
    });
    await enqueueHostJob(tx, job, { paymentId: payment.id }, { key: payment.id });
  });
  return { ok: true };
}
