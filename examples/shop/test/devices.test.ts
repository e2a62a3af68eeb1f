/**
 * Devices as buyers and staff manage them, through the one set of use cases in `src/app/devices`: "my devices" and
 * "remove a device" on the web's subscription page and in the JSON API, the count on the link's page, "devices of a
 * buyer" and "reset devices" on the admin's customer page (audited with the actor and the reason), the plan's device
 * terms on the owner's form, and the buyer's notices of a device added or turned away (once per device and episode).
 */
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { renderNotification } from '../src/app/notifications/render.js';
import { notificationsOf } from '../src/db/notifications.js';
import { DeviceListResponse, DeviceRemovedResponse, ErrorResponse, PlanListResponse } from '../src/routes/api/response-schemas.js';
import { adminGet, postForm } from './support/admin-support.js';
import { boughtAndProvisioned, fund, planNamed } from './support/buying.js';
import { ROOMY_RATE_LIMITS, signedInAdmin, signedUpBuyer, startShop, type ShopUnderTest, type Visitor } from './support/shop-under-test.js';

const A = 'http://shop-a.example.com';
const LIMITS = { ...ROOMY_RATE_LIMITS, subscriptionLink: { limit: 1000, windowMs: 60_000 } };
/** A plan of the demo shop with `deviceLimit: 2` and the default no-id policy (`serve`). */
const TWO_DEVICES = 'Frankfurt · 1 month · unlimited';

const HAPP_IOS = {
  'user-agent': 'Happ/4.6.0/ios/2603181556604',
  'x-hwid': '5f0c2a9e7d1b4c3a',
  'x-device-os': 'iOS',
  'x-ver-os': '26.1',
  'x-device-model': 'iPhone 16 Pro',
};
const HIDDIFY_WINDOWS = {
  'user-agent': 'HiddifyNext/2.5.7 (windows) like ClashMeta v2ray sing-box',
  'x-hwid': 'hiddify-7b3e1f20',
  'x-device-os': 'Windows',
  'x-ver-os': '10.0.26100',
};
const HAPP_ANDROID = {
  'user-agent': 'Happ/3.13.0',
  'x-hwid': '0a1b2c3d4e5f6789',
  'x-device-os': 'Android',
  'x-ver-os': '15',
  'x-device-model': 'SM-A546E',
};
const BROWSER = {
  'user-agent': 'Mozilla/5.0 (Linux; Android 15; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36',
  accept: 'text/html,application/xhtml+xml',
};

let t: ShopUnderTest;
beforeAll(async () => {
  t = await startShop({ app: { rateLimits: LIMITS }, env: { SHOP_NAME: 'Demo', PUBLIC_URLS: A } });
});
afterAll(() => t.close());

async function linkPath(buyer: Visitor): Promise<string> {
  const page = await buyer.agent.get('/dashboard').expect(200);
  const url = /id="shop-link-url" type="text" readonly value="([^"]+)"/.exec(page.text)?.[1];
  if (url === undefined) throw new Error('no shop link on the dashboard');
  return new URL(url).pathname;
}

interface Bought {
  buyer: Visitor & { email: string };
  customerId: string;
  sub: string;
  path: string;
}

async function buyerWithDevices(...devices: Record<string, string>[]): Promise<Bought> {
  const buyer = await signedUpBuyer(t.app);
  const customerId = await fund(t, buyer.email, 10_000);
  const sub = await boughtAndProvisioned(t, buyer, (await planNamed(t, TWO_DEVICES)).id);
  const path = await linkPath(buyer);
  for (const headers of devices) await ask(path, headers).expect(200);
  return { buyer, customerId, sub, path };
}

const ask = (path: string, headers: Record<string, string>) => supertest(t.app).get(path).set(headers).set('host', new URL(A).host);
const devicesOf = (sub: string) => t.shop.kit.devices.list(sub);
const noticesOf = async (customerId: string, kind: string) =>
  (await notificationsOf(t.shop).history(customerId, { limit: 100 })).items.filter((n) => n.kind === kind);
const auditOf = async (sub: string, action: string) =>
  (await t.shop.storage.audit.list({ subjectType: 'subscription', subjectId: sub }, { limit: 50 })).items.filter(
    (e) => e.action === action,
  );

