import { formatMoney } from '../src/i18n/format.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfFrom, signedUpBuyer, visitor, type ShopUnderTest } from './support/shop-under-test.js';
import { balanceOf, customerIdOf, hiddenIn, paymentRows, startMoneyShop, topUpForm } from './support/wallet-helpers.js';

const usd = (amount: number) => formatMoney({ amount, currency: 'USD' }, 'en');

let t: ShopUnderTest;
beforeAll(async () => {
  t = await startMoneyShop();
});
afterAll(() => t.close());

describe('the wallet page', () => {
  it('asks visitors to sign in first', async () => {
    const v = await visitor(t.app);
    const res = await v.agent.get('/wallet');
    expect(res.status).toBe(303);
    expect(res.headers['location']).toBe('/signin?next=%2Fwallet');
    expect((await v.agent.post('/wallet/topup/test').type('form').send({ _csrf: v.csrf, amount: '5' })).status).toBe(401);
  });

  it('shows a zero balance, both providers, and the test one clearly marked', async () => {
    const buyer = await signedUpBuyer(t.app);
    const page = await buyer.agent.get('/wallet').expect(200);
    expect(page.text).toContain('data-testid="balance" data-currency="USD" data-amount="0"');
    expect(page.text).toContain('data-testid="topup-test"');
    expect(page.text).toContain('data-testid="topup-card"');
    expect(page.text).toContain('Test only');
    expect(page.text).toContain('6037-9900-0000-0000');
    expect(page.text).toMatch(/name="paidAt" type="datetime-local"/);
  });
});

describe('the test provider', () => {
  it('credits the amount at once, as a top-up in the ledger and a payment row', async () => {
    const buyer = await signedUpBuyer(t.app);
    const form = await topUpForm(buyer, 'test');
    const res = await buyer.agent
      .post('/wallet/topup/test')
      .type('form')
      .send({ ...form, amount: '12.50' });
    expect(res.status).toBe(303);
    expect(res.headers['location']).toBe('/wallet?done=wallet.credited');
    expect(await balanceOf(t.shop, buyer.email)).toBe(1250);
    const page = await buyer.agent.get('/wallet?done=wallet.credited').expect(200);
    expect(page.text).toContain('Your wallet was credited.');
    expect(page.text).toContain(`data-amount="1250">${usd(1250)}</p>`);
    expect(page.text).toMatch(/data-testid="ledger-row" data-kind="top_up"/);
    const rows = await paymentRows(t.shop, await customerIdOf(t.shop, buyer.email));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.status).toBe('approved');
    expect(rows[0]?.credited_entry_id).toMatch(/^led_/);
  });

  it('credits a double submit (same form, twice at once) exactly once', async () => {
    const buyer = await signedUpBuyer(t.app);
    const form = await topUpForm(buyer, 'test');
    const sends = await Promise.all(
      [1, 2, 3].map(() =>
        buyer.agent
          .post('/wallet/topup/test')
          .type('form')
          .send({ ...form, amount: '7' }),
      ),
    );
    expect(sends.map((r) => r.status)).toEqual([303, 303, 303]);
    expect(await balanceOf(t.shop, buyer.email)).toBe(700);
    expect(await paymentRows(t.shop, await customerIdOf(t.shop, buyer.email))).toHaveLength(1);
  });

  it('takes Persian digits and a Persian decimal separator', async () => {
    const buyer = await signedUpBuyer(t.app);
    const form = await topUpForm(buyer, 'test');
    await buyer.agent
      .post('/wallet/topup/test')
      .type('form')
      .send({ ...form, amount: '۳٫۲۵' })
      .expect(303);
    expect(await balanceOf(t.shop, buyer.email)).toBe(325);
  });

  it('refuses bad amounts with the form again, its message and value, and writes nothing', async () => {
    const buyer = await signedUpBuyer(t.app);
    const customerId = await customerIdOf(t.shop, buyer.email);
    const cases: Array<[unknown, string]> = [
      ['', 'Enter an amount such as 10 or 12.50.'],
      ['0', 'Enter an amount above zero.'],
      ['0.00', 'Enter an amount above zero.'],
      ['-5', 'Enter an amount such as 10 or 12.50.'],
      ['1.234', 'Enter an amount such as 10 or 12.50.'],
      ['abc', 'Enter an amount such as 10 or 12.50.'],
      ['1e3', 'Enter an amount such as 10 or 12.50.'],
      ['1000000.01', 'That is more than a single top-up may be.'],
      ['999999999999', 'That is more than a single top-up may be.'],
      [['1', '2'], 'Enter an amount such as 10 or 12.50.'],
    ];
    for (const [amount, message] of cases) {
      const form = await topUpForm(buyer, 'test');
      const res = await buyer.agent
        .post('/wallet/topup/test')
        .type('form')
        .send({ ...form, amount });
      expect({ amount, status: res.status }).toEqual({ amount, status: 400 });
      expect(res.text).toContain(`<p class="field-error" id="test-amount-error">${message}</p>`);
      if (typeof amount === 'string') expect(res.text).toContain(`name="amount" type="text" value="${amount}"`);
      // The same form (its key) comes back, so fixing the amount is still one submission.
      expect(hiddenIn(res.text, 'topup-test', 'idempotencyKey')).toBe(form.idempotencyKey);
    }
    const noKey = await buyer.agent.post('/wallet/topup/test').type('form').send({ _csrf: buyer.csrf, amount: '5' });
    expect(noKey.status).toBe(400);
    expect(noKey.text).toContain('This form has expired.');
    expect(await paymentRows(t.shop, customerId)).toHaveLength(0);
    expect(await balanceOf(t.shop, buyer.email)).toBe(0);
  });

  it('is a 404 for an unknown provider, and needs the CSRF token', async () => {
    const buyer = await signedUpBuyer(t.app);
    const form = await topUpForm(buyer, 'test');
    expect(
      (
        await buyer.agent
          .post('/wallet/topup/paypal')
          .type('form')
          .send({ ...form, amount: '5' })
      ).status,
    ).toBe(404);
    expect(
      (await buyer.agent.post('/wallet/topup/test').type('form').send({ idempotencyKey: form.idempotencyKey, amount: '5' })).status,
    ).toBe(403);
    expect(await balanceOf(t.shop, buyer.email)).toBe(0);
  });
});

