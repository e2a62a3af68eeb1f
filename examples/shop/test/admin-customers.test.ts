import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TelegramLinkStore } from '../src/db/telegram-links.js';
import { csrfFrom, signedInAdmin, signedUpBuyer, type ShopUnderTest, type Visitor } from './support/shop-under-test.js';
import {
  balanceOf,
  countRows,
  customerIdOf,
  hiddenIn,
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

async function adjustForm(customerId: string) {
  const page = await admin.agent.get(`/admin/customers/${customerId}`).expect(200);
  return { _csrf: csrfFrom(page.text), nonce: hiddenIn(page.text, 'adjust-balance', 'nonce') };
}

async function adjustments(customerId: string): Promise<number> {
  return countRows(
    t.shop,
    `SELECT count(*)::int AS n FROM ${JSON.stringify(t.config.schema)}.ledger_entries WHERE customer_id = $1 AND kind = 'adjustment'`,
    [customerId],
  );
}

describe('the customer list', () => {
  it('searches by email (wildcards taken literally), newest first, paged', async () => {
    const stamp = Date.now();
    for (let i = 0; i < 27; i++) await signedUpBuyer(t.app, `listed${i}-${stamp}@example.com`);
    const first = await admin.agent.get(`/admin/customers?q=${stamp}`).expect(200);
    expect(first.text.match(/data-testid="customer-row"/g)).toHaveLength(25);
    const second = await admin.agent.get(`/admin/customers?q=${stamp}&page=2`).expect(200);
    expect(second.text.match(/data-testid="customer-row"/g)).toHaveLength(2);
    const one = await admin.agent.get(`/admin/customers?q=LISTED3-${stamp}`).expect(200);
    expect(one.text.match(/data-testid="customer-row"/g)).toHaveLength(1);
    const wildcard = await admin.agent.get('/admin/customers?q=%25').expect(200);
    expect(wildcard.text).not.toContain('data-testid="customer-row"');
  });

  it('finds a buyer who only ever used the bot by Telegram id and @username (the bot’s search), and refuses a malformed one', async () => {
    const customer = await t.shop.kit.customers.create({ externalRef: 'telegram:7770001', telegramId: '7770001', name: 'Bot Only' });
    const links = new TelegramLinkStore(t.shop.db, t.shop.shopSchema, t.shop.clock);
    await links.linkIfNew({ telegramUserId: '7770001', chatId: '7770001', customerId: customer.id });
    await links.setUsername('7770001', 'bot_only_buyer');
    for (const q of ['7770001', '@Bot_Only_Buyer']) {
      const page = await admin.agent.get(`/admin/customers?q=${encodeURIComponent(q)}`).expect(200);
      expect(page.text.match(/data-testid="customer-row"/g)).toHaveLength(1);
      expect(page.text).toContain(`href="/admin/customers/${customer.id}"`);
    }
    expect((await admin.agent.get('/admin/customers?q=%40x')).status).toBe(400);
  });

  it('is for admins only', async () => {
    const buyer = await signedUpBuyer(t.app);
    const id = await customerIdOf(t.shop, buyer.email);
    expect((await buyer.agent.get('/admin/customers')).status).toBe(403);
    expect((await buyer.agent.get(`/admin/customers/${id}`)).status).toBe(403);
    expect(
      (
        await buyer.agent
          .post(`/admin/customers/${id}/adjust`)
          .type('form')
          .send({ _csrf: buyer.csrf, direction: 'credit', amount: '100', note: 'me', nonce: 'n'.repeat(20) })
      ).status,
    ).toBe(403);
    expect(await balanceOf(t.shop, buyer.email)).toBe(0);
  });
});

describe('a customer page', () => {
  it('shows balance, ledger, payments and subscriptions with links', async () => {
    const buyer = await signedUpBuyer(t.app);
    const form = await topUpForm(buyer, 'test');
    await buyer.agent
      .post('/wallet/topup/test')
      .type('form')
      .send({ ...form, amount: '30' })
      .expect(303);
    expect((await submitReceipt(buyer, receipt({ reference: 'SHOWN-1234' }))).status).toBe(303);
    const customerId = await customerIdOf(t.shop, buyer.email);
    const plan = (await t.shop.storage.plans.list({ onSale: true }))[0]!;
    const checkout = await t.shop.kit.checkout({ customerId, items: [{ planId: plan.id }], idempotencyKey: 'admin-page-order' });
    const page = await admin.agent.get(`/admin/customers/${customerId}`).expect(200);
    expect(page.text).toContain(buyer.email);
    expect(page.text).toContain('data-testid="balance"');
    expect(page.text).toContain('SHOWN-1234');
    expect(page.text).toMatch(/data-testid="ledger-row" data-kind="purchase"/);
    expect(page.text).toContain(plan.name);
    const subscriptionId = checkout.subscriptions[0]!.id;
    expect(page.text).toContain(`href="/admin/subscriptions/${subscriptionId}"`);
    expect((await admin.agent.get('/admin/customers/cus_nosuchcustomer')).status).toBe(404);
  });
});

describe('a manual adjustment', () => {
  it('credits and debits with a note, once per form, and refuses to go below zero', async () => {
    const buyer = await signedUpBuyer(t.app);
    const customerId = await customerIdOf(t.shop, buyer.email);
    const credit = { ...(await adjustForm(customerId)), direction: 'credit', amount: '50', note: 'goodwill for the outage' };
    const sends = await Promise.all([1, 2].map(() => admin.agent.post(`/admin/customers/${customerId}/adjust`).type('form').send(credit)));
    expect(sends.map((r) => r.status)).toEqual([303, 303]);
    expect(sends[0]?.headers['location']).toBe(`/admin/customers/${customerId}?done=adminMoney.adjusted`);
    expect(await balanceOf(t.shop, buyer.email)).toBe(5000);
    expect(await adjustments(customerId)).toBe(1);

    const tooMuch = { ...(await adjustForm(customerId)), direction: 'debit', amount: '50.01', note: 'clawback' };
    const refused = await admin.agent.post(`/admin/customers/${customerId}/adjust`).type('form').send(tooMuch);
    expect(refused.status).toBe(409);
    expect(refused.text).toMatch(/That would take the balance below zero \(it is [^)]*50\.00\)\./);
    expect(refused.text).toContain('value="50.01"');
    expect(await balanceOf(t.shop, buyer.email)).toBe(5000);

    const debit = { ...tooMuch, amount: '20' };
    await admin.agent.post(`/admin/customers/${customerId}/adjust`).type('form').send(debit).expect(303);
    expect(await balanceOf(t.shop, buyer.email)).toBe(3000);
    const page = await admin.agent.get(`/admin/customers/${customerId}?done=adminMoney.adjusted`).expect(200);
    expect(page.text).toContain('Balance adjusted.');
    expect(page.text).toContain('goodwill for the outage');
    const wallet = await buyer.agent.get('/wallet').expect(200);
    expect(wallet.text).toMatch(/data-testid="ledger-row" data-kind="adjustment"/);
  });

  it('refuses malformed forms with messages and values, writing nothing', async () => {
    const buyer = await signedUpBuyer(t.app);
    const customerId = await customerIdOf(t.shop, buyer.email);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ direction: 'sideways' }, 'Choose credit or debit.'],
      [{ amount: '' }, 'Enter an amount such as 10 or 12.50.'],
      [{ amount: '0' }, 'Enter an amount above zero.'],
      [{ note: '   ' }, 'Write down why.'],
      [{ note: 'n'.repeat(501) }, 'At most 500 characters.'],
      [{ nonce: 'short' }, 'This form has expired.'],
    ];
    for (const [override, message] of cases) {
      const form = { ...(await adjustForm(customerId)), direction: 'credit', amount: '5', note: 'why not', ...override };
      const res = await admin.agent.post(`/admin/customers/${customerId}/adjust`).type('form').send(form);
      expect({ override, status: res.status }).toEqual({ override, status: 400 });
      expect(res.text).toContain(message);
    }
    const kept = await admin.agent
      .post(`/admin/customers/${customerId}/adjust`)
      .type('form')
      .send({ ...(await adjustForm(customerId)), direction: 'debit', amount: 'x', note: 'kept note' });
    expect(kept.text).toContain('value="kept note"');
    expect(kept.text).toMatch(/value="debit" checked/);
    expect(await adjustments(customerId)).toBe(0);
    const missing = await admin.agent
      .post('/admin/customers/cus_nosuchcustomer/adjust')
      .type('form')
      .send({ ...(await adjustForm(customerId)), direction: 'credit', amount: '5', note: 'x' });
    expect(missing.status).toBe(404);
  });
});
