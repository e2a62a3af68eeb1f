/**
 * Requests a buyer's browser never sends but an attacker or a broken link does: malformed percent-
 * encodings and NUL bytes in ids answer 4xx and never reach the database; pages that may carry a
 * secret are never stored by a cache.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInAdmin, signedUpBuyer, startShop, type ShopUnderTest, type Visitor } from './support/shop-under-test.js';

describe('malformed requests and caching', () => {
  let t: ShopUnderTest;
  let buyer: Visitor;
  let admin: Visitor;
  beforeAll(async () => {
    t = await startShop();
    [buyer, admin] = await Promise.all([signedUpBuyer(t.app), signedInAdmin(t.app)]);
  });
  afterAll(() => t?.close());

  it('answers 400 for a malformed percent-encoding in a route id, for pages, forms and the API', async () => {
    for (const path of ['/subscriptions/%ff', '/orders/%E0%A4%A', '/api/v1/subscriptions/%ff']) {
      const res = await buyer.agent.get(path);
      expect(res.status, path).toBe(400);
    }
    const res = await admin.agent.post('/admin/subscriptions/%ff/suspend').type('form').send({ _csrf: admin.csrf });
    expect(res.status).toBe(400);
  });

  it('answers 400 for a NUL byte in an id without asking the database', async () => {
    // Refused by the input layer before any route (see nul-input.test.ts): no id can hold a NUL.
    expect((await buyer.agent.get('/api/v1/payments/%00').set('Accept', 'application/json')).status).toBe(400);
    const approve = await admin.agent.post('/admin/receipts/%00/approve').type('form').send({ _csrf: admin.csrf, note: '' });
    expect(approve.status).toBe(400);
    expect((await admin.agent.get('/admin/customers/%00')).status).toBe(400);
    const adjust = await admin.agent.post('/admin/customers/%00/adjust').type('form').send({ _csrf: admin.csrf });
    expect(adjust.status).toBe(400);
  });

  it('tells caches to keep no page or API answer, but lets them keep the static assets', async () => {
    for (const path of ['/', '/wallet', '/api/v1/subscriptions', '/account/api-tokens']) {
      const res = await buyer.agent.get(path);
      expect(res.headers['cache-control'], path).toBe('no-store');
    }
    const asset = await buyer.agent.get('/assets/shop.css').expect(200);
    expect(asset.headers['cache-control']).not.toBe('no-store');
  });
});