describe('my devices on the web', () => {
  it('lists each device with what its app said, first and last seen, against the limit', async () => {
    const { buyer, sub } = await buyerWithDevices(HAPP_IOS, HIDDIFY_WINDOWS);
    const page = (await buyer.agent.get(`/subscriptions/${sub}`).expect(200)).text;
    const section = /<section class="card" id="devices"[\s\S]*?<\/section>/.exec(page)?.[0] ?? '';
    expect(section).toContain('data-count="2" data-limit="2"');
    expect(section).toContain('Devices in use: 2 of 2');
    expect(section).toContain('iPhone 16 Pro');
    expect(section).toContain('iOS 26.1 · Happ 4.6.0');
    expect(section).toContain('Hiddify on Windows');
    expect(section).toContain('Windows 10.0.26100 · Hiddify 2.5.7');
    expect(section).not.toContain(HAPP_IOS['x-hwid']);
    expect(section.match(/data-testid="device"/g)).toHaveLength(2);
  });

  it('removes a device after asking: its slot frees at once, audited with the buyer as actor', async () => {
    const { buyer, customerId, sub, path } = await buyerWithDevices(HAPP_IOS, HIDDIFY_WINDOWS);
    const refused = await ask(path, HAPP_ANDROID).expect(200);
    expect(Buffer.from(refused.text, 'base64').toString('utf8')).toContain('Too%20many%20devices');
    // The test's clock stands still: devices registered together are listed in id order, so each is found by its id.
    const first = (await devicesOf(sub)).find((d) => d.hwid === HAPP_IOS['x-hwid']);
    const page = (await buyer.agent.get(`/subscriptions/${sub}`).expect(200)).text;
    expect(page).toContain(`action="/subscriptions/${sub}/devices/${first!.id}/remove"`);
    expect(page).toContain('Remove iPhone 16 Pro?');

    await postForm(buyer, `/subscriptions/${sub}/devices/${first!.id}/remove`, {})
      .expect(303)
      .expect('location', `/subscriptions/${sub}?done=devices.removed#devices`);
    expect((await devicesOf(sub)).map((d) => d.hwid)).toEqual([HIDDIFY_WINDOWS['x-hwid']]);
    expect(await auditOf(sub, 'device.removed')).toEqual([
      expect.objectContaining({ actor: { type: 'customer', id: customerId }, data: expect.objectContaining({ deviceId: first!.id }) }),
    ]);
    expect((await buyer.agent.get(`/subscriptions/${sub}?done=devices.removed`).expect(200)).text).toContain('its place is free');
    // The third device takes the slot on its next refresh.
    await ask(path, HAPP_ANDROID).expect(200);
    expect((await devicesOf(sub)).map((d) => d.hwid).sort()).toEqual([HAPP_ANDROID['x-hwid'], HIDDIFY_WINDOWS['x-hwid']].sort());

    // Removed already: a 404, nothing else changes.
    await postForm(buyer, `/subscriptions/${sub}/devices/${first!.id}/remove`, {}).expect(404);
    expect(await devicesOf(sub)).toHaveLength(2);
  });

  it("refuses another buyer's device, and a device of another subscription, changing nothing", async () => {
    const owner = await buyerWithDevices(HAPP_IOS);
    const other = await buyerWithDevices(HIDDIFY_WINDOWS);
    const [theirs] = await devicesOf(owner.sub);
    await postForm(other.buyer, `/subscriptions/${owner.sub}/devices/${theirs!.id}/remove`, {}).expect(404);
    await postForm(other.buyer, `/subscriptions/${other.sub}/devices/${theirs!.id}/remove`, {}).expect(404);
    await postForm(other.buyer, `/subscriptions/${other.sub}/devices/not-an-id!/remove`, {}).expect(404);
    await other.buyer.agent.get(`/subscriptions/${owner.sub}`).expect(404);
    expect(await devicesOf(owner.sub)).toHaveLength(1);
    expect(await devicesOf(other.sub)).toHaveLength(1);
  });
});

