import { describePaymentProvider } from '@panelkit/sdk/testing';
import { describe, expect, it } from 'vitest';
import {
  checkStarsPreCheckout,
  STARS_SECRET_HEADER,
  starsFor,
  starsPayload,
  starsProvider,
  type StarsBotApi,
  type StarsPrice,
} from '../src/stars.js';
import { kitsOn, STORAGE_KINDS } from './support/storages.js';

const SECRET = 'stars-callback-secret-for-tests';
const PAYER = 4242;

/** A refusal as the Bot API answers one, thrown the way bot libraries throw it. */
class BotApiRefusal extends Error {
  constructor(
    readonly error_code: number,
    readonly description: string,
  ) {
    super(description);
  }
}

/**
 * Telegram's side of Stars, in memory: the invoices the bot made, the charges of them (as Telegram makes once the
 * pre-checkout query was answered yes), and refunds (each charge once; `CHARGE_ALREADY_REFUNDED` after).
 */
class FakeStars implements StarsBotApi {
  readonly invoices = new Map<string, number>();
  readonly charges = new Map<string, { payload: string; userId: number; totalAmount: number; refunded: boolean }>();
  down = false;
  loseNext = false;
  private counter = 0;

  async createInvoiceLink(_t: string, _d: string, payload: string, token: string, currency: string, prices: readonly StarsPrice[]) {
    if (this.down) throw new Error('connect ECONNREFUSED');
    if (token !== '' || currency !== 'XTR') throw new BotApiRefusal(400, 'Bad Request: CURRENCY_INVALID');
    this.invoices.set(
      payload,
      prices.reduce((sum, p) => sum + p.amount, 0),
    );
    return `https://t.me/$invoice${++this.counter}`;
  }

  async refundStarPayment(userId: number, chargeId: string) {
    if (this.down) throw new Error('connect ECONNREFUSED');
    const charge = this.charges.get(chargeId);
    if (charge === undefined || charge.userId !== userId) throw new BotApiRefusal(400, 'Bad Request: CHARGE_NOT_FOUND');
    if (charge.refunded) throw new BotApiRefusal(400, 'Bad Request: CHARGE_ALREADY_REFUNDED');
    charge.refunded = true;
    if (this.loseNext) {
      this.loseNext = false;
      throw new Error('socket hang up');
    }
    return true as const;
  }

  /** The user pays the invoice of `payload`: a new charge id. */
  charge(userId: number, payload: string): string {
    const totalAmount = this.invoices.get(payload);
    if (totalAmount === undefined) throw new Error(`no invoice ${payload}`);
    const chargeId = `stxCharge${++this.counter}`;
    this.charges.set(chargeId, { payload, userId, totalAmount, refunded: false });
    return chargeId;
  }

  /** The message Telegram delivers about a charge: paid, or refunded. */
  message(chargeId: string, kind: 'successful_payment' | 'refunded_payment', totalAmount?: number) {
    const charge = this.charges.get(chargeId)!;
    return {
      message_id: 1,
      date: 0,
      chat: { id: charge.userId, type: 'private' },
      from: { id: charge.userId, is_bot: false, first_name: 'Payer' },
      [kind]: {
        currency: 'XTR',
        total_amount: totalAmount ?? charge.totalAmount,
        invoice_payload: charge.payload,
        telegram_payment_charge_id: chargeId,
      },
    };
  }
}

let fake = new FakeStars();
const provider = (rate: string | null = '2') =>
  starsProvider({ rate: () => rate, api: () => fake, callbackSecret: SECRET, payerOf: async () => PAYER });
const handedOn = (body: unknown) => ({ headers: { [STARS_SECRET_HEADER]: SECRET }, body, query: {} });

describePaymentProvider('telegram stars (Bot API in memory)', async () => {
  fake = new FakeStars();
  return {
    provider: provider(),
    gateway: {
      pay: async (opened) => ({ callback: handedOn(fake.message(fake.charge(PAYER, opened.externalRef), 'successful_payment')) }),
      refund: async (opened) => {
        const [chargeId, charge] = [...fake.charges].find(([, c]) => c.payload === opened.externalRef)!;
        charge.refunded = true;
        return { callback: handedOn(fake.message(chargeId, 'refunded_payment')) };
      },
      forge: (callback) => ({ ...callback, headers: { [STARS_SECRET_HEADER]: 'guessed' } }),
      setDown: (down) => {
        fake.down = down;
      },
    },
    // Refunds through the Bot API's refundStarPayment: Telegram refunds a charge once (no saved methods).
    capabilities: {
      refundCount: async () => [...fake.charges.values()].filter((c) => c.refunded).length,
      chargeCount: async () => 0,
      setChargeAnswer: () => undefined,
      loseNextAnswer: () => {
        fake.loseNext = true;
      },
      setDown: (down) => {
        fake.down = down;
      },
    },
  };
});

