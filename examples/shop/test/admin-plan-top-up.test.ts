import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminGet, postForm } from './support/admin-support.js';
import { signedInAdmin, startShop, type ShopUnderTest, type Visitor } from './support/shop-under-test.js';

let t: ShopUnderTest;
let admin: Visitor;

beforeAll(async () => {
  t = await startShop();
  admin = await signedInAdmin(t.app);
});
afterAll(() => t.close());

type Body = Record<string, string | string[]>;

const plan = (over: Body = {}): Body => ({
  name: 'Top-up plan',
  family: 'topup',
  description: '',
  price: '5',
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
  topUpPricePerGiB: '',
  topUpMaxGiB: '',
  ...over,
});

describe('the plan form sells extra traffic', () => {
  it('refuses a bad price per GiB or a maximum without a price on its field, writing nothing', async () => {
    const before = await t.shop.storage.plans.list();
    for (const [body, field] of [
      [plan({ topUpPricePerGiB: 'cheap' }), 'topUpPricePerGiB'],
      [plan({ topUpPricePerGiB: '0' }), 'topUpPricePerGiB'],
      [plan({ topUpMaxGiB: '10' }), 'topUpPricePerGiB'],
      [plan({ topUpPricePerGiB: '0.10', topUpMaxGiB: '0' }), 'topUpMaxGiB'],
    ] as const) {
      const res = await postForm(admin, '/admin/plans', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.text, JSON.stringify(body)).toMatch(new RegExp(`id="f-${field}-error"`));
    }
    expect(await t.shop.storage.plans.list()).toEqual(before);
  });

  it('stores the offer, shows it on edit, and an empty price takes it away', async () => {
    const created = await postForm(admin, '/admin/plans', plan({ name: 'Top-up stored', topUpPricePerGiB: '0.25', topUpMaxGiB: '40' }));
    expect(created.status).toBe(303);
    const stored = (await t.shop.storage.plans.list()).find((p) => p.name === 'Top-up stored')!;
    expect(stored.trafficTopUp).toEqual({ pricePerGiB: { amount: 25, currency: stored.price.currency }, maxGiBPerPurchase: 40 });
    const edit = await adminGet(admin, `/admin/plans/${stored.id}/edit`);
    expect(edit.html).toMatch(/name="topUpPricePerGiB"[^>]*value="0\.25"|value="0\.25"[^>]*name="topUpPricePerGiB"/);
    await postForm(admin, `/admin/plans/${stored.id}/edit`, plan({ name: 'Top-up stored' }));
    expect((await t.shop.storage.plans.get(stored.id))!.trafficTopUp).toBeNull();
  });
});