describe('my devices in the JSON API', () => {
  it('lists and removes devices as the description says; another buyer’s are a 404', async () => {
    const { buyer, sub } = await buyerWithDevices(HAPP_IOS, HIDDIFY_WINDOWS);
    const list = (await buyer.agent.get(`/api/v1/subscriptions/${sub}/devices`).expect(200)).body;
    expect(DeviceListResponse.safeParse(list).error?.issues ?? []).toEqual([]);
    expect(list).toMatchObject({ subscriptionId: sub, limit: 2, count: 2, noHwidPolicy: 'serve' });
    const iphone = list.items.find((d: { name: string }) => d.name === 'iPhone 16 Pro');
    expect(iphone).toMatchObject({ platform: 'ios', osVersion: '26.1', model: 'iPhone 16 Pro', app: 'Happ', appVersion: '4.6.0' });
    expect(JSON.stringify(list)).not.toContain(HAPP_IOS['x-hwid']);

    const stranger = await signedUpBuyer(t.app);
    const theirs = await stranger.agent.get(`/api/v1/subscriptions/${sub}/devices`).expect(404);
    expect(ErrorResponse.safeParse(theirs.body).success).toBe(true);
    await stranger.agent.post(`/api/v1/subscriptions/${sub}/devices/${iphone.id}/remove`).set('x-csrf-token', stranger.csrf).expect(404);
    expect(await devicesOf(sub)).toHaveLength(2);

    const removed = (
      await buyer.agent.post(`/api/v1/subscriptions/${sub}/devices/${iphone.id}/remove`).set('x-csrf-token', buyer.csrf).expect(200)
    ).body;
    expect(DeviceRemovedResponse.safeParse(removed).error?.issues ?? []).toEqual([]);
    expect(removed).toMatchObject({ count: 1, removed: { id: iphone.id, name: 'iPhone 16 Pro' } });
    await buyer.agent.post(`/api/v1/subscriptions/${sub}/devices/${iphone.id}/remove`).set('x-csrf-token', buyer.csrf).expect(404);
    // Without the CSRF header a browser session may not remove anything.
    await buyer.agent.post(`/api/v1/subscriptions/${sub}/devices/${removed.items[0].id}/remove`).expect(403);
    expect(await devicesOf(sub)).toHaveLength(1);
  });

  it("gives each plan's device terms", async () => {
    const plans = (await supertest(t.app).get('/api/v1/plans').expect(200)).body;
    expect(PlanListResponse.safeParse(plans).error?.issues ?? []).toEqual([]);
    expect(plans.items.find((p: { name: string }) => p.name.startsWith(TWO_DEVICES))).toMatchObject({
      deviceLimit: 2,
      noHwidPolicy: 'serve',
    });
  });
});

describe('the link’s page', () => {
  it('shows how many devices each subscription counts against its limit, read-only', async () => {
    const { path } = await buyerWithDevices(HAPP_IOS);
    const page = (await ask(path, BROWSER).expect(200)).text;
    const card = /<section class="card" data-testid="link-devices">[\s\S]*?<\/section>/.exec(page)?.[0] ?? '';
    expect(card).toContain('data-count="1" data-limit="2"');
    expect(card).toContain(`${TWO_DEVICES}`);
    expect(card).toContain('1 of 2');
    expect(card).not.toContain('<form');
  });
});

describe('devices of a buyer, for staff', () => {
  it('shows each subscription’s devices with their ids, and resets them with a reason, audited', async () => {
    const { customerId, sub } = await buyerWithDevices(HAPP_IOS, HIDDIFY_WINDOWS);
    const admin = await signedInAdmin(t.app);
    const page = await adminGet(admin, `/admin/customers/${customerId}`);
    const section = /<section id="devices" data-testid="customer-devices">[\s\S]*?<\/section>/.exec(page.html)?.[0] ?? '';
    expect(section).toContain(`data-subscription-id="${sub}" data-count="2"`);
    expect(section).toContain(`title="${HAPP_IOS['x-hwid']}"`);
    expect(section).toContain('iPhone 16 Pro');

    const admin2 = { ...admin, csrf: page.csrf };
    // No reason, or too long a reason: refused, nothing removed, nothing audited.
    const noReason = await postForm(admin2, `/admin/customers/${customerId}/devices/reset`, { subscriptionId: sub, reason: '  ' }).expect(
      400,
    );
    expect(noReason.text).toContain('Give a reason: it goes into the audit log.');
    await postForm(admin2, `/admin/customers/${customerId}/devices/reset`, { subscriptionId: sub, reason: 'x'.repeat(501) }).expect(400);
    // Another customer's subscription through this customer's page: not found.
    const other = await buyerWithDevices(HAPP_ANDROID);
    await postForm(admin2, `/admin/customers/${customerId}/devices/reset`, { subscriptionId: other.sub, reason: 'lost phone' }).expect(404);
    expect(await devicesOf(sub)).toHaveLength(2);
    expect(await devicesOf(other.sub)).toHaveLength(1);
    expect(await auditOf(sub, 'device.reset')).toEqual([]);

    await postForm(admin2, `/admin/customers/${customerId}/devices/reset`, { subscriptionId: sub, reason: 'buyer changed phones' })
      .expect(303)
      .expect('location', `/admin/customers/${customerId}?done=devices.reset#devices`);
    expect(await devicesOf(sub)).toEqual([]);
    const adminId = (await t.shop.accounts.getByEmail('admin@example.com'))!.id;
    expect(await auditOf(sub, 'device.reset')).toEqual([
      expect.objectContaining({ actor: { type: 'admin', id: adminId }, data: { reason: 'buyer changed phones', removed: 2 } }),
    ]);
    // The audit log says it in words, with the reason.
    const audit = await adminGet(admin, `/admin/audit?subjectId=${sub}`);
    expect(audit.html).toContain('Devices reset by admin@example.com: “buyer changed phones”');
  });
});

