/**
 * Issue 94, the owner figures in the shop: the overview's sections (the cohort grid first), the reseller's view of
 * its own buyers, the CSV exports and the JSON API, each through the one use case's role checks.
 */
import type { Plan } from '@panelkit/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ChurnResponse, FiguresOverviewResponse } from '../src/routes/api/response-schemas.js';
import { boughtAndProvisioned, buy, customerIdOf, fund, planNamed } from './support/buying.js';
import { figuresCaughtUp } from './support/figures.js';
import { ROOMY_RATE_LIMITS, signedInAdmin, signedUpBuyer, startShop, type ShopUnderTest, type Visitor } from './support/shop-under-test.js';

let t: ShopUnderTest;
let plan: Plan;
let owner: Visitor;
let reseller: Visitor & { email: string };
let storefrontId: string;
let stranger: Visitor;

/** The body rows of a figures table on a page, as text cells. */
function tableRows(pageHtml: string, section: string): string[][] {
  const table =
    new RegExp(`<table class="figures-table" data-testid="figures-${section}-table">([\\s\\S]*?)</table>`).exec(pageHtml)?.[1] ?? '';
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, '').trim()),
  );
}

function holds(schema: z.ZodType, body: unknown): void {
  const parsed = schema.safeParse(body);
  expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
}

beforeAll(async () => {
  t = await startShop({ app: { rateLimits: ROOMY_RATE_LIMITS } });
  plan = await planNamed(t, 'Frankfurt · 1 month · 50');
  owner = await signedInAdmin(t.app);
  // One buyer of the shop's own, and one of a reseller's storefront (who pays the storefront's retail price).
  const own = await signedUpBuyer(t.app);
  await fund(t, own.email, plan.price.amount * 2);
  await boughtAndProvisioned(t, own, plan.id);
  reseller = await signedUpBuyer(t.app);
  const resellerId = await customerIdOf(t, reseller.email);
  const currency = t.config.currency;
  await t.shop.kit.resellers.setTerms(
    {
      customerId: resellerId,
      creditLimit: { amount: plan.price.amount * 10, currency },
      prices: [{ planId: plan.id, price: { amount: plan.price.amount - 100, currency }, extensionPrice: null, trafficPricePerGiB: null }],
      removePlanIds: [],
    },
    { type: 'admin', id: null },
  );
  storefrontId = (await t.shop.kit.storefronts.create({ resellerId, name: 'Figures Shop' })).id;
  await t.shop.kit.storefronts.setMenuItem({ storefrontId, planId: plan.id, retailPrice: { amount: plan.price.amount, currency } });
  const theirs = await signedUpBuyer(t.app);
  const theirsId = await fund(t, theirs.email, plan.price.amount * 2);
  await t.shop.kit.storefronts.moveBuyer({ customerId: theirsId, storefrontId });
  expect((await buy(theirs, plan.id)).status).toBe(303);
  await t.drain();
  stranger = await signedUpBuyer(t.app);
  await figuresCaughtUp(t.shop.kit, () => t.drain());
});
afterAll(() => t.close());

describe("the owner's overview", () => {
  it('shows the cohort grid of the whole shop under the sales section, with when it was counted', async () => {
    const res = await owner.agent.get('/admin').expect(200);
    expect(res.text.indexOf('data-testid="overview-sales"')).toBeLessThan(res.text.indexOf('data-testid="owner-figures"'));
    expect(res.text).toContain('data-testid="figures-as-of"');
    const rows = tableRows(res.text, 'cohorts');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.slice(0, 3)).toEqual(['Mar 2026', '2', '2*']);
    for (const section of ['cohort_revenue', 'ltv', 'churn', 'renewals', 'trials', 'cash', 'churn_storefront', 'churn_source'])
      expect(res.text, section).toContain(`data-testid="figures-${section}"`);
  });

  it('refuses months it cannot read with 400 and the reason, showing the last twelve instead', async () => {
    const res = await owner.agent.get('/admin?fromMonth=2026-05&toMonth=2026-01').expect(400);
    expect(res.text).toContain('The first month comes after the last.');
    expect(tableRows(res.text, 'cohorts')).toHaveLength(1);
  });

  it('keeps the figures from support staff, who do not see the shop’s money', async () => {
    const staff = await signedUpBuyer(t.app);
    await t.shop.accounts.setRole((await t.shop.accounts.getByEmail(staff.email))!.id, 'support');
    const res = await staff.agent.get('/admin').expect(200);
    expect(res.text).not.toContain('data-testid="owner-figures"');
    await staff.agent.get('/admin/figures.csv?section=cohorts').expect(403);
  });
});

