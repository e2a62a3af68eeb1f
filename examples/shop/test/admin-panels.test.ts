import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminGet, fundedBuyer, idFromLocation, postForm, startExtraPanel, type ExtraPanel } from './support/admin-support.js';
import { signedInAdmin, startShop, type ShopUnderTest, type Visitor } from './support/shop-under-test.js';

let t: ShopUnderTest;
let extra: ExtraPanel;
let admin: Visitor;
/** Every admin page this file saw: none may hold a panel secret. */
const seen: string[] = [];

async function page(path: string) {
  const result = await adminGet(admin, path);
  seen.push(result.html);
  return result;
}

beforeAll(async () => {
  t = await startShop();
  extra = await startExtraPanel(t.clock);
  admin = await signedInAdmin(t.app);
});
afterAll(async () => {
  await extra.close();
  await t.close();
});

/** Adds the extra simulator as a panel through the form; its id. */
async function addPanel(name: string): Promise<string> {
  const res = await postForm(admin, '/admin/panels', { ...panelFields(), name, intent: 'save' });
  expect(res.status).toBe(303);
  return idFromLocation(res.headers['location'], 'panels');
}

const panelFields = () => ({
  kind: '3x-ui',
  name: 'Helsinki (third)',
  baseUrl: extra.url,
  username: extra.login.username,
  password: extra.login.password,
  locationTags: 'FI, eu',
  subscriptionBaseUrl: '',
  linkHost: 'hel.example.com',
  enabled: 'on',
});

