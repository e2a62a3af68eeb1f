import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentsOf } from '../src/app/payments/records.js';
import { signedInAdmin, signedUpBuyer, type ShopUnderTest, type Visitor } from './support/shop-under-test.js';
import { receiptSteps } from './support/receipt-steps.js';
import {
  balanceOf,
  customerIdOf,
  hiddenIn,
  paymentRows,
  receipt,
  startMoneyShop,
  submitReceipt,
  topUpForm,
} from './support/wallet-helpers.js';

let t: ShopUnderTest;
let admin: Visitor;
beforeAll(async () => {
  t = await startMoneyShop();
  admin = await signedInAdmin(t.app);
});
afterAll(() => t.close());

const { onlyPaymentOf, accepted, review, ledgerEntriesFor } = receiptSteps(() => t);

describe('a card-to-card receipt', () => {
  it('waits for an admin, then approval credits the wallet once and the buyer sees it', async () => {
    const buyer = await signedUpBuyer(t.app);
    const sent = await submitReceipt(buyer, receipt({ amount: '40', reference: 'TRK 5566-7788' }));
    expect(sent.status).toBe(303);
    expect(sent.headers['location']).toBe('/wallet?done=wallet.pending');
    expect(await balanceOf(t.shop, buyer.email)).toBe(0);
    const payment = await onlyPaymentOf(buyer.email);
    expect(payment).toMatchObject({ status: 'pending', reference_key: 'trk55667788', credited_entry_id: null });
    const wallet = await buyer.agent.get('/wallet').expect(200);
    expect(wallet.text).toContain('data-status="pending"');

    const list = await admin.agent.get('/admin/receipts').expect(200);
    const row = new RegExp(`<tr data-testid="receipt-row" data-payment-id="${payment.id}">[\\s\\S]*?</tr>`).exec(list.text)?.[0] ?? '';
    expect(row).toContain(buyer.email);
    expect(row).toContain('TRK 5566-7788');
    expect(row).toContain('1234');
    expect(row).toContain('data-testid="approve-receipt"');

    const approved = await review(admin, payment.id, 'approve');
    expect(approved.status).toBe(303);
    expect(approved.headers['location']).toBe('/admin/receipts?done=adminMoney.approved');
    expect(await balanceOf(t.shop, buyer.email)).toBe(4000);
    expect(await onlyPaymentOf(buyer.email)).toMatchObject({ status: 'approved', credited_entry_id: expect.stringMatching(/^led_/) });
    expect(await ledgerEntriesFor(payment.id)).toBe(1);
    const after = await admin.agent.get('/admin/receipts?done=adminMoney.approved').expect(200);
    expect(after.text).toContain('Receipt approved; the wallet was credited.');
    expect(after.text).not.toContain(`data-testid="receipt-row" data-payment-id="${payment.id}"`);
    expect(after.text).toContain(`data-testid="reviewed-row" data-payment-id="${payment.id}"`);
    expect((await buyer.agent.get('/wallet')).text).toContain('data-status="approved"');
  });

  it('when rejected credits nothing and shows the buyer the note', async () => {
    const buyer = await signedUpBuyer(t.app);
    await accepted(buyer, receipt());
    const payment = await onlyPaymentOf(buyer.email);
    const rejected = await review(admin, payment.id, 'reject', 'No such transfer on <the> statement');
    expect(rejected.headers['location']).toBe('/admin/receipts?done=adminMoney.rejected');
    expect(await balanceOf(t.shop, buyer.email)).toBe(0);
    expect(await ledgerEntriesFor(payment.id)).toBe(0);
    const wallet = await buyer.agent.get('/wallet').expect(200);
    expect(wallet.text).toContain('data-status="rejected"');
    expect(wallet.text).toContain('No such transfer on &lt;the&gt; statement');
    // Approving it afterwards changes nothing.
    expect((await review(admin, payment.id, 'approve')).status).toBe(409);
    expect(await balanceOf(t.shop, buyer.email)).toBe(0);
  });

  it('refuses a reject note that is too long with the form again, and decides nothing', async () => {
    const buyer = await signedUpBuyer(t.app);
    await accepted(buyer, receipt());
    const payment = await onlyPaymentOf(buyer.email);
    const res = await review(admin, payment.id, 'reject', 'x'.repeat(501));
    expect(res.status).toBe(400);
    expect(res.text).toContain('At most 500 characters.');
    expect(res.text).toContain(`data-testid="receipt-row" data-payment-id="${payment.id}"`);
    expect((await onlyPaymentOf(buyer.email)).status).toBe('pending');
  });

  it('refuses a rejection without a reason (the buyer reads it) with the form again, and decides nothing', async () => {
    const buyer = await signedUpBuyer(t.app);
    await accepted(buyer, receipt());
    const payment = await onlyPaymentOf(buyer.email);
    for (const note of [undefined, '   ']) {
      const res = await review(admin, payment.id, 'reject', note);
      expect(res.status).toBe(400);
      expect(res.text).toContain('Say why the receipt is rejected: the buyer reads it.');
      expect(res.text).toContain(`data-testid="receipt-row" data-payment-id="${payment.id}"`);
    }
    expect((await onlyPaymentOf(buyer.email)).status).toBe('pending');
  });

  it('is a 404 to review when the receipt does not exist', async () => {
    expect((await review(admin, 'pay_doesnotexist', 'approve')).status).toBe(404);
  });
});

