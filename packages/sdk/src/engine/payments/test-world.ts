import type { Money } from '../../domain/money.js';
import { PaymentProviderUnavailableError, type PaymentRefundOutcome, type SavedMethodChargeOutcome } from '../../ports/payment-provider.js';

/** How the test world answers off-session charges. */
export type TestChargeAnswer = 'succeed' | 'decline' | 'require_action';

/**
 * The money world behind `testPaymentProvider` when it declares refunds or saved methods: it keeps every
 * refund and charge by idempotency key (asked again with a key, it answers about the same one, as a real
 * provider does), and can be taken down, made to decline or to want the buyer, or made to lose an answer
 * after applying the request. For demos and tests; no money moves.
 */
export class TestPaymentWorld {
  #down = false;
  #loseNext = false;
  #chargeAnswer: TestChargeAnswer = 'succeed';
  readonly #refunds = new Map<string, { ref: string; amount: Money; paymentRef: string }>();
  readonly #charges = new Map<string, { ref: string; amount: Money; outcome: SavedMethodChargeOutcome }>();
  readonly #forgotten = new Set<string>();
  /** Every call that reached the world (a retried key counts again). */
  calls = 0;

  constructor(readonly providerId = 'test') {}

  /** Unreachable (`true`) or back. */
  setDown(down: boolean): void {
    this.#down = down;
  }
  /** How the next off-session charges are answered. */
  setChargeAnswer(answer: TestChargeAnswer): void {
    this.#chargeAnswer = answer;
  }
  /** The next request is applied and its answer lost. */
  loseNextAnswer(): void {
    this.#loseNext = true;
  }
  /** Distinct refunds made. */
  refundCount(): number {
    return this.#refunds.size;
  }
  /** Distinct charges made (declined ones included). */
  chargeCount(): number {
    return this.#charges.size;
  }
  /** Whether the world was asked to forget the saved method known as `methodRef`. */
  forgot(methodRef: string): boolean {
    return this.#forgotten.has(methodRef);
  }
  /** What the world refunded, in all, of one payment. */
  refundedOf(paymentRef: string): number {
    let sum = 0;
    for (const r of this.#refunds.values()) if (r.paymentRef === paymentRef) sum += r.amount.amount;
    return sum;
  }

  #enter(): void {
    if (this.#down) throw new PaymentProviderUnavailableError(this.providerId, 'the test payment world is down');
    this.calls++;
  }
  #leave<T>(answer: T): T {
    if (!this.#loseNext) return answer;
    this.#loseNext = false;
    throw new PaymentProviderUnavailableError(this.providerId, 'the answer of the test payment world was lost');
  }

  /** Refunds `amount` of the payment known as `paymentRef`, once per key. */
  refund(key: string, paymentRef: string, amount: Money): PaymentRefundOutcome {
    this.#enter();
    let refund = this.#refunds.get(key);
    if (refund === undefined) {
      refund = { ref: `test-refund-${this.#refunds.size + 1}`, amount, paymentRef };
      this.#refunds.set(key, refund);
    }
    return this.#leave({ status: 'succeeded', refundRef: refund.ref });
  }

  /** Charges a saved method, once per key, answering as set by `setChargeAnswer` when the key is new. */
  charge(key: string, methodRef: string, amount: Money): SavedMethodChargeOutcome {
    this.#enter();
    let charge = this.#charges.get(key);
    if (charge === undefined) {
      const ref = `test-charge-${this.#charges.size + 1}`;
      const outcome: SavedMethodChargeOutcome = this.#forgotten.has(methodRef)
        ? { status: 'declined', externalRef: ref, reason: 'payment_method_detached' }
        : this.#chargeAnswer === 'succeed'
          ? { status: 'succeeded', externalRef: ref, amount }
          : this.#chargeAnswer === 'decline'
            ? { status: 'declined', externalRef: ref, reason: 'card_declined' }
            : { status: 'requires_action', externalRef: ref, actionUrl: `https://pay.test.invalid/confirm/${ref}` };
      charge = { ref: methodRef, amount, outcome };
      this.#charges.set(key, charge);
    }
    return this.#leave(charge.outcome);
  }

  /** Forgets a saved method: charging it later is declined. Forgetting one already forgotten is no error. */
  forget(methodRef: string): void {
    this.#enter();
    this.#forgotten.add(methodRef);
    this.#leave(undefined);
  }
}
