/**
 * Issue 91: every plan the SDK sells, made and changed in the owner's plan form (`/admin/plans`): a plan the buyer
 * composes (base price, each part's unit price, least, most and step, the locations to choose from), a family plan
 * (seats), a trial that asks for a verified phone, and an extension price of its own. The form shows the price
 * buyers see ("from" the SDK's quote of the builder's defaults) after a save and in a preview that saves nothing;
 * bad values are refused on their field with a 400 and store nothing.
 */
import type { Plan } from '@panelkit/sdk';
import { builtFromPrice } from '@panelkit/sdk/plan-builder';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney } from '../src/i18n/format.js';
import { PlanListResponse } from '../src/routes/api/response-schemas.js';
import { adminGet, postForm } from './support/admin-support.js';
import { signedInAdmin, startShop, type ShopUnderTest, type Visitor } from './support/shop-under-test.js';

let t: ShopUnderTest;
let admin: Visitor;
let currency: string;

beforeAll(async () => {
  t = await startShop();
  admin = await signedInAdmin(t.app);
  currency = t.shop.config.currency;
});
afterAll(() => t.close());

type Body = Record<string, string | string[]>;

const fixedPlan = (name: string): Body => ({
  name,
  family: name.toLowerCase().replace(/\W+/g, '-'),
  description: '',
  price: '9.99',
  durationDays: '30',
  trafficGiB: '',
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
});

/** A plan the buyer composes from all four parts. */
const builtPlan = (name: string): Body => ({
  ...fixedPlan(name),
  builderBasePrice: '1.00',
  builderLocationsPrice: '2.00',
  builderLocationsMin: '1',
  builderLocationsMax: '2',
  builderLocationsStep: '',
  builderLocationsOptions: 'de, nl',
  builderDevicesPrice: '0.50',
  builderDevicesMin: '2',
  builderDevicesMax: '6',
  builderDevicesStep: '2',
  builderTrafficPrice: '0.02',
  builderTrafficMin: '50',
  builderTrafficMax: '500',
  builderTrafficStep: '50',
  builderDaysPrice: '0.10',
  builderDaysMin: '30',
  builderDaysMax: '90',
  builderDaysStep: '30',
});

/** base 100 + 1 location × 200 + 2 devices × 50 + 50 GiB × 2 + 30 days × 10, in minor units. */
const BUILT_FROM = 100 + 200 + 2 * 50 + 50 * 2 + 30 * 10;

async function planByName(name: string): Promise<Plan> {
  const plan = (await t.shop.storage.plans.list()).find((p) => p.name === name);
  if (plan === undefined) throw new Error(`no plan ${name}`);
  return plan;
}

/** Everything the plan form could write. */
async function snapshot() {
  const s = t.shop.storage;
  return { plans: await s.plans.list(), audit: (await s.audit.list({}, { limit: 1000 })).items.length };
}

async function created(body: Body): Promise<Plan> {
  const res = await postForm(admin, '/admin/plans', body);
  expect(res.status, res.text.slice(0, 2000)).toBe(303);
  return planByName(body['name'] as string);
}

const from = (amount: number) => `from ${formatMoney({ amount, currency }, 'en')}`;

