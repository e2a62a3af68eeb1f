import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { salesFigures } from '../src/app/stats/figures.js';
import { periodOf } from '../src/app/stats/period.js';
import { boughtAndProvisioned, customerIdOf, fund, planNamed } from './support/buying.js';
import { signedInAdmin, signedUpBuyer, startShop, visitor, type ShopUnderTest, type Visitor } from './support/shop-under-test.js';

let t: ShopUnderTest;
let owner: Visitor;
let price: number;

/** The figures table's rows as text cells (`From`, revenue, paid orders, in service). */
function tableRows(pageHtml: string): string[][] {
  const table = /<table data-testid="sales-table">([\s\S]*?)<\/table>/.exec(pageHtml)?.[1] ?? '';
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1]!.matchAll(/<td>([\s\S]*?)<\/td>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, '').trim()),
  );
}

beforeAll(async () => {
  // The shop keeps Tehran time (UTC+3:30): a sale at 21:00 UTC belongs to the next day.
  t = await startShop({ env: { SHOP_TIME_ZONE: 'Asia/Tehran' } });
  owner = await signedInAdmin(t.app);
  const plan = await planNamed(t, 'Frankfurt · 1 month');
  price = plan.price.amount;
  const buyer = await signedUpBuyer(t.app);
  await fund(t, buyer.email, price * 3);
  await boughtAndProvisioned(t, buyer, plan.id); // 2026-03-01 12:30 Tehran
  t.clock.set(new Date('2026-03-02T21:00:00Z')); // 2026-03-03 00:30 Tehran
  const second = await boughtAndProvisioned(t, buyer, plan.id);
  t.clock.set(new Date('2026-03-04T10:00:00Z'));
  await t.shop.kit.terminate({ subscriptionId: second });
  await t.drain();
});
afterAll(() => t.close());

describe('the owner sees sales over time', () => {
  it('counts revenue, paid orders and subscriptions in service per day of the shop zone', async () => {
    const chosen = periodOf({ from: '2026-03-01', to: '2026-03-05' }, t.clock.now(), 'Asia/Tehran');
    const figures = await salesFigures(t.shop.kit, chosen.period, 'Asia/Tehran');
    expect(figures.sales).toEqual([1, 0, 1, 0, 0]);
    expect(figures.revenue).toEqual([{ currency: t.config.currency, values: [price, 0, price, 0, 0] }]);
    // The second subscription served from 3 March until its termination on 4 March (Tehran).
    expect(figures.inService).toEqual([1, 1, 2, 1, 1]);
    expect(figures.totals).toEqual({ revenue: [{ currency: t.config.currency, amount: 2 * price }], sales: 2, inService: 1 });
  });

  it('draws the period on the overview with the same figures as a table', async () => {
    const res = await owner.agent.get('/admin?from=2026-03-01&to=2026-03-05').expect(200);
    expect(res.text).toContain('data-testid="overview-sales"');
    expect(res.text).toContain('src="/assets/vendor/uplot/uPlot.iife.min.js"');
    expect(res.text.match(/data-chart="/g)).toHaveLength(3);
    const rows = tableRows(res.text);
    expect(rows.map((r) => [r[2], r[3]])).toEqual([
      ['1', '1'],
      ['0', '1'],
      ['1', '2'],
      ['0', '1'],
      ['0', '1'],
    ]);
    expect(/data-testid="total-sales">([^<]*)</.exec(res.text)?.[1]).toBe('2');
  });

  it('reads a Jalali period on the Farsi page', async () => {
    await owner.agent.get('/lang/fa?next=/admin').expect(303);
    const res = await owner.agent.get('/admin?from=1404/12/10&to=1404/12/14').expect(200);
    expect(tableRows(res.text)).toHaveLength(5);
    expect(res.text).toContain('value="1404/12/10"');
    await owner.agent.get('/lang/en?next=/admin').expect(303);
  });

  it('answers a period it cannot read with 400 and the reason, drawing the last 30 days instead', async () => {
    const res = await owner.agent.get('/admin?from=2026-03-09&to=2026-03-01').expect(400);
    expect(res.text).toContain('The first day comes after the last.');
    expect(tableRows(res.text)).toHaveLength(30);
  });

  it('serves uPlot from the shop itself', async () => {
    const v = await visitor(t.app);
    const script = await v.agent.get('/assets/vendor/uplot/uPlot.iife.min.js').expect(200);
    expect(script.text).toContain('uPlot');
    await v.agent.get('/assets/vendor/uplot/uPlot.min.css').expect(200).expect('content-type', /css/);
  });

  it("shows support staff the overview without the shop's money", async () => {
    const staff = await signedUpBuyer(t.app);
    const account = await t.shop.accounts.getByEmail(staff.email);
    await t.shop.accounts.setRole(account!.id, 'support');
    const res = await staff.agent.get('/admin').expect(200);
    expect(res.text).toContain('data-testid="overview-subscriptions"');
    expect(res.text).not.toContain('data-testid="overview-sales"');
    expect(await customerIdOf(t, staff.email)).toBeTruthy();
  });
});