describe('a panel from scratch to a sold subscription', () => {
  it('tests settings before saving, saves, checks health, syncs targets, sells a plan, and shows the order', async () => {
    const form = await page('/admin/panels/new');
    expect(form.html).toContain('data-testid="panel-form"');

    // Wrong password: the test fails, nothing is stored.
    const wrong = await postForm(admin, '/admin/panels', { ...panelFields(), password: 'not-the-password', intent: 'test' });
    expect(wrong.status).toBe(200);
    expect(wrong.text).toContain('data-ok="no"');
    const right = await postForm(admin, '/admin/panels', { ...panelFields(), intent: 'test' });
    expect(right.text).toContain('data-ok="yes"');
    expect(right.text).toContain('value="Helsinki (third)"');
    seen.push(wrong.text, right.text);
    expect((await t.shop.storage.panels.list()).some((p) => p.name === 'Helsinki (third)')).toBe(false);

    const saved = await postForm(admin, '/admin/panels', { ...panelFields(), intent: 'save' });
    expect(saved.status).toBe(303);
    const panelId = idFromLocation(saved.headers['location'], 'panels');
    const panel = await t.shop.storage.panels.get(panelId);
    expect(panel).toMatchObject({
      kind: '3x-ui',
      baseUrl: extra.url,
      locationTags: ['fi', 'eu'],
      options: { linkHost: 'hel.example.com' },
      enabled: true,
    });
    expect(panel?.credentials).toEqual({ type: 'password', ...extra.login });

    const list = await page('/admin/panels');
    expect(list.html).toContain('Helsinki (third)');

    await postForm(admin, `/admin/panels/${panelId}/test`, {}).expect(303);
    const detail = await page(`/admin/panels/${panelId}?done=adminOps.health_checked`);
    expect(detail.html).toMatch(/data-testid="panel-health">[\s\S]*data-status="healthy"/);
    expect(detail.html).toContain('Connection tested');

    const sync = await postForm(admin, `/admin/panels/${panelId}/sync`, { capacity: '100' });
    expect(sync.status).toBe(200);
    expect(sync.text).toContain('data-testid="sync-added"');
    const targets = await t.shop.storage.targets.list({ panelId });
    expect(targets.length).toBeGreaterThan(1);
    expect(targets.every((x) => x.capacity === 100)).toBe(true);
    // A second sync adds nothing.
    const again = await postForm(admin, `/admin/panels/${panelId}/sync`, { capacity: '' });
    expect(again.text).not.toContain('data-testid="sync-added"');
    expect((await t.shop.storage.targets.list({ panelId })).length).toBe(targets.length);

    const target = targets.find((x) => x.protocol === 'vless') ?? targets[0]!;
    await page(`/admin/panels/${panelId}/targets/${target.id}`);
    await postForm(admin, `/admin/panels/${panelId}/targets/${target.id}`, {
      capacity: '',
      tags: 'reality',
      isDefault: 'on',
      provisioningEnabled: 'on',
    }).expect(303);
    expect(await t.shop.storage.targets.get(target.id)).toMatchObject({
      capacity: null,
      tags: ['reality'],
      isDefault: true,
      provisioningEnabled: true,
    });

    await page('/admin/plans/new');
    const created = await postForm(admin, '/admin/plans', {
      name: 'Helsinki · 1 month',
      family: 'hel',
      description: 'Fast',
      price: '4.50',
      durationDays: '30',
      trafficGiB: '25',
      deviceLimit: '2',
      maxClients: '',
      allowedLocations: 'fi',
      preferredTargetIds: [target.id],
      autoProvision: 'on',
      renewable: 'on',
      onSale: 'on',
      trialDays: '1',
      trialGiB: '0.5',
      extensionWindowDays: '3',
      trafficOnExtend: 'carry_over',
      daysOnExtend: 'stack',
    });
    expect(created.status).toBe(303);
    const plan = (await t.shop.storage.plans.list()).find((p) => p.name === 'Helsinki · 1 month');
    expect(plan).toMatchObject({
      price: { amount: 450, currency: 'USD' },
      durationDays: 30,
      trafficBytes: 25 * 1024 ** 3,
      deviceLimit: 2,
      maxClients: null,
      placement: { allowedLocations: ['fi'], preferredTargetIds: [target.id] },
      trial: { days: 1, trafficBytes: 512 * 1024 ** 2 },
      extension: { windowDays: 3, trafficOnExtend: 'carry_over', daysOnExtend: 'stack' },
      startOnFirstUse: false,
      onSale: true,
    });
    const plans = await page('/admin/plans');
    expect(plans.html).toContain('Helsinki · 1 month');

    const buyer = await fundedBuyer(t, t.app, 1000);
    const order = await t.shop.kit.checkout({
      customerId: buyer.customerId,
      items: [{ planId: plan!.id }],
      idempotencyKey: 'admin-panels-1',
    });
    const before = await page(`/admin/orders/${order.order.id}`);
    expect(before.html).toMatch(/data-testid="order-status">[\s\S]*data-status="provisioning"/);
    expect(before.html).toContain('data-job-state="queued"');
    await t.drain();
    const after = await page(`/admin/orders/${order.order.id}`);
    expect(after.html).toMatch(/data-testid="order-status">[\s\S]*data-status="completed"/);
    expect(after.html).toContain('data-job-state="succeeded"');
    expect(after.html).toContain(buyer.email);
    expect(after.html).toContain('Helsinki (third)');
    const sub = order.subscriptions[0]!;
    expect(await extra.sim.countClients(sub.remote.username)).toBe(1);
    const orders = await page('/admin/orders?status=completed');
    expect(orders.html).toContain(order.order.id);
    expect((await page('/admin/orders?status=failed')).html).not.toContain(order.order.id);
    const subPage = await page(`/admin/subscriptions/${sub.id}`);
    expect(subPage.html).toMatch(/data-testid="subscription-status">[\s\S]*data-status="active"/);
    expect(subPage.html).toContain('subscription.provisioned');
  });

  it('keeps a stored password when the edit form leaves it empty, and never sends it to the browser', async () => {
    const panel = (await t.shop.storage.panels.get(await addPanel('Helsinki (edit)')))!;
    const edit = await page(`/admin/panels/${panel.id}/edit`);
    expect(edit.html).toContain(`value="${extra.login.username}"`);
    const res = await postForm(admin, `/admin/panels/${panel.id}/edit`, {
      ...panelFields(),
      kind: 's-ui',
      name: 'Helsinki 3',
      password: '',
      locationTags: 'fi',
      intent: 'save',
    });
    expect(res.status).toBe(303);
    const updated = await t.shop.storage.panels.get(panel.id);
    expect(updated).toMatchObject({
      kind: '3x-ui',
      name: 'Helsinki 3',
      locationTags: ['fi'],
      credentials: { type: 'password', ...extra.login },
    });
    const audit = await page(`/admin/audit?subjectType=panel&subjectId=${panel.id}`);
    expect(audit.html).toContain('panel.updated');

    // A token replaces the password; an empty token then keeps the token.
    await postForm(admin, `/admin/panels/${panel.id}/edit`, {
      ...panelFields(),
      name: 'Helsinki 3',
      username: '',
      password: '',
      token: 'tok-secret-8812',
      intent: 'save',
    }).expect(303);
    expect((await t.shop.storage.panels.get(panel.id))?.credentials).toEqual({ type: 'token', token: 'tok-secret-8812' });
    seen.push((await page(`/admin/panels/${panel.id}/edit`)).html, (await page(`/admin/panels/${panel.id}`)).html);
    await postForm(admin, `/admin/panels/${panel.id}/edit`, {
      ...panelFields(),
      name: 'Helsinki 3',
      username: extra.login.username,
      password: extra.login.password,
      intent: 'save',
    }).expect(303);

    for (const path of ['/admin', '/admin/panels', '/admin/audit', '/admin/drift']) seen.push((await page(path)).html);
    for (const html of seen) {
      expect(html).not.toContain(extra.login.password);
      expect(html).not.toContain('tok-secret-8812');
      for (const demo of t.shop.demo!.panels) expect(html).not.toContain(demo.login.password);
    }
  });

  it('disables and enables a panel', async () => {
    const panel = (await t.shop.storage.panels.get(await addPanel('Helsinki (toggle)')))!;
    await postForm(admin, `/admin/panels/${panel.id}/enabled`, { enabled: 'off' }).expect(303);
    expect((await t.shop.storage.panels.get(panel.id))?.enabled).toBe(false);
    const list = await page('/admin');
    expect(list.html).toMatch(/Helsinki \(toggle\)<\/a><\/td><td><span class="badge off"/);
    await postForm(admin, `/admin/panels/${panel.id}/enabled`, { enabled: 'on' }).expect(303);
    expect((await t.shop.storage.panels.get(panel.id))?.enabled).toBe(true);
  });

  it('shows every section in Farsi with the Persian calendar', async () => {
    await admin.agent.get('/lang/fa?next=/admin').expect(303);
    const overview = await page('/admin');
    expect(overview.html).toContain('<html lang="fa" dir="rtl">');
    expect(overview.html).toContain('نمای کلی');
    const audit = await page('/admin/audit');
    // 2026-03-01 is 10 Esfand 1404 in the Persian calendar.
    expect(audit.html).toContain('۱۴۰۴');
    for (const path of [
      '/admin/panels',
      '/admin/plans',
      '/admin/orders',
      '/admin/drift',
      '/admin/dry-run',
      '/admin/panels/new',
      '/admin/plans/new',
    ])
      await page(path);
    await admin.agent.get('/lang/en?next=/admin').expect(303);
  });
});
