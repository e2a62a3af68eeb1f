import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { paymentsOf } from '../src/db/payments.js';
import { signedInAdmin, signedUpBuyer, type ShopUnderTest, type Visitor } from './support/shop-under-test.js';
import { receiptSteps } from './support/receipt-steps.js';
import { balanceOf, customerIdOf, paymentRows, receipt, startMoneyShop } from './support/wallet-helpers.js';

let t: ShopUnderTest;
let admin: Visitor;
beforeAll(async () => {
  t = await startMoneyShop();
  admin = await signedInAdmin(t.app);
});
afterAll(() => t.close());

const { onlyPaymentOf, accepted, review, ledgerEntriesFor } = receiptSteps(() => t);

describe('exactly once across a crash', () => {
  it('an approved receipt the ledger never got is credited once by the sweep, however often it runs', async () => {
    const { settlePayments } = await import('../src/payments/settle.js');
    const buyer = await signedUpBuyer(t.app);
    await accepted(buyer, receipt({ amount: '15' }));
    const payment = await onlyPaymentOf(buyer.email);
    // The crash: the approval committed, the process died before crediting.
    const reviewed = await paymentsOf(t.shop).review(payment.id, 'approved', 'acc_admin', null);
    expect(reviewed?.status).toBe('approved');
    expect(await balanceOf(t.shop, buyer.email)).toBe(0);
    expect(await paymentsOf(t.shop).listUncredited(1000)).toEqual(expect.arrayContaining([expect.objectContaining({ id: payment.id })]));

    const swept = await Promise.all([settlePayments(t.shop), settlePayments(t.shop)]);
    expect(swept.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
    await settlePayments(t.shop);
    expect(await balanceOf(t.shop, buyer.email)).toBe(1500);
    expect(await ledgerEntriesFor(payment.id)).toBe(1);
    expect((await onlyPaymentOf(buyer.email)).credited_entry_id).toMatch(/^led_/);
    expect((await paymentsOf(t.shop).listUncredited(1000)).map((p) => p.id)).not.toContain(payment.id);
  });

  it('a credit recorded in the ledger but not on the payment is noted, not paid again', async () => {
    const { creditPayment, settlePayments } = await import('../src/payments/settle.js');
    const buyer = await signedUpBuyer(t.app);
    await accepted(buyer, receipt({ amount: '9' }));
    const payment = await onlyPaymentOf(buyer.email);
    const reviewed = await paymentsOf(t.shop).review(payment.id, 'approved', 'acc_admin', null);
    // The other crash: the ledger has it, the payment row does not say so.
    await creditPayment(t.shop, reviewed!);
    await t.shop.db.query(`UPDATE ${t.shop.shopSchema}.payments SET credited_entry_id = NULL WHERE id = $1`, [payment.id]);
    await settlePayments(t.shop);
    expect(await balanceOf(t.shop, buyer.email)).toBe(900);
    expect(await ledgerEntriesFor(payment.id)).toBe(1);
    expect((await onlyPaymentOf(buyer.email)).credited_entry_id).toMatch(/^led_/);
  });

  it('an approval whose credit fails says so, and the sweep pays it later', async () => {
    const { settlePayments } = await import('../src/payments/settle.js');
    const buyer = await signedUpBuyer(t.app);
    await accepted(buyer, receipt({ amount: '8' }));
    const payment = await onlyPaymentOf(buyer.email);
    const outage = vi.spyOn(t.shop.kit, 'topUp').mockRejectedValue(new Error('database unavailable'));
    try {
      const res = await review(admin, payment.id, 'approve');
      expect(res.headers['location']).toBe('/admin/receipts?done=adminMoney.approved_not_credited');
    } finally {
      outage.mockRestore();
    }
    expect(await onlyPaymentOf(buyer.email)).toMatchObject({ status: 'approved', credited_entry_id: null });
    expect(await balanceOf(t.shop, buyer.email)).toBe(0);
    await settlePayments(t.shop);
    expect(await balanceOf(t.shop, buyer.email)).toBe(800);
  });

  it('the background loop settles it on its tick', async () => {
    const { startBackground } = await import('../src/stack/background.js');
    const buyer = await signedUpBuyer(t.app);
    await accepted(buyer, receipt({ amount: '6' }));
    const payment = await onlyPaymentOf(buyer.email);
    await paymentsOf(t.shop).review(payment.id, 'approved', 'acc_admin', null);
    // The loop ticks once when it starts; stopping waits for that tick.
    const background = startBackground(t.shop, { tickEveryMs: 3_600_000 });
    await background.stop();
    expect(await balanceOf(t.shop, buyer.email)).toBe(600);
    expect(await ledgerEntriesFor(payment.id)).toBe(1);
  });

  it('the next approval also settles what an earlier crash left', async () => {
    const buyer = await signedUpBuyer(t.app);
    await accepted(buyer, receipt({ amount: '3' }));
    await accepted(buyer, receipt({ amount: '4' }));
    const [crashed, next] = await paymentRows(t.shop, await customerIdOf(t.shop, buyer.email));
    await paymentsOf(t.shop).review(crashed!.id, 'approved', 'acc_admin', null);
    expect((await review(admin, next!.id, 'approve')).status).toBe(303);
    expect(await balanceOf(t.shop, buyer.email)).toBe(700);
  });
});
