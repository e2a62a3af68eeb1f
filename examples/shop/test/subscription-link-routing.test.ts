/**
 * Routing profiles at the buyer's link (issue 57): the owner picks a plan's preset in the plan form; the link then
 * carries it in each format the asking app reads (the `routing` header for Happ and v2RayTun, rules in the Clash
 * and sing-box profiles) and the page says what goes direct; a plan without one is answered exactly as before.
 * The profiles' validity and routing per preset and sing-box version are `routing-profiles.test.ts`.
 */
import supertest from 'supertest';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routingPresetOf } from '../src/db/plan-routing.js';
import { feedBody, feedFormat } from '@panelkit/subscription-feed/formats';
import { adminGet, postForm } from './support/admin-support.js';
import { boughtAndProvisioned, fund } from './support/buying.js';
import { ROOMY_RATE_LIMITS, signedInAdmin, signedUpBuyer, startShop, type ShopUnderTest, type Visitor } from './support/shop-under-test.js';

const LIMITS = { ...ROOMY_RATE_LIMITS, subscriptionLink: { limit: 1000, windowMs: 60_000 } };

let t: ShopUnderTest;
let admin: Visitor;
beforeAll(async () => {
  t = await startShop({ app: { rateLimits: LIMITS }, env: { SHOP_NAME: 'Demo' } });
  admin = await signedInAdmin(t.app);
});
afterAll(() => t.close());

type Body = Record<string, string | string[]>;
const planForm = (name: string, extra: Body = {}): Body => ({
  name,
  family: name.toLowerCase().replace(/\W+/g, '-'),
  description: '',
  price: '4',
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
  ...extra,
});

async function createPlan(body: Body): Promise<string> {
  await postForm(admin, '/admin/plans', body).expect(303);
  const created = (await t.shop.storage.plans.list()).find((p) => p.name === body['name']);
  if (created === undefined) throw new Error('plan not created');
  return created.id;
}

/** A buyer holding one provisioned subscription of the plan, and their link's path and the subscription's links. */
async function holderOf(planId: string): Promise<{ path: string; shareLinks: string[]; sub: string }> {
  const buyer = await signedUpBuyer(t.app);
  await fund(t, buyer.email, 5000);
  const sub = await boughtAndProvisioned(t, buyer, planId);
  const page = await buyer.agent.get('/dashboard').expect(200);
  const url = /id="shop-link-url" type="text" readonly value="([^"]+)"/.exec(page.text)?.[1] as string;
  return { path: new URL(url).pathname, shareLinks: (await t.shop.storage.subscriptions.get(sub))!.shareLinks, sub };
}

const get = (path: string, userAgent: string, accept = '*/*') =>
  supertest(t.app).get(path).set('user-agent', userAgent).set('accept', accept);
const UAS = [
  'Happ/3.26.1',
  'v2raytun/5.24.76 Windows/10.0',
  'v2rayNG/1.10.2',
  'clash-verge/v2.0.3',
  'SFA/1.12.4 (638; sing-box 1.12.4)',
  'SFI/1.10.7',
];
const BROWSER = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36';

describe('the owner picks a plan’s routing', () => {
  it('in the plan form: saved, shown again, changed, removed; a value that is no preset is refused and changes nothing', async () => {
    const id = await createPlan(planForm('Tehran month', { routing: 'ir' }));
    expect(await routingPresetOf(t.shop, id)).toBe('ir');
    const form = await adminGet(admin, `/admin/plans/${id}/edit`);
    expect(form.html).toMatch(/<option value="ir"\s+selected>/);
    await postForm(admin, `/admin/plans/${id}/edit`, planForm('Tehran month', { routing: 'xx' })).expect(400);
    expect(await routingPresetOf(t.shop, id)).toBe('ir');
    await postForm(admin, `/admin/plans/${id}/edit`, planForm('Tehran month', { routing: 'private' })).expect(303);
    expect(await routingPresetOf(t.shop, id)).toBe('private');
    await postForm(admin, `/admin/plans/${id}/edit`, planForm('Tehran month', { routing: '' })).expect(303);
    expect(await routingPresetOf(t.shop, id)).toBeNull();
  });
});