describe('history', () => {
  it('lists the ledger newest first, a page at a time, with dates in the Jalali calendar for Farsi', async () => {
    const buyer = await signedUpBuyer(t.app);
    for (let i = 1; i <= 22; i++) {
      const form = await topUpForm(buyer, 'test');
      await buyer.agent
        .post('/wallet/topup/test')
        .type('form')
        .send({ ...form, amount: String(i) })
        .expect(303);
      t.clock.advance(60_000);
    }
    const first = await buyer.agent.get('/wallet').expect(200);
    expect(first.text.match(/data-testid="ledger-row"/g)).toHaveLength(20);
    expect(first.text.indexOf(`+${usd(2200)}`)).toBeLessThan(first.text.indexOf(`+${usd(2100)}`));
    const older = /href="(\/wallet\?after=[^"#]+)#ledger" rel="next"/.exec(first.text)?.[1];
    expect(older).toBeDefined();
    const second = await buyer.agent.get((older as string).replace(/&amp;/g, '&')).expect(200);
    expect(second.text.match(/data-testid="ledger-row"/g)).toHaveLength(2);
    expect(second.text).toContain(`+${usd(100)}`);
    await buyer.agent.get('/lang/fa?next=/wallet').expect(303);
    const fa = await buyer.agent.get('/wallet').expect(200);
    expect(fa.text).toContain('کیف پول');
    expect(fa.text).toContain('۱۴۰۴'); // 2026-03-01 is in the Jalali year 1404
  });

  it('answers a forged ledger cursor without a 500', async () => {
    const buyer = await signedUpBuyer(t.app);
    const res = await buyer.agent.get('/wallet?after=not-a-cursor');
    expect(res.status).toBe(400);
    expect(res.text).toContain('Some of what was sent is not valid.');
  });
});

describe('settings', () => {
  it('shows neither provider form when neither is enabled, and refuses their posts', async () => {
    const off = await startMoneyShop({ TEST_PAYMENTS: 'off', DEMO_PANEL: 'off' });
    try {
      const buyer = await signedUpBuyer(off.app);
      const page = await buyer.agent.get('/wallet').expect(200);
      expect(page.text).not.toContain('data-testid="topup-test"');
      expect(page.text).not.toContain('data-testid="topup-card"');
      const res = await buyer.agent
        .post('/wallet/topup/test')
        .type('form')
        .send({ _csrf: csrfFrom(page.text), amount: '5', idempotencyKey: 'k'.repeat(20) });
      expect(res.status).toBe(404);
      expect(await balanceOf(off.shop, buyer.email)).toBe(0);
    } finally {
      await off.close();
    }
  });
});
