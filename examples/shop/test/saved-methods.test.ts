import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInAdmin, signedUpBuyer, type ShopUnderTest } from './support/shop-under-test.js';
import { customerIdOf, startMoneyShop, topUpForm } from './support/wallet-helpers.js';

let t: ShopUnderTest;
beforeAll(async () => {
  t = await startMoneyShop();
}, 300_000);
afterAll(() => t.close());

/** The saved methods the wallet page lists, as [id, renewal on/off] pairs. */
function methodsOn(pageHtml: string): Array<[string, string]> {
  return [...pageHtml.matchAll(/<li data-method="([^"]+)" data-renewal="(on|off)">/g)].map((m) => [m[1] as string, m[2] as string]);
}

describe('saved payment methods in the web wallet, the JSON API and the owner’s customer page', () => {
  it('a top-up that saves the test card keeps it (sealed) for the buyer, who stops, allows and removes it; nobody else can', async () => {
    const buyer = await signedUpBuyer(t.app);
    const stranger = await signedUpBuyer(t.app);
    expect((await buyer.agent.get('/wallet').expect(200)).text).toContain('data-testid="saved-methods-none"');
    const form = await topUpForm(buyer, 'test');
    await buyer.agent
      .post('/wallet/topup/test')
      .type('form')
      .send({ ...form, amount: '5', saveMethod: 'yes' })
      .expect(303);
    // The same form again is the same payment: still one method.
    await buyer.agent
      .post('/wallet/topup/test')
      .type('form')
      .send({ ...form, amount: '5', saveMethod: 'yes' })
      .expect(303);
    const page = (await buyer.agent.get('/wallet').expect(200)).text;
    const listed = methodsOn(page);
    expect(listed).toHaveLength(1);
    const [methodId] = listed[0]!;
    expect(listed[0]![1]).toBe('on');
    expect(page).toContain('Test card •••• 4242');
    // Stored sealed: the provider's reference is never in the row as plain text.
    const stored = await t.shop.storage.paymentMethods.get(methodId);
    expect(stored!.sealedRef.startsWith('pk1.')).toBe(true);
    expect(stored!.sealedRef).not.toContain('test-card');

    const api = await buyer.agent.get('/api/v1/payment-methods').set('x-csrf-token', buyer.csrf).expect(200);
    expect(api.body).toEqual({
      methods: [{ id: methodId, provider: 'test', label: 'Test card •••• 4242', allowRenewal: true, createdAt: expect.any(String) }],
    });
    expect(JSON.stringify(api.body)).not.toContain('sealed');
    const off = await buyer.agent
      .post(`/api/v1/payment-methods/${methodId}/renewal`)
      .set('x-csrf-token', buyer.csrf)
      .send({ allowed: false })
      .expect(200);
    expect(off.body.method.allowRenewal).toBe(false);
    await buyer.agent
      .post(`/api/v1/payment-methods/${methodId}/renewal`)
      .set('x-csrf-token', buyer.csrf)
      .send({ allowed: 'no' })
      .expect(400);

    // Another buyer: as if it did not exist, and nothing changes.
    await stranger.agent.post(`/api/v1/payment-methods/${methodId}/remove`).set('x-csrf-token', stranger.csrf).expect(404);
    await stranger.agent
      .post(`/wallet/methods/${methodId}/renewal`)
      .type('form')
      .send({ _csrf: stranger.csrf, allowed: 'yes' })
      .expect(404);
    expect((await t.shop.kit.payments.savedMethods(await customerIdOf(t.shop, buyer.email)))[0]).toMatchObject({ allowRenewal: false });

    // The web page's switch turns it back on.
    const on = await buyer.agent
      .post(`/wallet/methods/${methodId}/renewal`)
      .type('form')
      .send({ _csrf: buyer.csrf, allowed: 'yes' })
      .expect(303);
    expect(on.headers['location']).toContain('done=wallet.method_updated');
    expect(methodsOn((await buyer.agent.get('/wallet').expect(200)).text)).toEqual([[methodId, 'on']]);

    // The owner sees it on the customer's page, read-only.
    const admin = await signedInAdmin(t.app);
    const customerPage = (await admin.agent.get(`/admin/customers/${await customerIdOf(t.shop, buyer.email)}`).expect(200)).text;
    expect(customerPage).toContain('Test card •••• 4242');
    expect(customerPage).not.toContain(`/wallet/methods/${methodId}/remove`);

    await buyer.agent.post(`/wallet/methods/${methodId}/remove`).type('form').send({ _csrf: buyer.csrf }).expect(303);
    expect(methodsOn((await buyer.agent.get('/wallet').expect(200)).text)).toEqual([]);
    // The gateway is asked to forget it too, by one durable job enqueued with the removal.
    const forgetting = await t.shop.storage.jobs.list({ type: 'payment.forget_method' }, { limit: 10 });
    expect(forgetting.items.map((j) => j.payload['methodId'])).toEqual([methodId]);
    await t.drain();
    expect((await t.shop.storage.jobs.get(forgetting.items[0]!.id))?.state).toBe('succeeded');
    await buyer.agent.post(`/api/v1/payment-methods/${methodId}/remove`).set('x-csrf-token', buyer.csrf).expect(404);
    const audit = await t.shop.storage.audit.list(
      { subjectType: 'customer', subjectId: await customerIdOf(t.shop, buyer.email) },
      { limit: 50 },
    );
    expect(audit.items.map((e) => e.action)).toEqual(
      expect.arrayContaining(['payment.method_renewal_off', 'payment.method_renewal_on', 'payment.method_removed']),
    );
  });
});
