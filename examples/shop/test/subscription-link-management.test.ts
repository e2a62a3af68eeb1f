/**
 * The apps' management headers at `/s/<token>`, one app family at a time (User-Agent in, headers out): Happ, which
 * documents them (HappDev/happ_su `dev-docs/app-management.md`), gets the owner's provider id, the move to the first
 * public address when it asked on a retired one, the renew button pointing at the buyer's link page, the expiry
 * reminders, the device id always on for a plan with a device limit, and the hidden settings, each as the owner set
 * it on the admin page; every other family gets none of them (only the banner, which names the new address). Also
 * the https hop `/s/<token>/open/<app>`.
 */
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_MANAGEMENT_OFF, type AppManagement } from '@panelkit/subscription-feed';
import { readAppManagement, saveAppManagement } from '../src/app/subscriptions/app-management.js';
import { importableApps, importLinkOf } from '@panelkit/subscription-feed/apps';
import { appOpenUrl } from '../src/config/public-addresses.js';
import { boughtAndProvisioned, fund, planNamed } from './support/buying.js';
import { csrfFrom, ROOMY_RATE_LIMITS, signedInAdmin, signedUpBuyer, startShop, type ShopUnderTest } from './support/shop-under-test.js';

// http: with https addresses the cookies are Secure and supertest (plain http) would not send them back.
const A = 'http://shop-a.example.com';
const B = 'http://mirror-b.example.net/vpn';
const GONE = 'old-c.example.org';
const LIMITS = { ...ROOMY_RATE_LIMITS, subscriptionLink: { limit: 1000, windowMs: 60_000 } };
const STAFF = { type: 'system' as const, id: 'test' };
const ALL_ON: AppManagement = {
  happProviderId: 'Pr0vider-42',
  moveApps: true,
  renewButton: true,
  expiryReminders: true,
  alwaysHwid: true,
  hideSettings: true,
};
/** Every header a management switch may send. */
const MANAGEMENT = [
  'providerid',
  'new-url',
  'new-domain',
  'sub-expire',
  'sub-expire-button-link',
  'notification-subs-expire',
  'subscription-always-hwid-enable',
  'hide-settings',
];

/** User-Agents as each app writes them (its source, or its requests as the panels log them). */
const HAPP = ['Happ/4.6.0/ios/2603181556604', 'Happ/1.63.1', 'Happ/3.13.0'];
const OTHERS = [
  'v2raytun/android',
  'v2raytun/ios',
  'HiddifyNext/2.5.7 (android) like ClashMeta v2ray sing-box',
  'Streisand/1.6.3',
  'Karing/1.2.6.1010 (android)',
  'INCY/1.5.0 (iOS)',
  'clash-verge/v2.4.3',
  'FlClash/v0.8.96 clash-verge Platform/android',
  'clash.meta/1.19.2',
  'ClashMetaForAndroid/2.11.5.Meta',
  'Stash/3.1.1 Clash/1.9.0',
  'SFA/1.12.4 (638; sing-box 1.12.4)',
  'v2rayNG/1.10.2',
  'v2rayN/7.13.2',
];

let t: ShopUnderTest;
beforeAll(async () => {
  t = await startShop({ app: { rateLimits: LIMITS }, env: { SHOP_NAME: 'Demo', PUBLIC_URLS: `${A}, ${B}/` } });
});
afterAll(() => t.close());

/** A buyer with one provisioned subscription of `plan`: its link's path and its link on the first address. */
async function buyerOn(plan: string): Promise<{ path: string; shown: string; token: string; customerId: string }> {
  const buyer = await signedUpBuyer(t.app);
  const customerId = await fund(t, buyer.email, 10_000);
  await boughtAndProvisioned(t, buyer, (await planNamed(t, plan)).id);
  const token = await t.shop.kit.links.tokenFor(customerId);
  return { path: `/s/${token}`, shown: `${A}/s/${token}`, token, customerId };
}

const ask = (path: string, userAgent: string, host = new URL(A).host) =>
  supertest(t.app).get(path).set('user-agent', userAgent).set('host', host).expect(200);
const managementOf = (res: supertest.Response) =>
  Object.fromEntries(MANAGEMENT.filter((h) => h in res.headers).map((h) => [h, res.headers[h]]));
const announce = (res: supertest.Response) =>
  Buffer.from(String(res.headers['announce'] ?? '').replace(/^base64:/, ''), 'base64').toString('utf8');