describe('duplicate receipts', () => {
  it('refuses a reference used before, however it is spaced, dashed, cased or in Persian digits, by anyone', async () => {
    const first = await signedUpBuyer(t.app);
    await accepted(first, receipt({ reference: 'AB-123 456' }));
    const second = await signedUpBuyer(t.app);
    for (const reference of ['AB-123 456', 'ab123456', ' Ab 123-456 ', 'AB–۱۲۳۴۵۶', 'ab_١٢٣٤٥٦']) {
      for (const who of [first, second]) {
        const res = await submitReceipt(who, receipt({ reference }));
        expect({ reference, status: res.status }).toEqual({ reference, status: 409 });
        expect(res.text).toContain('This receipt reference was already submitted.');
        expect(res.text).toContain(`value="${reference}"`);
      }
    }
    expect(await paymentRows(t.shop, await customerIdOf(t.shop, second.email))).toHaveLength(0);
    expect(await paymentRows(t.shop, await customerIdOf(t.shop, first.email))).toHaveLength(1);
  });

  it('records one row when the same reference arrives many times at once', async () => {
    const a = await signedUpBuyer(t.app);
    const b = await signedUpBuyer(t.app);
    const forms = await Promise.all([a, a, b, b, a, b].map(async (who) => ({ who, form: await topUpForm(who, 'card') })));
    const sends = await Promise.all(
      forms.map(({ who, form }) =>
        who.agent
          .post('/wallet/topup/card')
          .type('form')
          .send({ ...form, ...receipt({ reference: 'RACE-0001' }) }),
      ),
    );
    const statuses = sends.map((r) => r.status).sort();
    expect(statuses).toEqual([303, 409, 409, 409, 409, 409]);
    expect(
      await t.shop.kit.payments
        .list({ providerId: 'card' }, { limit: 500 })
        .then((p) => p.items.filter((x) => x.externalRef === 'race0001')),
    ).toHaveLength(1);
  });

  it('takes the same form sent twice (a double click) as one receipt, not a duplicate', async () => {
    const buyer = await signedUpBuyer(t.app);
    const form = await topUpForm(buyer, 'card');
    const fields = { ...form, ...receipt() };
    const sends = await Promise.all([1, 2].map(() => buyer.agent.post('/wallet/topup/card').type('form').send(fields)));
    expect(sends.map((r) => r.status)).toEqual([303, 303]);
    expect(await paymentRows(t.shop, await customerIdOf(t.shop, buyer.email))).toHaveLength(1);
  });
});

