import type { Express } from 'express';
import { generateSync } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REAUTH_WINDOW_MS } from '../src/http/staff-security.js';
import { STAFF_ROUTES, staffRuleFor } from '../src/app/auth/staff-roles.js';
import { signedInAdmin, signedUpBuyer, startShop, visitor, type ShopUnderTest, type Visitor } from './support/shop-under-test.js';

interface RegisteredRoute {
  method: string;
  path: string;
}

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every route registered on the app, read from Express's own router (area routers are mounted at the root). */
function registeredRoutes(app: Express): RegisteredRoute[] {
  const found: RegisteredRoute[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route !== undefined) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const path of paths) for (const method of Object.keys(layer.route.methods)) found.push({ method: method.toUpperCase(), path });
      } else if (layer.handle?.stack !== undefined) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return found;
}

const SUPPORT = { email: 'support-one@example.com', password: 'support-password-123' };

async function signIn(app: Express, who: { email: string; password: string }): Promise<Visitor> {
  const v = await visitor(app);
  await v.agent
    .post('/signin')
    .type('form')
    .send({ _csrf: v.csrf, ...who })
    .expect(303);
  return v;
}

let t: ShopUnderTest;
let owner: Visitor;

beforeAll(async () => {
  t = await startShop();
  owner = await signedInAdmin(t.app);
});
afterAll(() => t.close());