describe('the apps’ management headers, per app family', () => {
  it('Happ: the provider id, renew button on the buyer’s page, reminders, device id always on for a device-limited plan, hidden settings', async () => {
    await saveAppManagement(t.shop, ALL_ON, STAFF);
    const limited = await buyerOn('Frankfurt · 1 month · unlimited');
    const unlimited = await buyerOn('Frankfurt · 1 month · 50');
    for (const userAgent of HAPP) {
      expect(managementOf(await ask(limited.path, userAgent)), userAgent).toEqual({
        providerid: 'Pr0vider-42',
        'sub-expire': '1',
        'sub-expire-button-link': limited.shown,
        'notification-subs-expire': '1',
        'subscription-always-hwid-enable': '1',
        'hide-settings': '1',
      });
      // A plan without a device limit: the device id is left to the buyer (and a switch sent once is sent off).
      expect(managementOf(await ask(unlimited.path, userAgent))['subscription-always-hwid-enable'], userAgent).toBe('0');
    }
  });

  it('every other family: none of them, whatever the owner turned on', async () => {
    await saveAppManagement(t.shop, ALL_ON, STAFF);
    const { path } = await buyerOn('Frankfurt · 1 month · unlimited');
    for (const userAgent of OTHERS) {
      const res = await ask(path, userAgent);
      expect(managementOf(res), userAgent).toEqual({});
      expect(res.headers['profile-web-page-url'], userAgent).toBe(`${A}${path}`);
    }
  });

  it('a retired address answers with the move to the first one, the first answers without it; other apps read it in the banner', async () => {
    await saveAppManagement(t.shop, ALL_ON, STAFF);
    const { path, shown } = await buyerOn('Frankfurt · 1 month · 50');
    const onFirst = await ask(path, HAPP[0]!);
    expect(onFirst.headers['new-url']).toBeUndefined();
    expect(onFirst.headers['announce']).toBeUndefined();
    // Moved down the list (B), or gone from it while still pointed at the shop: both retired.
    for (const host of [new URL(B).host, GONE]) {
      const happ = await ask(path, HAPP[0]!, host);
      expect(happ.headers['new-url'], host).toBe(shown);
      expect(happ.headers['new-domain'], host).toBeUndefined();
      const v2raytun = await ask(path, 'v2raytun/android', host);
      expect(v2raytun.headers['new-url'], host).toBeUndefined();
      expect(announce(v2raytun), host).toBe(`This address is retired: add ${shown} to your app.`);
    }
    // The moment the owner puts B first, B answers without the move, and A (now retired) with the move to B.
    const movedToB = (await import('../src/stack/web-app.js')).createApp(
      { ...t.shop, config: { ...t.shop.config, publicUrls: [B, A], publicUrl: B } },
      { rateLimits: LIMITS },
    );
    const onB = await supertest(movedToB).get(path).set('user-agent', HAPP[1]!).set('host', new URL(B).host).expect(200);
    expect(onB.headers['new-url']).toBeUndefined();
    const onA = await supertest(movedToB).get(path).set('user-agent', HAPP[1]!).set('host', new URL(A).host).expect(200);
    expect(onA.headers['new-url']).toBe(`${B}${path}`);
  });

  it('each switch as the owner set it: off is sent off, the move and the button only when on, nothing without a provider id', async () => {
    const { path } = await buyerOn('Frankfurt · 1 month · unlimited');
    await saveAppManagement(t.shop, { ...ALL_ON, moveApps: false, renewButton: false, hideSettings: false }, STAFF);
    expect(managementOf(await ask(path, HAPP[0]!, GONE))).toEqual({
      providerid: 'Pr0vider-42',
      'sub-expire': '0',
      'notification-subs-expire': '1',
      'subscription-always-hwid-enable': '1',
      'hide-settings': '0',
    });
    await saveAppManagement(
      t.shop,
      {
        ...ALL_ON,
        happProviderId: null,
        ...{ moveApps: false, renewButton: false, expiryReminders: false, alwaysHwid: false, hideSettings: false },
      },
      STAFF,
    );
    expect(managementOf(await ask(path, HAPP[0]!, GONE))).toEqual({});
  });
});