describe('limits and bad input', () => {
  it('caps receipts waiting per buyer at 5', async () => {
    const buyer = await signedUpBuyer(t.app);
    for (let i = 0; i < 5; i++) await accepted(buyer, receipt());
    const sixth = await submitReceipt(buyer, receipt());
    expect(sixth.status).toBe(429);
    expect(sixth.text).toContain('You already have 5 receipts waiting for review.');
    expect(await paymentRows(t.shop, await customerIdOf(t.shop, buyer.email))).toHaveLength(5);
  });

  it('holds the cap when many receipts arrive at once', async () => {
    const buyer = await signedUpBuyer(t.app);
    const forms = await Promise.all(Array.from({ length: 8 }, () => topUpForm(buyer, 'card')));
    const sends = await Promise.all(
      forms.map((form) =>
        buyer.agent
          .post('/wallet/topup/card')
          .type('form')
          .send({ ...form, ...receipt() }),
      ),
    );
    expect(sends.filter((r) => r.status === 303)).toHaveLength(5);
    expect(sends.filter((r) => r.status === 429)).toHaveLength(3);
  });

  it('answers every malformed field with its message, keeps the values, and writes nothing', async () => {
    const buyer = await signedUpBuyer(t.app);
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ reference: '' }, 'reference', 'Required.'],
      [{ reference: 'ab' }, 'reference', 'Enter the reference number from the receipt: 4 to 40 letters or digits.'],
      [{ reference: 'ref/with/slashes' }, 'reference', 'Enter the reference number from the receipt: 4 to 40 letters or digits.'],
      [{ reference: 'x'.repeat(61) }, 'reference', 'Enter the reference number from the receipt: 4 to 40 letters or digits.'],
      [{ cardLast4: '123' }, 'cardLast4', 'Enter the last 4 digits of the card you paid with.'],
      [{ cardLast4: '12a4' }, 'cardLast4', 'Enter the last 4 digits of the card you paid with.'],
      [{ paidAt: '' }, 'paidAt', 'Required.'],
      [{ paidAt: 'yesterday' }, 'paidAt', 'Enter the date and time you paid.'],
      [{ paidAt: '2026-02-30T10:00' }, 'paidAt', 'Enter the date and time you paid.'],
      [{ paidAt: '2026-03-01T12:00' }, 'paidAt', 'That time is in the future.'],
      [{ paidAt: '2025-12-01T12:00' }, 'paidAt', 'That payment is more than 30 days old. Contact the shop about it.'],
      [{ amount: '0' }, 'amount', 'Enter an amount above zero.'],
      [{ amount: '-3' }, 'amount', 'Enter an amount such as 10 or 12.50.'],
      [{ amount: ['1', '2'] }, 'amount', 'Enter an amount such as 10 or 12.50.'],
    ];
    for (const [override, fieldName, message] of cases) {
      const res = await submitReceipt(buyer, { ...receipt(), ...(override as Record<string, string>) });
      expect({ override, status: res.status }).toEqual({ override, status: 400 });
      expect(res.text).toContain(`<p class="field-error" id="card-${fieldName}-error">${message}</p>`);
    }
    const keep = await submitReceipt(buyer, receipt({ reference: 'KEEP-ME-1', cardLast4: 'abcd' }));
    expect(keep.text).toContain('value="KEEP-ME-1"');
    expect(await paymentRows(t.shop, await customerIdOf(t.shop, buyer.email))).toHaveLength(0);
  });

  it('takes the last 4 digits and the time in Persian digits, and reads the time in the shop zone', async () => {
    const tehran = await startMoneyShop({ SHOP_TIME_ZONE: 'Asia/Tehran' });
    try {
      const buyer = await signedUpBuyer(tehran.app);
      // 11:30 in Tehran (UTC+3:30) is 08:00 UTC: an hour before the test clock's 09:00 UTC.
      await accepted(buyer, receipt({ cardLast4: '۱۲۳۴', paidAt: '۲۰۲۶-۰۳-۰۱T۱۱:۳۰' }));
      const [payment] = (await paymentsOf(tehran.shop).listByCustomer(await customerIdOf(tehran.shop, buyer.email), { limit: 5 })).items;
      expect(payment?.details).toMatchObject({ cardLast4: '1234', paidAt: '2026-03-01T08:00:00.000Z' });
      const future = await submitReceipt(buyer, receipt({ paidAt: '2026-03-01T12:50' }));
      expect(future.status).toBe(400);
    } finally {
      await tehran.close();
    }
  });
});