describe('the CSV exports', () => {
  it('gives one section as a CSV download with the rows of its table', async () => {
    const res = await owner.agent.get('/admin/figures.csv?section=cohorts&fromMonth=2026-01&toMonth=2026-03').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers['content-disposition']).toBe('attachment; filename="figures-cohorts-2026-01_2026-03.csv"');
    expect(res.text.split('\r\n')).toEqual(['\uFEFFFirst paid in,Buyers,Month 0', '2026-03,2,2', '']);
  });

  it('writes money in major units and headings in the reader’s language', async () => {
    const res = await owner.agent.get('/admin/figures.csv?section=cohort_revenue').expect(200);
    const [header, row] = res.text.replace('\uFEFF', '').split('\r\n');
    expect(header).toBe('First paid in,Currency,By month 0');
    const amount = plan.price.amount * 2; // the shop's buyer and the storefront's, both at the list price
    expect(row).toBe(`2026-03,${t.config.currency},${(amount / 100).toFixed(2)}`);
  });

  it('answers an unknown section with 404 and unreadable months with 400', async () => {
    await owner.agent.get('/admin/figures.csv?section=everything').expect(404);
    await owner.agent.get('/admin/figures.csv?section=cohorts&fromMonth=soon').expect(400);
  });
});

describe("the reseller's view", () => {
  it('the back office links to its figures, which count its own buyers only', async () => {
    expect((await reseller.agent.get('/account/storefront').expect(200)).text).toContain('href="/account/storefront/figures"');
    const res = await reseller.agent.get('/account/storefront/figures').expect(200);
    expect(res.text).toContain('Figures Shop');
    expect(tableRows(res.text, 'cohorts')[0]!.slice(0, 2)).toEqual(['Mar 2026', '1']);
    // Gateway money and the other storefronts' and sources' churn are the owner's.
    for (const section of ['cash', 'churn_storefront', 'churn_source'])
      expect(res.text, section).not.toContain(`data-testid="figures-${section}"`);
    const csv = await reseller.agent.get('/account/storefront/figures.csv?section=cohorts').expect(200);
    expect(csv.text.split('\r\n')[1]).toBe('2026-03,1,1');
  });

  it('cannot read the whole shop, another scope, or the owner’s sections', async () => {
    await reseller.agent.get('/account/storefront/figures?scope=*').expect(403);
    await reseller.agent.get('/account/storefront/figures?scope=src:organic').expect(403);
    await reseller.agent.get('/account/storefront/figures.csv?section=cohorts&scope=sf:sf_other').expect(403);
    await reseller.agent.get('/account/storefront/figures.csv?section=cash').expect(404);
    await reseller.agent.get('/admin/figures.csv?section=cohorts').expect(403);
  });

  it('a buyer who runs no storefront reads nothing', async () => {
    await stranger.agent.get('/account/storefront/figures').expect(403);
    await stranger.agent.get('/account/storefront/figures.csv?section=cohorts').expect(403);
  });
});

describe('the JSON API', () => {
  const json = (v: Visitor, path: string) => v.agent.get(path).set('accept', 'application/json');

  it('gives the owner the overview and churn of any scope, as described', async () => {
    const all = (await json(owner, '/api/v1/figures/overview?from=2026-01&to=2026-03').expect(200)).body;
    holds(FiguresOverviewResponse, all);
    expect(all).toMatchObject({ scope: '*', from: 202601, to: 202603, calendar: 'gregorian', rebuilding: false });
    expect(all.cohorts.map((c: { cohort: number; size: number }) => [c.cohort, c.size])).toEqual([[202603, 2]]);
    const one = (await json(owner, `/api/v1/figures/overview?scope=sf:${storefrontId}`).expect(200)).body;
    expect(one.cohorts.map((c: { size: number }) => c.size)).toEqual([1]);
    expect(one.cash).toBeNull();
    holds(ChurnResponse, (await json(owner, '/api/v1/figures/churn?dimension=storefront').expect(200)).body);
    await json(owner, '/api/v1/figures/churn?dimension=colour').expect(400);
    // Split by storefront or source only for the whole shop.
    await json(owner, `/api/v1/figures/churn?dimension=source&scope=sf:${storefrontId}`).expect(400);
    await json(owner, '/api/v1/figures/overview?from=2026-09&to=2026-01').expect(400);
  });

  it('gives a reseller its own storefront’s figures and refuses anything wider; a plain buyer gets 403', async () => {
    const own = (await json(reseller, '/api/v1/figures/overview').expect(200)).body;
    expect(own.scope).toBe(`sf:${storefrontId}`);
    expect(own.cohorts.map((c: { size: number }) => c.size)).toEqual([1]);
    await json(reseller, '/api/v1/figures/overview?scope=*').expect(403);
    await json(reseller, '/api/v1/figures/churn?dimension=source').expect(403);
    expect((await json(reseller, '/api/v1/figures/churn?dimension=plan').expect(200)).body.dimension).toBe('plan');
    await json(stranger, '/api/v1/figures/overview').expect(403);
  });
});
