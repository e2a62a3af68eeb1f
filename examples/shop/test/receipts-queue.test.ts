import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInAdmin, signedUpBuyer, type ShopUnderTest, type Visitor } from './support/shop-under-test.js';
import { dayField, parseDay } from '../src/app/stats/period.js';
import { receiptSteps } from './support/receipt-steps.js';
import { balanceOf, receipt, startMoneyShop } from './support/wallet-helpers.js';

let t: ShopUnderTest;
let admin: Visitor;
beforeAll(async () => {
  t = await startMoneyShop();
  admin = await signedInAdmin(t.app);
});
afterAll(() => t.close());

const { onlyPaymentOf, accepted, review, ledgerEntriesFor } = receiptSteps(() => t);

/** A new buyer with one pending card receipt. */
async function buyerWithReceipt(fields: Record<string, string> = {}) {
  const buyer = await signedUpBuyer(t.app);
  await accepted(buyer, receipt(fields));
  return { buyer, payment: await onlyPaymentOf(buyer.email) };
}

function rowIds(pageHtml: string, testid: string): string[] {
  return [...pageHtml.matchAll(new RegExp(`data-testid="${testid}" data-payment-id="([^"]+)"`, 'g'))].map((m) => m[1] as string);
}

function bulkSelect(ids: string[]) {
  return admin.agent.post('/admin/receipts/bulk-approve').type('form').send({ _csrf: admin.csrf, ids });
}

function bulkConfirm(ids: string[], confirm = 'yes') {
  return admin.agent.post('/admin/receipts/bulk-approve/confirm').type('form').send({ _csrf: admin.csrf, ids, confirm });
}

/** The shop's calendar day of a moment, as YYYY-MM-DD. */
function dayOf(date: Date, offsetDays = 0): string {
  const shifted = new Date(date.getTime() + offsetDays * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: t.config.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    shifted,
  );
}

describe('approving one receipt', () => {
  it('needs the "transfer arrived" box ticked; without it the queue comes back with the message and nothing changes', async () => {
    const { buyer, payment } = await buyerWithReceipt();
    const res = await admin.agent.post(`/admin/receipts/${payment.id}/approve`).type('form').send({ _csrf: admin.csrf });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Tick the box to confirm the transfer arrived.');
    expect(res.text).toContain(`data-testid="receipt-row" data-payment-id="${payment.id}"`);
    expect((await onlyPaymentOf(buyer.email)).status).toBe('pending');
    expect(await balanceOf(t.shop, buyer.email)).toBe(0);
    expect((await review(admin, payment.id, 'approve')).status).toBe(303);
    expect(await balanceOf(t.shop, buyer.email)).toBe(2500);
  });
});

describe('searching and filtering the queue', () => {
  it('finds a receipt by its reference however typed, by part of the email, and by amount', async () => {
    const { buyer, payment } = await buyerWithReceipt({ reference: 'QX-7781 2293', amount: '63.17' });
    const other = await buyerWithReceipt();
    for (const q of ['qx77812293', 'QX 7781-2293', '7781', buyer.email.split('@')[0] as string, '63.17']) {
      const res = await admin.agent.get('/admin/receipts').query({ q }).expect(200);
      expect({ q, ids: rowIds(res.text, 'receipt-row') }).toEqual({ q, ids: [payment.id] });
    }
    const all = await admin.agent.get('/admin/receipts').expect(200);
    expect(rowIds(all.text, 'receipt-row')).toEqual(expect.arrayContaining([payment.id, other.payment.id]));
  });

  it('filters by status, provider and submission day', async () => {
    const { payment } = await buyerWithReceipt({ reference: 'FILTER-0001' });
    const q = 'FILTER-0001';
    expect(rowIds((await admin.agent.get('/admin/receipts').query({ q, status: 'approved' })).text, 'found-row')).toEqual([]);
    expect(rowIds((await admin.agent.get('/admin/receipts').query({ q, provider: 'test' })).text, 'receipt-row')).toEqual([]);
    expect(rowIds((await admin.agent.get('/admin/receipts').query({ q, provider: 'card' })).text, 'receipt-row')).toEqual([payment.id]);
    const submitted = { created_at: (await t.shop.kit.payments.get(payment.id))!.createdAt };
    const day = dayOf(new Date(submitted.created_at));
    expect(rowIds((await admin.agent.get('/admin/receipts').query({ q, from: day, to: day })).text, 'receipt-row')).toEqual([payment.id]);
    expect(
      rowIds((await admin.agent.get('/admin/receipts').query({ q, to: dayOf(new Date(submitted.created_at), -1) })).text, 'receipt-row'),
    ).toEqual([]);
    expect(
      rowIds((await admin.agent.get('/admin/receipts').query({ q, from: dayOf(new Date(submitted.created_at), 1) })).text, 'receipt-row'),
    ).toEqual([]);

    await review(admin, payment.id, 'approve');
    const approved = await admin.agent.get('/admin/receipts').query({ q, status: 'approved' }).expect(200);
    expect(rowIds(approved.text, 'found-row')).toEqual([payment.id]);
    expect(rowIds((await admin.agent.get('/admin/receipts').query({ q, status: 'all' })).text, 'found-row')).toEqual([payment.id]);
    expect(rowIds((await admin.agent.get('/admin/receipts').query({ q })).text, 'receipt-row')).toEqual([]);
  });

  it('takes in Farsi the Jalali day the overview shows (Persian digits too), and shows the chosen days back in Jalali', async () => {
    const { payment } = await buyerWithReceipt({ reference: 'FILTER-JALALI-1' });
    const q = 'FILTER-JALALI-1';
    const created = (await t.shop.kit.payments.get(payment.id))!.createdAt;
    // The overview's own words for that day, as a Farsi admin reads them there.
    const jalali = dayField(parseDay(dayOf(created))!, 'fa');
    const persian = jalali.replace(/\d/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[Number(d)]!);
    await admin.agent.get('/lang/fa?next=/admin/receipts').redirects(0);
    try {
      const found = await admin.agent.get('/admin/receipts').query({ q, from: persian, to: jalali }).expect(200);
      expect(rowIds(found.text, 'receipt-row')).toEqual([payment.id]);
      expect(found.text).toContain(`name="from" type="text" value="${jalali}"`);
      const before = dayField(parseDay(dayOf(created, -1))!, 'fa');
      expect(rowIds((await admin.agent.get('/admin/receipts').query({ q, to: before }).expect(200)).text, 'receipt-row')).toEqual([]);
    } finally {
      await admin.agent.get('/lang/en?next=/admin/receipts').redirects(0);
    }
  });

  it('answers a bad filter with 400 and the field message', async () => {
    const badDay = await admin.agent.get('/admin/receipts').query({ from: '2026-13-45' });
    expect(badDay.status).toBe(400);
    expect(badDay.text).toContain('Enter a date as YYYY-MM-DD.');
    const badStatus = await admin.agent.get('/admin/receipts?status=everything');
    expect(badStatus.status).toBe(400);
    expect(badStatus.text).toContain('Choose a status from the list.');
    expect((await admin.agent.get('/admin/receipts?status=pending&status=approved')).status).toBe(400);
  });
});