describe('an admin decision', () => {
  it('by two admins at once credits once; the other is told it was already reviewed', async () => {
    const buyer = await signedUpBuyer(t.app);
    await accepted(buyer, receipt({ amount: '10' }));
    const payment = await onlyPaymentOf(buyer.email);
    const other = await signedInAdmin(t.app);
    const results = await Promise.all([
      review(admin, payment.id, 'approve'),
      review(other, payment.id, 'approve'),
      review(admin, payment.id, 'approve'),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([303, 409, 409]);
    expect(results.find((r) => r.status === 409)?.text).toContain('This receipt was already reviewed');
    expect(await balanceOf(t.shop, buyer.email)).toBe(1000);
    expect(await ledgerEntriesFor(payment.id)).toBe(1);
  });

  it('approve racing reject: one outcome, and money only if approve won', async () => {
    const buyer = await signedUpBuyer(t.app);
    await accepted(buyer, receipt({ amount: '10' }));
    const payment = await onlyPaymentOf(buyer.email);
    const other = await signedInAdmin(t.app);
    const [approve, reject] = await Promise.all([review(admin, payment.id, 'approve'), review(other, payment.id, 'reject', 'not found')]);
    expect([approve.status, reject.status].sort()).toEqual([303, 409]);
    const final = await onlyPaymentOf(buyer.email);
    const credited = final.status === 'approved' ? 1 : 0;
    expect(final.status).toBe(approve.status === 303 ? 'approved' : 'rejected');
    expect(await ledgerEntriesFor(payment.id)).toBe(credited);
    expect(await balanceOf(t.shop, buyer.email)).toBe(credited * 1000);
  });

  it('is for admins only: a buyer gets 403 and the receipt stays pending', async () => {
    const buyer = await signedUpBuyer(t.app);
    await accepted(buyer, receipt());
    const payment = await onlyPaymentOf(buyer.email);
    expect((await buyer.agent.get('/admin/receipts')).status).toBe(403);
    expect((await review(buyer, payment.id, 'approve')).status).toBe(403);
    expect((await onlyPaymentOf(buyer.email)).status).toBe('pending');
    expect(await balanceOf(t.shop, buyer.email)).toBe(0);
  });

  it('needs the CSRF token', async () => {
    const buyer = await signedUpBuyer(t.app);
    await accepted(buyer, receipt());
    const payment = await onlyPaymentOf(buyer.email);
    expect((await admin.agent.post(`/admin/receipts/${payment.id}/approve`).type('form').send({})).status).toBe(403);
    expect((await onlyPaymentOf(buyer.email)).status).toBe('pending');
  });
});

it('the wallet shows only the buyer’s own payments', async () => {
  const a = await signedUpBuyer(t.app);
  const b = await signedUpBuyer(t.app);
  await accepted(a, receipt({ reference: 'ONLY-A-9999' }));
  const page = await b.agent.get('/wallet').expect(200);
  expect(page.text).not.toContain('ONLY-A-9999');
  expect(hiddenIn(page.text, 'topup-card', 'idempotencyKey')).toMatch(/^[A-Za-z0-9_-]{16,}$/);
});
