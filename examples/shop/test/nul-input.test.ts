import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planTextsOf } from '../src/db/plan-texts.js';
import { translator } from '../src/i18n/translate.js';
import { postForm } from './support/admin-support.js';
import { signedInAdmin, signedUpBuyer, startShop, type ShopUnderTest, type Visitor } from './support/shop-under-test.js';

const refusal = translator('en')('errors.textNul');

let t: ShopUnderTest;
let admin: Visitor;

beforeAll(async () => {
  t = await startShop();
  admin = await signedInAdmin(t.app);
});
afterAll(() => t.close());

describe('a NUL in any text a request carries', () => {
  it('is a 400 that says so, on every form the attack reached a 500 with', async () => {
    const buyer = await signedUpBuyer(t.app);
    const cases: Array<{ who: Visitor; path: string; body: Record<string, string> }> = [
      { who: buyer, path: '/account/api-tokens', body: { name: 'my\0token' } },
      { who: admin, path: '/admin/receipts/00000000-0000-0000-0000-000000000000/reject', body: { note: 'no\0pe' } },
      { who: admin, path: '/admin/settings', body: { cardHolder: 'A\0B', cardNumber: '6037991234567890' } },
      { who: admin, path: '/admin/customers/a%00b/password-reset', body: {} },
      { who: admin, path: '/admin/customers/a\0b/password-reset', body: {} },
      { who: buyer, path: '/account?next=%00', body: {} },
    ];
    for (const { who, path, body } of cases) {
      const res = await postForm(who, path, body);
      expect(res.status, path).toBe(400);
      expect(res.text, path).toContain(refusal.replace(/\\/g, '&#x5C;').split('(')[0]);
    }
    // The JSON API answers the same, as JSON.
    const api = await buyer.agent
      .post('/api/v1/checkout/quote')
      .set('x-csrf-token', buyer.csrf)
      .set('accept', 'application/json')
      .send({ planId: 'x\0', nested: [{ deep: 'a\0' }] });
    expect(api.status).toBe(400);
    expect(api.body.error.message).toBe(refusal);
  });

  it('saves nothing of a plan whose translated name holds one (the plan and its texts stay as they were)', async () => {
    const body: Record<string, string> = {
      name: 'Nul month',
      family: 'nul',
      description: 'Plain',
      price: '4',
      durationDays: '30',
      trafficGiB: '50',
      deviceLimit: '',
      maxClients: '',
      allowedLocations: '',
      autoProvision: 'on',
      renewable: 'on',
      onSale: 'on',
      trialDays: '',
      trialGiB: '',
      extensionWindowDays: '3',
      trafficOnExtend: 'replace',
      daysOnExtend: 'stack',
      name_en: '',
      description_en: '',
      name_fa: 'ماهانه',
      description_fa: 'ساده',
    };
    await postForm(admin, '/admin/plans', body).expect(303);
    const plan = (await t.shop.storage.plans.list()).find((p) => p.name === 'Nul month');
    if (plan === undefined) throw new Error('plan not created');
    const textsBefore = await planTextsOf(t.shop, plan.id);
    expect(textsBefore).toEqual({ fa: { name: 'ماهانه', description: 'ساده' } });
    for (const field of ['name_en', 'name_fa']) {
      const res = await postForm(admin, `/admin/plans/${plan.id}/edit`, { ...body, name: 'Renamed', price: '5', [field]: 'bad\0name' });
      expect(res.status, field).toBe(400);
    }
    const after = await t.shop.storage.plans.get(plan.id);
    expect([after?.name, after?.price.amount]).toEqual([plan.name, plan.price.amount]);
    expect(await planTextsOf(t.shop, plan.id)).toEqual(textsBefore);
  });
});