describe('the link carries the plan’s routing to each app', () => {
  it('a plan without routing: no routing header and the very answer the shop gave before, for every app', async () => {
    const { path, shareLinks } = await holderOf(await createPlan(planForm('Plain month')));
    for (const ua of UAS) {
      const res = await get(path, ua).expect(200);
      expect({ ua, routing: res.headers['routing'] }).toEqual({ ua, routing: undefined });
      expect(res.text).toBe(feedBody(shareLinks, feedFormat(ua, '*/*'), 'Demo', ua).body);
    }
    expect((await get(path, BROWSER, 'text/html').expect(200)).text).not.toContain('data-testid="link-routing"');
  });

  it('a Russian plan: Happ’s deep link and v2RayTun’s object by header, Clash and sing-box rules, the page saying so', async () => {
    const { path, shareLinks } = await holderOf(await createPlan(planForm('Moscow month', { routing: 'ru' })));
    const happ = await get(path, 'Happ/3.26.1').expect(200);
    expect(happ.headers['routing']).toMatch(/^happ:\/\/routing\/onadd\//);
    const happProfile = JSON.parse(
      Buffer.from(String(happ.headers['routing']).slice('happ://routing/onadd/'.length), 'base64').toString('utf8'),
    );
    expect(happProfile).toMatchObject({ Name: 'Demo', GlobalProxy: 'true', DirectSites: ['geosite:category-ru'] });
    expect(happProfile.DirectIp).toContain('geoip:ru');
    // The share links themselves are what they were: routing travels beside them.
    expect(happ.text).toBe(feedBody(shareLinks, 'base64', 'Demo').body);

    const tun = await get(path, 'v2raytun/5.24.76 Windows/10.0').expect(200);
    const tunRouting = JSON.parse(Buffer.from(tun.headers['routing'] as string, 'base64').toString('utf8'));
    expect(tunRouting.rules.map((r: { outboundTag: string }) => r.outboundTag)).toEqual(['freedom', 'freedom']);
    expect(tunRouting.rules[0].domain).toEqual(['geosite:category-ru']);

    const clash = parse((await get(path, 'clash-verge/v2.0.3').expect(200)).text) as { rules: string[] };
    expect(clash.rules).toEqual(expect.arrayContaining(['GEOSITE,category-ru,DIRECT', 'GEOIP,RU,DIRECT', 'MATCH,Demo']));
    const singBox = JSON.parse((await get(path, 'SFA/1.12.4 (638; sing-box 1.12.4)').expect(200)).text);
    expect(singBox.route.rule_set.map((s: { tag: string }) => s.tag)).toEqual(['geosite-category-ru', 'geoip-ru']);
    expect((await get(path, 'v2rayNG/1.10.2').expect(200)).headers['routing']).toBeUndefined();

    const page = (await get(path, BROWSER, 'text/html').expect(200)).text;
    expect(page).toMatch(/data-testid="link-routing" data-countries="ru"/);
    expect(page).toContain('Russian sites and addresses');
    expect(page).toMatch(/href="happ:\/\/routing\/onadd\/[A-Za-z0-9+/=]+" data-testid="link-routing-happ"/);
  });

  it('a plan whose routing the owner removes: Happ is told to turn routing off, the others get a plain answer; set again, it is sent again', async () => {
    const planId = await createPlan(planForm('Kazan month', { routing: 'ru' }));
    const { path, shareLinks } = await holderOf(planId);
    expect((await get(path, 'Happ/3.26.1').expect(200)).headers['routing']).toMatch(/^happ:\/\/routing\/onadd\//);
    await postForm(admin, `/admin/plans/${planId}/edit`, planForm('Kazan month', { routing: '' })).expect(303);
    expect(await routingPresetOf(t.shop, planId)).toBeNull();
    const happ = await get(path, 'Happ/3.26.1').expect(200);
    // Happ keeps the last profile it got: its documented off link (HappDev/happ_su dev-docs/routing.md).
    expect(happ.headers['routing']).toBe('happ://routing/off');
    expect(happ.text).toBe(feedBody(shareLinks, 'base64', 'Demo').body);
    for (const ua of UAS.slice(1)) {
      const res = await get(path, ua).expect(200);
      expect({ ua, routing: res.headers['routing'] }).toEqual({ ua, routing: undefined });
      expect(res.text).toBe(feedBody(shareLinks, feedFormat(ua, '*/*'), 'Demo', ua).body);
    }
    expect((await get(path, BROWSER, 'text/html').expect(200)).text).not.toContain('data-testid="link-routing"');
    // Removing it again changes nothing; a plan that never had routing still gets no header (the test above).
    await postForm(admin, `/admin/plans/${planId}/edit`, planForm('Kazan month', { routing: '' })).expect(303);
    expect((await get(path, 'Happ/3.26.1').expect(200)).headers['routing']).toBe('happ://routing/off');
    await postForm(admin, `/admin/plans/${planId}/edit`, planForm('Kazan month', { routing: 'private' })).expect(303);
    expect((await get(path, 'Happ/3.26.1').expect(200)).headers['routing']).toMatch(/^happ:\/\/routing\/onadd\//);
  });

  it('a blocked link carries no routing: its placeholder entries are not to be routed', async () => {
    const planId = await createPlan(planForm('Beijing month', { routing: 'cn' }));
    const { path, sub: id } = await holderOf(planId);
    expect((await get(path, 'Happ/3.26.1').expect(200)).headers['routing']).toMatch(/^happ:/);
    const sub = (await t.shop.storage.subscriptions.get(id))!;
    await t.shop.storage.subscriptions.update(id, { status: 'expired' }, { expectedRevision: sub.revision });
    expect((await get(path, 'Happ/3.26.1').expect(200)).headers['routing']).toBeUndefined();
    expect((await get(path, 'clash-verge/v2.0.3').expect(200)).text).not.toContain('GEOIP');
  });
});