describe('staff roles', () => {
  it('lists every registered back-office route in the role table, and no route that does not exist', () => {
    const admin = registeredRoutes(t.app).filter((r) => r.path === '/admin' || r.path.startsWith('/admin/'));
    expect(admin.length).toBeGreaterThan(30);
    expect(admin.filter((r) => staffRuleFor(r.method, r.path.replace(/:[A-Za-z]+/g, 'x_1'))?.path === undefined)).toEqual([]);
    const matchesRegistered = (rule: (typeof STAFF_ROUTES)[number]) =>
      admin.some((r) => r.method === rule.method && staffRuleFor(r.method, r.path.replace(/:[A-Za-z]+/g, 'x_1')) === rule);
    expect(STAFF_ROUTES.filter((rule) => !matchesRegistered(rule))).toEqual([]);
    // Panels (and their secrets), plans, deliveries, drift, the audit log and staff stay the owner's.
    const ownersAreas = /^\/admin\/(panels|plans|deliveries|drift|dry-run|audit|staff|import)(\/|$)/;
    expect(STAFF_ROUTES.filter((rule) => ownersAreas.test(rule.path) && rule.level !== 'owner')).toEqual([]);
    expect(STAFF_ROUTES.filter((rule) => ownersAreas.test(rule.path)).length).toBeGreaterThan(20);
  });

  it('lets the owner invite support staff; bad input is refused and changes nothing', async () => {
    const page = await owner.agent.get('/admin/staff').expect(200);
    expect(page.text).toContain('Add support staff');
    const before = await t.shop.accounts.listStaff();
    await owner.agent.post('/admin/staff').type('form').send({ _csrf: owner.csrf, email: 'not-an-email', password: '' }).expect(400);
    const noPassword = await owner.agent
      .post('/admin/staff')
      .type('form')
      .send({ _csrf: owner.csrf, email: 'nobody@example.com', password: '' });
    expect(noPassword.status).toBe(400);
    expect(noPassword.text).toContain('give a first password');
    await owner.agent.post('/admin/staff').type('form').send({ _csrf: owner.csrf, email: 'admin@example.com', password: '' }).expect(409);
    expect(await t.shop.accounts.listStaff()).toEqual(before);
    expect(await t.shop.accounts.getByEmail('nobody@example.com')).toBeNull();

    await owner.agent
      .post('/admin/staff')
      .type('form')
      .send({ _csrf: owner.csrf, ...SUPPORT })
      .expect(303)
      .expect('location', '/admin/staff?done=staff.added');
    expect((await t.shop.accounts.getByEmail(SUPPORT.email))?.role).toBe('support');
    const audit = await t.shop.storage.audit.list({ actor: 'admin' }, { limit: 100 });
    expect(audit.items.some((e) => e.action === 'staff.role_changed' && (e.data as { role?: string }).role === 'support')).toBe(true);
  });

  it("walks every back-office route as support: 403 on the owner's, through to the page on the rest", async () => {
    const support = await signIn(t.app, SUPPORT);
    const buyer = await signedUpBuyer(t.app);
    const customerId = (await t.shop.storage.customers.getByEmail(buyer.email))!.id;
    const before = {
      panels: await t.shop.storage.panels.list(),
      plans: await t.shop.storage.plans.list(),
      staff: await t.shop.accounts.listStaff(),
    };
    const admin = registeredRoutes(t.app).filter((r) => r.path === '/admin' || r.path.startsWith('/admin/'));
    for (const route of admin) {
      // Customer pages get a real customer; other ids need not exist (a 404 still proves the role check let it through).
      const path = route.path.replace(/\/customers\/:id/, `/customers/${customerId}`).replace(/:[A-Za-z]+/g, 'x_1');
      const level = staffRuleFor(route.method, path)!.level;
      const res =
        route.method === 'GET' ? await support.agent.get(path) : await support.agent.post(path).type('form').send({ _csrf: support.csrf });
      const seen = { method: route.method, path: route.path, status: res.status };
      if (level === 'owner') {
        expect(seen).toEqual({ ...seen, status: 403 });
        expect(res.text).toContain('Only the shop&#39;s owner may do that.');
      } else if ((route.method === 'GET' && !route.path.includes(':')) || route.path === '/admin/customers/:id') {
        expect(seen).toEqual({ ...seen, status: 200 });
      } else {
        expect([200, 303, 400, 404, 409]).toContain(res.status);
      }
    }
    expect(await t.shop.storage.panels.list()).toEqual(before.panels);
    expect(await t.shop.storage.plans.list()).toEqual(before.plans);
    expect(await t.shop.accounts.listStaff()).toEqual(before.staff);
  });

  it('shows support staff only the sections they may use', async () => {
    const support = await signIn(t.app, SUPPORT);
    const receipts = (await support.agent.get('/admin/receipts').expect(200)).text;
    expect(/<header class="top">[\s\S]*?<\/header>/.exec(receipts)?.[0]).toContain('href="/admin"');
    const nav = /<nav class="admin-nav"[\s\S]*?<\/nav>/.exec(receipts)?.[0] ?? '';
    expect(nav).toContain('href="/admin/receipts"');
    expect(nav).toContain('href="/admin/customers"');
    expect(nav).not.toContain('href="/admin/panels"');
    expect(nav).not.toContain('href="/admin/plans"');
    expect(nav).not.toContain('href="/admin/staff"');
    const ownerNav = /<nav class="admin-nav"[\s\S]*?<\/nav>/.exec((await owner.agent.get('/admin/receipts').expect(200)).text)?.[0] ?? '';
    expect(ownerNav).toContain('href="/admin/panels"');
    expect(ownerNav).toContain('href="/admin/staff"');
  });

  it('promotes an existing buyer and demotes support staff back to buyers; owners cannot be demoted here', async () => {
    const buyer = await signedUpBuyer(t.app);
    await buyer.agent.get('/admin/receipts').expect(403);
    await owner.agent
      .post('/admin/staff')
      .type('form')
      .send({ _csrf: owner.csrf, email: buyer.email, password: 'some-new-password' })
      .expect(409);
    await owner.agent.post('/admin/staff').type('form').send({ _csrf: owner.csrf, email: buyer.email, password: '' }).expect(303);
    await buyer.agent.get('/admin/receipts').expect(200);
    const account = (await t.shop.accounts.getByEmail(buyer.email))!;
    const ownerAccount = (await t.shop.accounts.getByEmail('admin@example.com'))!;
    await owner.agent.post(`/admin/staff/${ownerAccount.id}/demote`).type('form').send({ _csrf: owner.csrf }).expect(404);
    expect((await t.shop.accounts.get(ownerAccount.id))?.role).toBe('admin');
    await owner.agent.post(`/admin/staff/${account.id}/demote`).type('form').send({ _csrf: owner.csrf }).expect(303);
    expect((await t.shop.accounts.get(account.id))?.role).toBe('buyer');
    await buyer.agent.get('/admin/receipts').expect(403);
  });

  it("resets a support member's lost second factor: their sessions end and their next sign-in enrols anew", async () => {
    const support = await signIn(t.app, SUPPORT);
    await support.agent.get('/admin/receipts').expect(200);
    const account = (await t.shop.accounts.getByEmail(SUPPORT.email))!;
    const enrolment = await t.shop.staffTotp.pendingEnrolment(account.id, SUPPORT.email, 'Test Shop');
    const code = generateSync({ secret: enrolment!.secret, epoch: Math.floor(t.clock.now().getTime() / 1000) });
    expect(await t.shop.staffTotp.confirm(account.id, code)).toHaveLength(10);
    expect(await t.shop.staffTotp.isEnabled(account.id)).toBe(true);

    const page = await owner.agent.get('/admin/staff').expect(200);
    expect(page.text).toContain(`/admin/staff/${account.id}/reset-2fa`);
    await owner.agent
      .post(`/admin/staff/${account.id}/reset-2fa`)
      .type('form')
      .send({ _csrf: owner.csrf })
      .expect(303)
      .expect('location', '/admin/staff?done=staff.totp_reset');
    expect(await t.shop.staffTotp.isEnabled(account.id)).toBe(false);
    expect(await t.shop.staffTotp.recoveryCodesLeft(account.id)).toBe(0);
    expect(await t.shop.sessions.list(account.id)).toEqual([]);
    expect((await support.agent.get('/admin/receipts')).status).not.toBe(200);
    const audit = await t.shop.storage.audit.list({ actor: 'admin' }, { limit: 100 });
    expect(audit.items.some((e) => e.action === 'staff.totp_reset' && e.data['hadSecondFactor'] === true)).toBe(true);
    // Not for owners, nor for buyers.
    const ownerAccount = (await t.shop.accounts.getByEmail('admin@example.com'))!;
    await owner.agent.post(`/admin/staff/${ownerAccount.id}/reset-2fa`).type('form').send({ _csrf: owner.csrf }).expect(404);
  });

  it('refuses staff changes from an owner who has not given a password in the last few minutes', async () => {
    t.clock.advance(REAUTH_WINDOW_MS + 60_000);
    const before = await t.shop.accounts.listStaff();
    await owner.agent
      .post('/admin/staff')
      .type('form')
      .send({ _csrf: owner.csrf, email: 'late@example.com', password: 'late-password-123' })
      .expect(403);
    const support = (await t.shop.accounts.getByEmail(SUPPORT.email))!;
    await owner.agent.post(`/admin/staff/${support.id}/demote`).type('form').send({ _csrf: owner.csrf }).expect(403);
    await owner.agent.post(`/admin/staff/${support.id}/reset-2fa`).type('form').send({ _csrf: owner.csrf }).expect(403);
    expect(await t.shop.accounts.listStaff()).toEqual(before);
  });
});

describe('support staff and the second factor', () => {
  it('sends support staff without TOTP to enrol when STAFF_TOTP is required', async () => {
    const shop = await startShop({ env: { STAFF_TOTP: 'required' } });
    try {
      const buyer = await signedUpBuyer(shop.app);
      await shop.shop.accounts.setRole((await shop.shop.accounts.getByEmail(buyer.email))!.id, 'support');
      await buyer.agent.get('/admin/receipts').expect(303).expect('location', '/account/security?required=1');
      const security = await buyer.agent.get('/account/security').expect(200);
      expect(security.text).toContain('data:image/svg+xml;base64,');
    } finally {
      await shop.close();
    }
  });
});