describe('the plan’s device terms on the owner’s form', () => {
  it('saves the limit and the no-id policy; bad input is a 400 and changes nothing', async () => {
    const admin = await signedInAdmin(t.app);
    const plan = await planNamed(t, TWO_DEVICES);
    const form = await adminGet(admin, `/admin/plans/${plan.id}/edit`);
    expect(form.html).toContain('name="noHwidPolicy"');
    const values = Object.fromEntries(
      [...form.html.matchAll(/<input id="f-\w+" name="(\w+)" type="text" value="([^"]*)"/g)].map((m) => [
        m[1]!,
        m[2]!.replace(/&amp;/g, '&'),
      ]),
    );
    const checked = [...form.html.matchAll(/name="(\w+)" value="on" checked/g)].map((m) => [m[1]!, 'on']);
    const base = {
      ...values,
      ...Object.fromEntries(checked),
      trafficOnExtend: plan.extension.trafficOnExtend,
      daysOnExtend: plan.extension.daysOnExtend,
    };
    const editor = { ...admin, csrf: form.csrf };
    const before = await t.shop.storage.plans.get(plan.id);
    for (const bad of [{ noHwidPolicy: 'sometimes' }, { deviceLimit: '0' }, { deviceLimit: 'two' }, { deviceLimit: '1001' }]) {
      const res = await postForm(editor, `/admin/plans/${plan.id}/edit`, { ...base, ...bad });
      expect({ bad, status: res.status }).toEqual({ bad, status: 400 });
    }
    expect(await t.shop.storage.plans.get(plan.id)).toEqual(before);

    try {
      await postForm(editor, `/admin/plans/${plan.id}/edit`, { ...base, deviceLimit: '3', noHwidPolicy: 'refuse' }).expect(303);
      expect(await t.shop.storage.plans.get(plan.id)).toMatchObject({ deviceLimit: 3, noHwidPolicy: 'refuse' });
      expect((await adminGet(admin, `/admin/plans/${plan.id}/edit`)).html).toMatch(/<option value="refuse" selected>/);
    } finally {
      await t.shop.kit.plans.update(plan.id, { deviceLimit: 2, noHwidPolicy: 'serve' });
    }
  });
});

