/**
 * Issue 91: one price for a plan the buyer composes everywhere it is listed. The catalog shows "from" the SDK's
 * quote of the builder's defaults (`builtFromPrice`); the JSON API's plan list and the owner's plan table show that
 * same price, never the plan's stored one, and say it is a "from" price. A fixed plan keeps its own price.
 */
import type { Plan } from '@panelkit/sdk';
import { builtFromPrice } from '@panelkit/sdk/plan-builder';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney } from '../src/i18n/format.js';
import { PlanListResponse } from '../src/routes/api/response-schemas.js';
import { planNamed } from './support/buying.js';
import { signedInAdmin, startShop, type ShopUnderTest, type Visitor } from './support/shop-under-test.js';

let t: ShopUnderTest;
let admin: Visitor;
let built: Plan;
let fixed: Plan;

beforeAll(async () => {
  t = await startShop();
  admin = await signedInAdmin(t.app);
  fixed = await planNamed(t, 'Frankfurt · 1 month · 50');
  const currency = fixed.price.currency;
  built = await t.shop.kit.plans.create({
    name: 'Compose it',
    family: 'compose',
    // A stored price the plan never sells for: what the API and the table showed before.
    price: { amount: 999, currency },
    durationDays: 30,
    trafficBytes: null,
    builder: {
      basePrice: { amount: 100, currency },
      devices: { unitPrice: { amount: 70, currency }, min: 2, max: 5 },
      durationDays: { unitPrice: { amount: 15, currency }, min: 30, max: 90, step: 30 },
    },
  });
});
afterAll(() => t.close());

/** The quote of the builder's defaults: base + 2 devices + 30 days. */
const FROM = 100 + 2 * 70 + 30 * 15;

describe('a built plan’s listed price', () => {
  it('is the SDK’s quote of its builder’s defaults', () => {
    expect(builtFromPrice(built)).toEqual({ amount: FROM, currency: built.price.currency });
  });

  it('GET /api/v1/plans gives it as the price, marked "from"; a fixed plan keeps its own price', async () => {
    const res = await supertest(t.app).get('/api/v1/plans').expect(200);
    PlanListResponse.parse(res.body);
    const byId = new Map(res.body.items.map((p: { id: string }) => [p.id, p]));
    expect(byId.get(built.id)).toMatchObject({ price: { amount: FROM, currency: built.price.currency }, priceFrom: true });
    expect(byId.get(fixed.id)).toMatchObject({ price: fixed.price, priceFrom: false });
  });

  it('the owner’s plan table shows it as the catalog does, "from …"', async () => {
    const [table, catalog] = await Promise.all([admin.agent.get('/admin/plans').expect(200), supertest(t.app).get('/').expect(200)]);
    const from = `from ${formatMoney({ amount: FROM, currency: built.price.currency }, 'en')}`;
    expect(catalog.text).toContain(from);
    const row = rowOf(table.text, built.id);
    expect(row).toContain(`<td data-testid="plan-price">${from}</td>`);
    expect(row).not.toContain(formatMoney(built.price, 'en'));
    expect(rowOf(table.text, fixed.id)).toContain(`<td data-testid="plan-price">${formatMoney(fixed.price, 'en')}</td>`);
  });
});

function rowOf(html: string, planId: string): string {
  const start = html.indexOf(`data-plan-id="${planId}"`);
  expect(start, `no row for ${planId}`).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf('</tr>', start));
}