describe('bulk approval', () => {
  it('shows one confirmation that changes nothing, then credits each selected receipt once', async () => {
    const picked = await Promise.all([1, 2, 3].map(() => buyerWithReceipt({ amount: '10' })));
    const left = await buyerWithReceipt();
    const ids = picked.map((p) => p.payment.id);

    const confirmPage = await bulkSelect(ids).expect(200);
    expect(rowIds(confirmPage.text, 'bulk-row').sort()).toEqual([...ids].sort());
    expect(confirmPage.text).toContain('3 receipts, $30.00 in all, will be approved and credited.');
    for (const p of picked) expect((await onlyPaymentOf(p.buyer.email)).status).toBe('pending');

    const unconfirmed = await bulkConfirm(ids, '');
    expect(unconfirmed.status).toBe(400);
    for (const p of picked) expect(await balanceOf(t.shop, p.buyer.email)).toBe(0);

    const done = await bulkConfirm(ids).expect(200);
    expect(done.text).toContain('3 receipts approved; the wallets were credited.');
    for (const p of picked) {
      expect(await balanceOf(t.shop, p.buyer.email)).toBe(1000);
      expect(await ledgerEntriesFor(p.payment.id)).toBe(1);
    }
    expect((await onlyPaymentOf(left.buyer.email)).status).toBe('pending');

    const replayed = await bulkConfirm(ids).expect(200);
    expect(replayed.text).toContain('3 receipts were already reviewed');
    for (const p of picked) expect(await ledgerEntriesFor(p.payment.id)).toBe(1);
    expect((await bulkSelect(ids)).status).toBe(409);
  });

  it('credits once when a bulk approval races itself and single approvals of the same receipts', async () => {
    const picked = await Promise.all([1, 2, 3].map(() => buyerWithReceipt({ amount: '7' })));
    const ids = picked.map((p) => p.payment.id);
    const sends = await Promise.all([bulkConfirm(ids), bulkConfirm([...ids].reverse()), ...ids.map((id) => review(admin, id, 'approve'))]);
    expect(sends.slice(0, 2).map((r) => r.status)).toEqual([200, 200]);
    for (const single of sends.slice(2)) expect([303, 409]).toContain(single.status);
    for (const p of picked) {
      expect(await balanceOf(t.shop, p.buyer.email)).toBe(700);
      expect(await ledgerEntriesFor(p.payment.id)).toBe(1);
    }
  });

  it('refuses an empty or malformed selection with 400 and changes nothing', async () => {
    const { buyer, payment } = await buyerWithReceipt();
    expect((await bulkSelect([])).status).toBe(400);
    expect((await admin.agent.post('/admin/receipts/bulk-approve').type('form').send({ _csrf: admin.csrf })).status).toBe(400);
    expect((await bulkConfirm([payment.id, 'bad id!'])).status).toBe(400);
    expect((await onlyPaymentOf(buyer.email)).status).toBe('pending');
    const missing = await bulkConfirm(['pay_doesnotexist']).expect(200);
    expect(missing.text).toContain('1 receipt no longer exists.');
  });

  it('is for admins only and needs the form token', async () => {
    const { buyer, payment } = await buyerWithReceipt();
    expect(
      (
        await buyer.agent
          .post('/admin/receipts/bulk-approve/confirm')
          .type('form')
          .send({ _csrf: buyer.csrf, ids: [payment.id], confirm: 'yes' })
      ).status,
    ).toBe(403);
    expect(
      (
        await admin.agent
          .post('/admin/receipts/bulk-approve/confirm')
          .type('form')
          .send({ ids: [payment.id], confirm: 'yes' })
      ).status,
    ).toBe(403);
    expect((await onlyPaymentOf(buyer.email)).status).toBe('pending');
  });
});
