import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedUpBuyer, startShop, visitor, type ShopUnderTest } from './support/shop-under-test.js';

let t: ShopUnderTest;
let pages: string[];
let actions: string[];

beforeAll(async () => {
  t = await startShop();
  const panel = (await t.shop.storage.panels.list())[0]!;
  const target = (await t.shop.storage.targets.list({ panelId: panel.id }))[0]!;
  const plan = (await t.shop.storage.plans.list())[0]!;
  // Ids need not exist: the admin check comes before any lookup.
  const sub = 'sub_aaaaaaaaaaaaaaaaaaaa';
  pages = [
    '/admin',
    '/admin/panels',
    '/admin/panels/new',
    `/admin/panels/${panel.id}`,
    `/admin/panels/${panel.id}/edit`,
    `/admin/panels/${panel.id}/targets/${target.id}`,
    '/admin/plans',
    '/admin/plans/new',
    `/admin/plans/${plan.id}/edit`,
    '/admin/orders',
    '/admin/orders/ord_aaaaaaaaaaaa',
    `/admin/subscriptions/${sub}`,
    '/admin/audit',
    '/admin/drift',
    '/admin/dry-run',
  ];
  actions = [
    '/admin/panels',
    `/admin/panels/${panel.id}/edit`,
    `/admin/panels/${panel.id}/test`,
    `/admin/panels/${panel.id}/enabled`,
    `/admin/panels/${panel.id}/sync`,
    `/admin/panels/${panel.id}/targets/${target.id}`,
    '/admin/plans',
    `/admin/plans/${plan.id}/edit`,
    ...['retry', 'approve', 'suspend', 'resume', 'terminate'].map((a) => `/admin/subscriptions/${sub}/${a}`),
    '/admin/jobs/job_aaaaaaaaaaaa/retry',
    '/admin/drift/repair',
  ];
});
afterAll(() => t.close());

describe('who may use the back office', () => {
  it('sends anonymous visitors to sign in, and answers their posts with 401', async () => {
    const v = await visitor(t.app);
    for (const path of pages) {
      const res = await v.agent.get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 303 });
      expect(res.headers['location']).toBe(`/signin?next=${encodeURIComponent(path)}`);
    }
    for (const path of actions) {
      const res = await v.agent.post(path).type('form').send({ _csrf: v.csrf, enabled: 'off', name: 'x' });
      expect({ path, status: res.status }).toEqual({ path, status: 401 });
    }
    const api = await supertest(t.app).get('/admin/panels').set('accept', 'application/json');
    expect(api.status).toBe(303);
  });

  it('refuses signed-in buyers with 403 on every page and action, and changes nothing', async () => {
    const buyer = await signedUpBuyer(t.app);
    const before = {
      panels: await t.shop.storage.panels.list(),
      plans: await t.shop.storage.plans.list(),
      audit: (await t.shop.storage.audit.list({ actor: 'admin' }, { limit: 100 })).items.length,
    };
    for (const path of pages) {
      const res = await buyer.agent.get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
      expect(res.text).toContain('Only an admin may do that.');
    }
    for (const path of actions) {
      const res = await buyer.agent.post(path).type('form').send({
        _csrf: buyer.csrf,
        enabled: 'off',
        kind: '3x-ui',
        name: 'Hijacked',
        baseUrl: 'http://127.0.0.1:1/',
        username: 'a',
        password: 'b',
        price: '1',
        durationDays: '30',
        family: 'x',
        extensionWindowDays: '3',
        trafficOnExtend: 'replace',
        daysOnExtend: 'stack',
      });
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
    }
    expect(await t.shop.storage.panels.list()).toEqual(before.panels);
    expect(await t.shop.storage.plans.list()).toEqual(before.plans);
    expect((await t.shop.storage.audit.list({ actor: 'admin' }, { limit: 100 })).items.length).toBe(before.audit);
  });

  it('refuses an admin form posted without the CSRF token', async () => {
    const buyer = await signedUpBuyer(t.app);
    const res = await buyer.agent.post('/admin/drift/repair').type('form').send({});
    expect(res.status).toBe(403);
  });
});