describe('stars pricing', () => {
  it('prices a top-up in whole Stars at the rate, rounded up, exactly', () => {
    expect(starsFor(500, 'USD', '50')).toBe(250);
    expect(starsFor(1, 'USD', '0.5')).toBe(1);
    expect(starsFor(1_000_000, 'IRR', '0.0025')).toBe(2500);
    expect(starsFor(1_000_001, 'IRR', '0.0025')).toBe(2501);
    expect(starsFor(1_999, 'USD', '1.1')).toBe(22);
  });

  it('Stars switched off: nothing is opened', async () => {
    const request = { paymentId: 'pay_x', customerId: 'c', amount: { amount: 1, currency: 'USD' }, returnUrl: null, description: 'x' };
    await expect(provider(null).open!(request)).rejects.toMatchObject({ code: 'PAYMENT_PROVIDER_UNAVAILABLE' });
  });
});

describe.each(STORAGE_KINDS)('Stars through kit.payments on $name storage', (kind) => {
  const kitOn = kitsOn(kind);

  it.skipIf(kind.skip !== false)(
    'a charge of other Stars than the invoice asked is a mismatch; two charges are two payments, each credited once',
    async () => {
      fake = new FakeStars();
      const { kit, storage, buyer } = await kitOn([provider()]);
      const started = await kit.payments.start({ customerId: buyer, providerId: 'stars', amount: { amount: 1_000, currency: 'USD' } });
      if (!started.ok) throw new Error(started.reason);
      const payload = started.payment.externalRef!;
      expect(payload).toBe(starsPayload(started.payment.id, 20));
      const settle = (body: unknown) => kit.payments.handleCallback('stars', handedOn(body));
      expect(await settle(fake.message(fake.charge(PAYER, payload), 'successful_payment', 19))).toMatchObject({ outcome: 'mismatch' });
      expect(await storage.ledger.balance(buyer, 'USD')).toBe(0);

      const first = fake.charge(PAYER, payload);
      const second = fake.charge(PAYER, payload);
      const both = await Promise.all([
        settle(fake.message(first, 'successful_payment')),
        settle(fake.message(first, 'successful_payment')),
      ]);
      expect(both.map((r) => r.outcome).sort()).toEqual(['already_credited', 'credited']);
      // A second charge of one invoice is money of its own: credited once as a payment of its own.
      expect(await settle(fake.message(second, 'successful_payment'))).toMatchObject({ outcome: 'credited' });
      expect(await settle(fake.message(second, 'successful_payment'))).toMatchObject({ outcome: 'already_credited' });
      expect(await storage.ledger.balance(buyer, 'USD')).toBe(2_000);
    },
  );

  it.skipIf(kind.skip !== false)(
    'the pre-checkout check: yes only for a pending invoice, its Stars, and the buyer’s own Telegram user',
    async () => {
      fake = new FakeStars();
      const { kit, buyer } = await kitOn([provider()]);
      const started = await kit.payments.start({ customerId: buyer, providerId: 'stars', amount: { amount: 500, currency: 'USD' } });
      if (!started.ok) throw new Error(started.reason);
      const payload = started.payment.externalRef!;
      const host = (now = new Date('2026-03-01T00:00:00.000Z')) => ({
        now,
        telegramUserOf: async (customerId: string) => (customerId === buyer ? String(PAYER) : null),
      });
      const query = { payload, currency: 'XTR', totalAmount: 10, telegramUserId: String(PAYER) };
      expect(await checkStarsPreCheckout(kit, query, host())).toEqual({ ok: true });
      expect(await checkStarsPreCheckout(kit, { ...query, totalAmount: 9 }, host())).toEqual({ ok: false, reason: 'amount' });
      expect(await checkStarsPreCheckout(kit, { ...query, telegramUserId: '1' }, host())).toEqual({ ok: false, reason: 'not_yours' });
      expect(await checkStarsPreCheckout(kit, { ...query, payload: 'pay_other:10' }, host())).toEqual({ ok: false, reason: 'unknown' });
      expect(await checkStarsPreCheckout(kit, query, host(new Date('2026-03-03T00:00:00.000Z')))).toEqual({ ok: false, reason: 'expired' });
      await kit.payments.handleCallback('stars', handedOn(fake.message(fake.charge(PAYER, payload), 'successful_payment')));
      expect(await checkStarsPreCheckout(kit, query, host())).toEqual({ ok: false, reason: 'not_pending' });
    },
  );
});