describe('the owner’s plan form makes every kind of plan', () => {
  it('a plan the buyer composes: base price and each part’s unit price, least, most, step and options', async () => {
    const plan = await created(builtPlan('Compose'));
    const usd = (amount: number) => ({ amount, currency });
    expect(plan.builder).toEqual({
      basePrice: usd(100),
      locations: { unitPrice: usd(200), min: 1, max: 2, step: 1, options: ['de', 'nl'] },
      devices: { unitPrice: usd(50), min: 2, max: 6, step: 2 },
      trafficGiB: { unitPrice: usd(2), min: 50, max: 500, step: 50 },
      durationDays: { unitPrice: usd(10), min: 30, max: 90, step: 30 },
    });
    expect(builtFromPrice(plan)).toEqual(usd(BUILT_FROM));
    // Listed as buyers see it, in the owner's table and on the plan's page.
    const table = await adminGet(admin, '/admin/plans');
    expect(table.html).toContain(`<td data-testid="plan-price">${from(BUILT_FROM)}</td>`);
    const edit = await adminGet(admin, `/admin/plans/${plan.id}/edit`);
    expect(edit.html).toContain(`Buyers see: ${from(BUILT_FROM)}`);
    for (const [field, value] of Object.entries(builtPlan('Compose'))) {
      if (field.startsWith('builder') && value !== '') expect(edit.html).toContain(`name="${field}" type="text" value="${value}"`);
    }
    expect(edit.html).toContain('name="builderLocationsStep" type="text" value="1"');
  });

  it('a family plan with seats, and a trial that asks for a verified phone', async () => {
    const family = await created({ ...fixedPlan('Family'), seats: '4' });
    expect(family.sharing).toEqual({ maxMembers: 4 });
    expect(family.builder).toBeNull();
    const phone = await created({ ...fixedPlan('Phone trial'), trialDays: '3', trialGiB: '1', trialRequirePhone: 'on' });
    expect(phone.trial).toEqual({ days: 3, trafficBytes: 2 ** 30, requirePhone: true });
    const page = await adminGet(admin, `/admin/plans/${phone.id}/edit`);
    expect(page.html).toMatch(/name="trialRequirePhone" value="on"\s+checked/);
    expect((await adminGet(admin, `/admin/plans/${family.id}/edit`)).html).toContain('name="seats" type="text" value="4"');
    // A fixed plan is listed at its own price.
    expect(page.html).toContain(`Buyers see: ${formatMoney({ amount: 999, currency }, 'en')}`);
    // The JSON API lists them as it describes them (a paid trial that needs a phone says both).
    await t.shop.kit.plans.update(phone.id, { trial: { ...phone.trial!, price: { amount: 100, currency } } });
    const listed = PlanListResponse.parse((await supertest(t.app).get('/api/v1/plans').expect(200)).body).items;
    expect(listed.find((p) => p.id === phone.id)?.trial).toEqual({
      days: 3,
      trafficBytes: 2 ** 30,
      price: { amount: 100, currency },
      requirePhone: true,
    });
    expect(listed.find((p) => p.id === family.id)?.priceFrom).toBe(false);
  });

  it('edits each kind: parts changed and dropped, a built plan made fixed, seats and the phone check changed', async () => {
    const plan = await created(builtPlan('Edit me'));
    const edited: Body = {
      ...builtPlan('Edit me'),
      builderDevicesPrice: '0.75',
      builderTrafficPrice: '',
      builderTrafficMin: '',
      builderTrafficMax: '',
      builderTrafficStep: '',
      seats: '2',
    };
    expect((await postForm(admin, `/admin/plans/${plan.id}/edit`, edited)).status).toBe(303);
    const after = (await t.shop.storage.plans.get(plan.id))!;
    expect(after.builder?.devices?.unitPrice.amount).toBe(75);
    expect(after.builder?.trafficGiB).toBeNull();
    expect(after.sharing).toEqual({ maxMembers: 2 });
    expect(builtFromPrice(after)?.amount).toBe(100 + 200 + 2 * 75 + 30 * 10);

    const fixed = Object.fromEntries(Object.entries(edited).filter(([k]) => !k.startsWith('builder')));
    expect(
      (await postForm(admin, `/admin/plans/${plan.id}/edit`, { ...fixed, seats: '', trialDays: '2', trialRequirePhone: 'on' })).status,
    ).toBe(303);
    const madeFixed = (await t.shop.storage.plans.get(plan.id))!;
    expect(madeFixed.builder).toBeNull();
    expect(madeFixed.sharing).toBeNull();
    expect(madeFixed.trial).toMatchObject({ days: 2, requirePhone: true });

    // The phone check unticked: the trial asks for none.
    expect((await postForm(admin, `/admin/plans/${plan.id}/edit`, { ...fixed, trialDays: '2' })).status).toBe(303);
    expect((await t.shop.storage.plans.get(plan.id))!.trial?.requirePhone).toBeUndefined();
  });

  it('an extension price: set, shown on edit, and emptied back to the plan’s price', async () => {
    const plan = await created({ ...fixedPlan('Dearer renewal'), extensionPrice: '12.50' });
    expect(plan.extension.price).toEqual({ amount: 1250, currency });
    expect((await adminGet(admin, `/admin/plans/${plan.id}/edit`)).html).toContain('name="extensionPrice" type="text" value="12.50"');
    expect((await postForm(admin, `/admin/plans/${plan.id}/edit`, { ...fixedPlan('Dearer renewal'), extensionPrice: '' })).status).toBe(
      303,
    );
    expect((await t.shop.storage.plans.get(plan.id))!.extension.price).toBeNull();
  });

  it('previews the price buyers would see without saving anything, and refuses bad values in a preview too', async () => {
    const before = await snapshot();
    const preview = await postForm(admin, '/admin/plans', { ...builtPlan('Preview'), intent: 'preview' });
    expect(preview.status).toBe(200);
    expect(preview.text).toContain(`Buyers see: ${from(BUILT_FROM)}`);
    expect(preview.text).toContain('Not saved yet.');
    expect(preview.text).toContain('name="builderDaysMax" type="text" value="90"');
    const bad = await postForm(admin, '/admin/plans', { ...builtPlan('Preview'), builderDaysMin: '100', intent: 'preview' });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/id="f-builderDaysMax-error">Must not be below the least\./);
    expect(await snapshot()).toEqual(before);
  });
});

