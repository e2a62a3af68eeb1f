import type { Response } from 'supertest';
import type { Shop } from '../../src/app/shop.js';
import { csrfFrom, startShop, type ShopUnderTest, type Visitor } from './shop-under-test.js';

const ROOMY = { limit: 1000, windowMs: 60_000 };

/** The shop under test with rate limits out of the way (these tests sign up many buyers). */
export function startMoneyShop(env?: Record<string, string>): Promise<ShopUnderTest> {
  return startShop({ ...(env === undefined ? {} : { env }), app: { rateLimits: { signIn: ROOMY, signUp: ROOMY, checkout: ROOMY } } });
}

/** The hidden `name` value inside the form with this `data-testid`. */
export function hiddenIn(pageHtml: string, testid: string, name: string): string {
  const form = new RegExp(`data-testid="${testid}"[\\s\\S]*?</form>`).exec(pageHtml)?.[0];
  if (form === undefined) throw new Error(`no form ${testid} on the page`);
  const value = new RegExp(`name="${name}" value="([^"]*)"`).exec(form)?.[1];
  if (value === undefined) throw new Error(`no ${name} in form ${testid}`);
  return value;
}

/** A fresh top-up form's fields (CSRF and key) from the wallet page. */
export async function topUpForm(v: Visitor, provider: 'test' | 'card'): Promise<{ _csrf: string; idempotencyKey: string }> {
  const page = await v.agent.get('/wallet').expect(200);
  return { _csrf: csrfFrom(page.text), idempotencyKey: hiddenIn(page.text, `topup-${provider}`, 'idempotencyKey') };
}

/** A receipt as a buyer would fill it in (paid an hour before the test clock's now, in the shop's zone). */
export function receipt(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    amount: '25',
    reference: `REF-${Math.random().toString(36).slice(2, 10)}`,
    cardLast4: '1234',
    paidAt: '2026-03-01T08:00',
    ...overrides,
  };
}

export async function submitReceipt(v: Visitor, fields: Record<string, string>): Promise<Response> {
  const form = await topUpForm(v, 'card');
  return v.agent
    .post('/wallet/topup/card')
    .type('form')
    .send({ ...form, ...fields });
}

export async function balanceOf(shop: Shop, email: string): Promise<number> {
  const customer = await shop.storage.customers.getByEmail(email);
  if (customer === null) throw new Error(`no customer ${email}`);
  return shop.storage.ledger.balance(customer.id, shop.config.currency);
}

export async function customerIdOf(shop: Shop, email: string): Promise<string> {
  const customer = await shop.storage.customers.getByEmail(email);
  if (customer === null) throw new Error(`no customer ${email}`);
  return customer.id;
}

/** The ledger entries of a payment's key (one at most, by the ledger's own rule). */
export async function countRows(shop: Shop, sql: string, params: unknown[]): Promise<number> {
  const { rows } = await shop.db.query<{ n: number }>(sql, params);
  return rows[0]?.n ?? 0;
}

/** The customer's payments, oldest first, in the columns the tests check (read through the SDK, as the shop does). */
export async function paymentRows(shop: Shop, customerId: string) {
  const { items } = await shop.kit.payments.list({ customerId }, { limit: 500 });
  return [...items].reverse().map((p) => ({
    id: p.id,
    status: p.status === 'credited' ? 'approved' : p.status,
    reference_key: p.externalRef,
    credited_entry_id: p.ledgerEntryId,
  }));
}
