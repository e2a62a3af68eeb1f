import { expect } from 'vitest';
import type { Response } from 'supertest';
import type { ShopUnderTest, Visitor } from './shop-under-test.js';
import { countRows, customerIdOf, paymentRows, submitReceipt } from './wallet-helpers.js';

/** Receipt steps bound to one shop under test. */
export function receiptSteps(t: () => ShopUnderTest) {
  return {
    /** The buyer's one payment row (fails the test if there is not exactly one). */
    async onlyPaymentOf(email: string) {
      const rows = await paymentRows(t().shop, await customerIdOf(t().shop, email));
      expect(rows).toHaveLength(1);
      return rows[0] as (typeof rows)[number];
    },
    /** Submits a receipt and expects it accepted. */
    async accepted(v: Visitor, fields: Record<string, string>): Promise<Response> {
      const res = await submitReceipt(v, fields);
      expect(res.status).toBe(303);
      return res;
    },
    /** Approves (with the "transfer arrived" box ticked) or rejects a receipt as an admin. */
    review(v: Visitor, id: string, action: 'approve' | 'reject', note?: string): Promise<Response> {
      const confirm = action === 'approve' ? { confirm: 'yes' } : {};
      return v.agent
        .post(`/admin/receipts/${id}/${action}`)
        .type('form')
        .send({ _csrf: v.csrf, ...confirm, ...(note === undefined ? {} : { note }) });
    },
    /** Ledger entries under a payment's key: never more than one. */
    ledgerEntriesFor(paymentId: string): Promise<number> {
      return countRows(
        t().shop,
        `SELECT count(*)::int AS n FROM ${JSON.stringify(t().config.schema)}.ledger_entries WHERE idempotency_key = $1`,
        [`payment:${paymentId}`],
      );
    },
  };
}