describe('the owner’s choices on the admin page', () => {
  it('are refused without a provider id for a switch that needs one (changing nothing), saved with one, and audited', async () => {
    await saveAppManagement(t.shop, APP_MANAGEMENT_OFF, STAFF);
    const before = await readAppManagement(t.shop);
    const admin = await signedInAdmin(t.app);
    const form = await admin.agent.get('/admin/settings/link').expect(200);
    expect(form.text).toContain('data-testid="app-management-form"');
    const refused = await admin.agent
      .post('/admin/settings/link/apps')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), happProviderId: '', renewButton: 'on' })
      .expect(400);
    expect(refused.text).toContain('provider id');
    const malformed = await admin.agent
      .post('/admin/settings/link/apps')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), happProviderId: 'bad id; drop', renewButton: 'on' })
      .expect(400);
    expect(malformed.text).toContain('bad id; drop');
    expect(await readAppManagement(t.shop)).toEqual(before);
    await admin.agent
      .post('/admin/settings/link/apps')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), happProviderId: ' Pr0vider-42 ', renewButton: 'on', alwaysHwid: 'on' })
      .expect(303);
    expect(await readAppManagement(t.shop)).toEqual({
      happProviderId: 'Pr0vider-42',
      moveApps: false,
      renewButton: true,
      expiryReminders: false,
      alwaysHwid: true,
      hideSettings: false,
    });
    // On the saving replica's links at once.
    const { path, shown } = await buyerOn('Frankfurt · 1 month · unlimited');
    expect(managementOf(await ask(path, HAPP[0]!))).toMatchObject({ 'sub-expire': '1', 'sub-expire-button-link': shown });
    const audit = await t.shop.storage.audit.list({ subjectType: 'shop', subjectId: 'settings' }, { limit: 20 });
    expect(audit.items.some((e) => e.action === 'settings.saved' && e.data['appManagement'] === true)).toBe(true);
  });
});

describe('the https hop /s/<token>/open/<app>', () => {
  it('is behind every importable app’s button on the dashboard, each opening that app', async () => {
    const buyer = await signedUpBuyer(t.app);
    const customerId = await fund(t, buyer.email, 10_000);
    await boughtAndProvisioned(t, buyer, (await planNamed(t, 'Frankfurt · 1 month · unlimited')).id);
    const token = await t.shop.kit.links.tokenFor(customerId);
    const dashboard = await buyer.agent.get('/dashboard').expect(200);
    const apps = importableApps();
    expect(apps.length).toBeGreaterThan(5);
    expect([...dashboard.text.matchAll(/data-testid="open-([a-z0-9-]+)"/g)].map((m) => m[1])).toEqual(apps.map((a) => a.id));
    for (const app of apps) {
      const hop = appOpenUrl(t.config, token, app.id);
      expect(hop.startsWith(`${A}/s/${token}/open/`)).toBe(true);
      expect(dashboard.text, app.id).toContain(`href="${hop}" target="_blank" rel="noopener" data-testid="open-${app.id}"`);
      const opened = await supertest(t.app).get(new URL(hop).pathname).set('host', new URL(A).host).expect(200);
      const expected = importLinkOf(app, { url: `${A}/s/${token}`, title: 'Demo', deviceLimited: true })?.replaceAll('&', '&amp;');
      expect(opened.text, app.id).toContain(`href="${expected}" data-testid="open-app"`);
    }
  });

  it('opens the app’s import link for the token’s holder, registers no device, and tells a stranger nothing', async () => {
    const { path, shown, token, customerId } = await buyerOn('Frankfurt · 1 month · unlimited');
    const subs = await t.shop.storage.subscriptions.listByCustomer(customerId, { limit: 5 });
    const hop = await supertest(t.app).get(`${path}/open/karing`).set('host', new URL(A).host).expect(200);
    const karing = `karing://install-config?url=${encodeURIComponent(shown)}&amp;name=Demo&amp;hwid=true`;
    expect(hop.text).toContain(`<meta http-equiv="refresh" content="0;url=${karing}">`);
    expect(hop.text).toContain(`href="${karing}" data-testid="open-app"`);
    expect(hop.headers['referrer-policy']).toBe('no-referrer');
    expect(hop.headers['x-robots-tag']).toBe('noindex');
    const happ = await supertest(t.app).get(`${path}/open/happ`).set('host', GONE).expect(200);
    expect(happ.text).toContain(`href="happ://add/${shown}"`);
    for (const sub of subs.items) expect(await t.shop.kit.devices.list(sub.id)).toEqual([]);
    // A stranger: a wrong token, an app without a button, an unknown app: the link's own 404.
    const notFound = await supertest(t.app).get('/s/not-a-token').expect(404);
    for (const wrong of ['/s/not-a-token/open/happ', `${path}/open/v2rayn`, `${path}/open/nope`, `/s/${token}x/open/happ`]) {
      const res = await supertest(t.app).get(wrong).expect(404);
      expect(res.text, wrong).toBe(notFound.text);
      expect(res.headers['content-type'], wrong).toBe(notFound.headers['content-type']);
    }
  });
});