describe('the buyer’s device notices', () => {
  it('tells of each device added, once', async () => {
    const { customerId, sub, path } = await buyerWithDevices(HAPP_IOS, HIDDIFY_WINDOWS);
    for (let i = 0; i < 3; i++) await ask(path, HAPP_IOS).expect(200);
    // Each registration's audit event enqueued its notice's job in the registration's transaction.
    await t.drain();
    const added = await noticesOf(customerId, 'device_added');
    expect(added).toHaveLength(2);
    expect(added.find((n) => n.params['deviceModel'] === 'iPhone 16 Pro')?.params).toEqual({
      subscriptionId: sub,
      planId: (await planNamed(t, TWO_DEVICES)).id,
      limit: 2,
      deviceModel: 'iPhone 16 Pro',
      devicePlatform: 'ios',
      deviceApp: 'Happ',
    });
    expect((await auditOf(sub, 'device.registered')).map((e) => e.data['app']).sort()).toEqual(['Happ', 'Hiddify']);
    // Drained again: nothing more is told.
    await t.drain();
    expect(await noticesOf(customerId, 'device_added')).toHaveLength(2);
  });

  it('tells of a device added even when the request dies right after the registration committed', async () => {
    const { customerId, sub, path } = await buyerWithDevices();
    await t.drain();
    // The process "dies" between the registration (committed) and anything the link does after it.
    const touch = t.shop.kit.devices.touch;
    const dying = vi.spyOn(t.shop.kit.devices, 'touch').mockImplementationOnce(async (...args) => {
      await touch(...args);
      throw new Error('process died');
    });
    try {
      await ask(path, HAPP_IOS).expect(500);
    } finally {
      dying.mockRestore();
    }
    expect((await devicesOf(sub)).map((d) => d.hwid)).toEqual([HAPP_IOS['x-hwid']]);
    await t.drain();
    const added = await noticesOf(customerId, 'device_added');
    expect(added).toHaveLength(1);
    expect(added[0]!.params).toMatchObject({ subscriptionId: sub, deviceModel: 'iPhone 16 Pro' });
  });

  it('tells of a device turned away once per limit episode, however often it asks, and again in a new episode', async () => {
    const { buyer, customerId, sub, path } = await buyerWithDevices(HAPP_IOS, HIDDIFY_WINDOWS);
    await Promise.all(Array.from({ length: 5 }, () => ask(path, HAPP_ANDROID).expect(200)));
    for (let i = 0; i < 3; i++) await ask(path, HAPP_ANDROID).expect(200);
    const refused = await noticesOf(customerId, 'device_refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]!.params).toMatchObject({
      refusal: 'limit_reached',
      limit: 2,
      count: 2,
      deviceModel: 'SM-A546E',
      subscriptionId: sub,
    });

    // The buyer frees a slot for the Android phone; the iPhone is now turned away: news, once.
    const iphone = (await devicesOf(sub)).find((d) => d.hwid === HAPP_IOS['x-hwid']);
    await t.shop.kit.devices.remove(sub, iphone!.id, { type: 'customer', id: customerId });
    await ask(path, HAPP_ANDROID).expect(200);
    for (let i = 0; i < 3; i++) await ask(path, HAPP_IOS).expect(200);
    expect(await noticesOf(customerId, 'device_refused')).toHaveLength(2);

    // Written with its delivery job like every notice, and read in the buyer's history.
    await t.drain();
    const history = (await buyer.agent.get('/account/notifications').expect(200)).text;
    expect(history).toContain(`${TWO_DEVICES}: a device was turned away`);
    expect(history).toContain('A device (SM-A546E) was turned away from your subscription');
  });

  it('says why a device was turned away and what to do, for each reason, in English and Farsi', () => {
    const options = { timeZone: 'Asia/Tehran', shopName: 'Demo' };
    const params = { plan: 'Frankfurt', deviceModel: 'SM-A546E', devicePlatform: 'android', deviceApp: 'Happ', limit: 2, count: 2 };
    const full = renderNotification('device_refused', { ...params, refusal: 'limit_reached' }, { ...options, locale: 'en' });
    expect(full.text).toContain('A device (SM-A546E) was turned away from your subscription Frankfurt: every device place');
    expect(full.text).toContain('allows 2 at once');
    const noId = renderNotification(
      'device_refused',
      { ...params, deviceModel: null, refusal: 'hwid_required' },
      { ...options, locale: 'en' },
    );
    expect(noId.text).toContain('A device (Happ on Android) was turned away');
    expect(noId.text).toContain('Use an app that sends a device id');
    expect(noId.text).not.toContain('at once');
    const fa = renderNotification('device_refused', { ...params, refusal: 'limit_reached' }, { ...options, locale: 'fa' });
    expect(fa.text).toContain('هم‌زمان ۲ دستگاه');
  });

  it('lets the buyer turn either notice off', async () => {
    const buyer = await signedUpBuyer(t.app);
    const page = (await buyer.agent.get('/account/notifications').expect(200)).text;
    expect(page).toContain('value="device_added"');
    expect(page).toContain('A device is turned away at the device limit');
  });
});