describe('bad values in the plan form', () => {
  /** Posts each body; every answer is a 400 page that names the field with its message, and nothing is written. */
  async function refusesAll(path: string, bodies: Array<[Body, string, RegExp]>) {
    const before = await snapshot();
    for (const [body, field, message] of bodies) {
      const res = await postForm(admin, path, body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      const shown = new RegExp(`id="f-${field}-error">([^<]*)<`).exec(res.text)?.[1];
      expect({ body, shown }).toEqual({ body, shown: expect.stringMatching(message) });
    }
    expect(await snapshot()).toEqual(before);
  }

  const cases = (base: Body): Array<[Body, string, RegExp]> => [
    [{ ...base, builderBasePrice: 'cheap' }, 'builderBasePrice', /amount/i],
    [{ ...base, builderBasePrice: '' }, 'builderBasePrice', /Set a base price/],
    [{ ...base, builderDevicesPrice: '' }, 'builderDevicesPrice', /Set a price per unit/],
    [{ ...base, builderDevicesPrice: '0.501' }, 'builderDevicesPrice', /amount/i],
    [{ ...base, builderDevicesMin: '' }, 'builderDevicesMin', /required/i],
    [{ ...base, builderDevicesMax: 'six' }, 'builderDevicesMax', /whole number/i],
    [{ ...base, builderDevicesMin: '7' }, 'builderDevicesMax', /Must not be below the least/],
    [{ ...base, builderDevicesMin: '0' }, 'builderDevicesMin', /At least 1/],
    [{ ...base, builderDevicesMax: '1001' }, 'builderDevicesMax', /At most 1/],
    [{ ...base, builderDaysStep: '0' }, 'builderDaysStep', /At least 1/],
    [{ ...base, builderDaysMax: '4000' }, 'builderDaysMax', /At most 3/],
    [{ ...base, builderLocationsOptions: '' }, 'builderLocationsOptions', /required/i],
    [{ ...base, builderLocationsOptions: 'de, <b>' }, 'builderLocationsOptions', /./],
    [{ ...base, builderLocationsMin: '2', builderLocationsOptions: 'de' }, 'builderLocationsMin', /number of locations/],
    [
      { ...base, builderTrafficPrice: '999999999999', builderTrafficMin: '1000000', builderTrafficMax: '1000000' },
      'builderBasePrice',
      /too large/,
    ],
    [{ ...base, builderDevicesPrice: ['1', '2'] }, 'builderDevicesPrice', /./],
    [{ ...base, seats: '0' }, 'seats', /At least 1/],
    [{ ...base, seats: '21' }, 'seats', /At most 2/],
    [{ ...base, seats: 'many' }, 'seats', /whole number/i],
    [{ ...base, trialRequirePhone: 'on' }, 'trialDays', /untick the phone check/],
    [{ ...base, extensionPrice: 'a lot' }, 'extensionPrice', /amount/i],
    [{ ...base, extensionPrice: '1.234' }, 'extensionPrice', /amount/i],
  ];

  it('creating: each refused on its field with its message, nothing stored', async () => {
    await refusesAll('/admin/plans', cases(builtPlan('Refused')));
    // A part typed on a fixed plan, without a base price.
    await refusesAll('/admin/plans', [
      [
        { ...fixedPlan('Refused'), builderDaysPrice: '0.10', builderDaysMin: '30', builderDaysMax: '30' },
        'builderBasePrice',
        /Set a base price/,
      ],
    ]);
  });

  it('editing: each refused on its field with its message, the plan unchanged', async () => {
    const plan = await created(builtPlan('Kept as it was'));
    await refusesAll(`/admin/plans/${plan.id}/edit`, cases(builtPlan('Kept as it was')));
  });
});
