import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedUpBuyer, type ShopUnderTest } from './support/shop-under-test.js';
import { balanceOf, customerIdOf, paymentRows, receipt, startMoneyShop } from './support/wallet-helpers.js';

let t: ShopUnderTest;
beforeAll(async () => {
  t = await startMoneyShop();
});
afterAll(() => t.close());

/** A buyer and a Bearer token of theirs. */
async function buyerWithToken() {
  const buyer = await signedUpBuyer(t.app);
  const account = await t.shop.accounts.getByEmail(buyer.email);
  const { token } = await t.shop.apiTokens.create(account!.id, 'test bot');
  const api = supertest(t.app);
  return {
    buyer,
    token,
    get: (path: string) => api.get(path).set('authorization', `Bearer ${token}`),
    post: (path: string, body: unknown) =>
      api
        .post(path)
        .set('authorization', `Bearer ${token}`)
        .send(body as object),
  };
}

const key = () => `key-${Math.random().toString(36).slice(2)}-${Date.now()}`;

describe('the wallet API', () => {
  it('tops up with the test provider by token (no CSRF needed), once per key', async () => {
    const b = await buyerWithToken();
    const body = { amount: '20.25', idempotencyKey: key() };
    const first = await b.post('/api/v1/topups/test', body);
    expect(first.status).toBe(201);
    expect(first.body.payment).toMatchObject({ provider: 'test', status: 'approved', amount: 2025, currency: 'USD', credited: true });
    const again = await b.post('/api/v1/topups/test', body);
    expect(again.status).toBe(201);
    expect(again.body.payment.id).toBe(first.body.payment.id);
    t.clock.advance(1000);
    const number = await b.post('/api/v1/topups/test', { amount: 5, idempotencyKey: key() });
    expect(number.status).toBe(201);
    expect(await balanceOf(t.shop, b.buyer.email)).toBe(2525);

    const wallet = await b.get('/api/v1/wallet').expect(200);
    expect(wallet.body.balances).toEqual([{ amount: 2525, currency: 'USD', formatted: expect.stringContaining('25.25') }]);
    expect(wallet.body.ledger.map((e: { amount: number }) => e.amount)).toEqual([500, 2025]);
    expect(wallet.body.ledger[0]).toMatchObject({ kind: 'top_up', balanceAfter: 2525 });
    expect(wallet.body.providers.map((p: { id: string }) => p.id).sort()).toEqual(['card', 'test']);
  });

  it('submits a card receipt (202, pending) and lists payments newest first, paged', async () => {
    const b = await buyerWithToken();
    const sent = await b.post('/api/v1/topups/card', { ...receipt({ reference: 'API-REF-0001' }), idempotencyKey: key() });
    expect(sent.status).toBe(202);
    expect(sent.body.payment).toMatchObject({
      status: 'pending',
      reference: 'API-REF-0001',
      cardLast4: '1234',
      paidAt: '2026-03-01T08:00:00.000Z',
      credited: false,
    });
    t.clock.advance(1000);
    await b.post('/api/v1/topups/card', { ...receipt(), idempotencyKey: key() }).expect(202);
    const page1 = await b.get('/api/v1/payments?limit=1').expect(200);
    expect(page1.body.payments).toHaveLength(1);
    expect(page1.body.payments[0].reference).not.toBe('API-REF-0001');
    const page2 = await b.get(`/api/v1/payments?limit=1&cursor=${page1.body.nextCursor}`).expect(200);
    expect(page2.body.payments[0].reference).toBe('API-REF-0001');
    expect(page2.body.nextCursor).toBeNull();
    const one = await b.get(`/api/v1/payments/${sent.body.payment.id}`).expect(200);
    expect(one.body.payment.id).toBe(sent.body.payment.id);
  });

  it('answers bad fields with 400 and every field message in JSON, and a duplicate with 409', async () => {
    const b = await buyerWithToken();
    const bad = await b.post('/api/v1/topups/card', { amount: '0', reference: 'x', cardLast4: '12', paidAt: 'soon' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({
      code: 'invalidInput',
      fields: {
        amount: 'Enter an amount above zero.',
        reference: 'Enter the reference number from the receipt: 4 to 40 letters or digits.',
        cardLast4: 'Enter the last 4 digits of the card you paid with.',
        paidAt: 'Enter the date and time you paid.',
        idempotencyKey: 'This form has expired. Reload the page and try again.',
      },
    });
    const wrongType = await b.post('/api/v1/topups/test', { amount: { value: 5 }, idempotencyKey: key() });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error.fields.amount).toBe('Enter an amount such as 10 or 12.50.');
    await b.post('/api/v1/topups/card', { ...receipt({ reference: 'DUP-API-77' }), idempotencyKey: key() }).expect(202);
    const dup = await b.post('/api/v1/topups/card', { ...receipt({ reference: 'dup api 77' }), idempotencyKey: key() });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({
      message: 'This receipt reference was already submitted.',
      fields: { reference: 'This receipt reference was already submitted.' },
    });
    const unknown = await b.post('/api/v1/topups/bitcoin', { amount: '5', idempotencyKey: key() });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('notFound');
    const malformed = await supertest(t.app)
      .post('/api/v1/topups/test')
      .set('authorization', `Bearer ${b.token}`)
      .set('content-type', 'application/json')
      .send('{"amount":');
    expect(malformed.status).toBe(400);
    expect(await paymentRows(t.shop, await customerIdOf(t.shop, b.buyer.email))).toHaveLength(1);
  });

  it('hides another buyer’s payment (404), and needs a valid token or a session', async () => {
    const a = await buyerWithToken();
    const b = await buyerWithToken();
    const sent = await a.post('/api/v1/topups/card', { ...receipt(), idempotencyKey: key() }).expect(202);
    const peek = await b.get(`/api/v1/payments/${sent.body.payment.id}`);
    expect(peek.status).toBe(404);
    expect((await b.get('/api/v1/payments').expect(200)).body.payments).toEqual([]);
    expect((await supertest(t.app).get('/api/v1/wallet')).status).toBe(401);
    expect(
      (
        await supertest(t.app)
          .get('/api/v1/wallet')
          .set('authorization', `Bearer pk_${'x'.repeat(40)}`)
      ).status,
    ).toBe(401);
  });

  it('takes a session with the x-csrf-token header, and refuses it without', async () => {
    const buyer = await signedUpBuyer(t.app);
    const body = { amount: '1', idempotencyKey: key() };
    expect((await buyer.agent.post('/api/v1/topups/test').send(body)).status).toBe(403);
    const ok = await buyer.agent.post('/api/v1/topups/test').set('x-csrf-token', buyer.csrf).send(body);
    expect(ok.status).toBe(201);
    expect((await buyer.agent.get('/api/v1/wallet').expect(200)).body.balances[0].amount).toBe(100);
  });
});
