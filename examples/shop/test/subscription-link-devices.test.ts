/**
 * The buyer's link enforces each subscription's device limit, with the requests the apps really send: counted,
 * refreshed, refused at the limit with placeholders and the banner, served again once a device is removed; an app
 * without an id served uncounted or refused by the plan's policy; a browser viewing the page counts nothing.
 */
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedTexts, placeholderLinks } from '@panelkit/subscription-feed';
import { boughtAndProvisioned, fund, planNamed } from './support/buying.js';
import { ROOMY_RATE_LIMITS, signedUpBuyer, startShop, type ShopUnderTest, type Visitor } from './support/shop-under-test.js';

const A = 'http://shop-a.example.com';
const LIMITS = { ...ROOMY_RATE_LIMITS, subscriptionLink: { limit: 1000, windowMs: 60_000 } };
/** A plan of the demo shop with `deviceLimit: 2` and the default no-id policy (`serve`). */
const TWO_DEVICES = 'Frankfurt · 1 month · unlimited';

/** Requests as the apps send them (headers from the apps' own requests). */
const HAPP_IOS = {
  'user-agent': 'Happ/4.6.0/ios/2603181556604',
  'x-hwid': '5f0c2a9e7d1b4c3a',
  'x-device-os': 'iOS',
  'x-ver-os': '26.1',
  'x-device-model': 'iPhone 16 Pro',
  'x-device-locale': 'en',
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
const V2RAYNG = { 'user-agent': 'v2rayNG/1.10.2', 'accept-encoding': 'gzip' };
const BROWSER = {
  'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
  accept: 'text/html,application/xhtml+xml',
};

let t: ShopUnderTest;
beforeAll(async () => {
  t = await startShop({ app: { rateLimits: LIMITS }, env: { SHOP_NAME: 'Demo', PUBLIC_URLS: A } });
});
afterAll(() => t.close());

const decoded = (body: string) => Buffer.from(body, 'base64').toString('utf8').split('\n');
const headerText = (value: string | undefined) => Buffer.from((value ?? '').replace(/^base64:/, ''), 'base64').toString('utf8');
const singBoxServers = (body: string) =>
  (JSON.parse(body) as { outbounds: Array<{ tag: string; server?: string }> }).outbounds.filter((o) => o.server !== undefined);

async function linkPath(buyer: Visitor): Promise<string> {
  const page = await buyer.agent.get('/dashboard').expect(200);
  const url = /id="shop-link-url" type="text" readonly value="([^"]+)"/.exec(page.text)?.[1];
  if (url === undefined) throw new Error('no shop link on the dashboard');
  return new URL(url).pathname;
}

async function buyerWith(...plans: string[]): Promise<{ customerId: string; subs: string[]; path: string; page: string }> {
  const buyer = await signedUpBuyer(t.app);
  const customerId = await fund(t, buyer.email, 10_000);
  const subs: string[] = [];
  for (const name of plans) subs.push(await boughtAndProvisioned(t, buyer, (await planNamed(t, name)).id));
  const path = await linkPath(buyer);
  return { customerId, subs, path, page: `${A}${path}` };
}

const ask = (path: string, headers: Record<string, string>) => supertest(t.app).get(path).set(headers).set('host', new URL(A).host);
const shareLinksOf = async (id: string) => (await t.shop.storage.subscriptions.get(id))!.shareLinks;
/** The subscription's devices' ids, sorted (the test shop's clock stands still: registrations share a time). */
const hwids = async (id: string) => (await t.shop.kit.devices.list(id)).map((d) => d.hwid).sort();

describe('the link counts each app’s device against the subscription’s limit', () => {
  it('counts two devices, refreshes a known one, refuses a third with placeholders and the banner, and serves it once a slot frees', async () => {
    const { customerId, subs, path, page } = await buyerWith(TWO_DEVICES);
    const [sub] = subs as [string];
    const links = await shareLinksOf(sub);

    expect(decoded((await ask(path, HAPP_IOS).expect(200)).text)).toEqual(links);
    const [first] = await t.shop.kit.devices.list(sub);
    expect(await t.shop.kit.devices.list(sub)).toHaveLength(1);
    expect(first).toMatchObject({ hwid: HAPP_IOS['x-hwid'], platform: 'ios', osVersion: '26.1', model: 'iPhone 16 Pro', app: 'Happ' });

    const hiddify = await ask(path, HIDDIFY_WINDOWS).expect(200);
    expect(singBoxServers(hiddify.text).length).toBeGreaterThan(0);
    expect(singBoxServers(hiddify.text).every((o) => o.server !== '0.0.0.0')).toBe(true);
    expect(await hwids(sub)).toEqual([HAPP_IOS['x-hwid'], HIDDIFY_WINDOWS['x-hwid']].sort());

    // The first device again: refreshed, served, no new slot.
    expect(decoded((await ask(path, HAPP_IOS).expect(200)).text)).toEqual(links);
    expect(await hwids(sub)).toHaveLength(2);

    // A third: refused, in the base64 feed and in the banner, pointing at the page where devices are managed.
    const refused = await ask(path, HAPP_ANDROID).expect(200);
    expect(decoded(refused.text)).toEqual(placeholderLinks('device_limit_reached', feedTexts('en'), page));
    expect(headerText(refused.headers['announce'])).toBe(`⛔ Too many devices use this subscription · Manage devices: ${page}`);
    const plain = await ask(path, { ...HAPP_ANDROID, accept: 'text/plain' }).expect(200);
    expect(decoded(plain.text)).toEqual(placeholderLinks('device_limit_reached', feedTexts('en'), page));
    expect(await hwids(sub)).toEqual([HAPP_IOS['x-hwid'], HIDDIFY_WINDOWS['x-hwid']].sort());

    // The buyer removes the first device: the third takes its slot.
    await t.shop.kit.devices.remove(sub, first!.id, { type: 'customer', id: customerId });
    expect(decoded((await ask(path, HAPP_ANDROID).expect(200)).text)).toEqual(links);
    expect(await hwids(sub)).toEqual([HIDDIFY_WINDOWS['x-hwid'], HAPP_ANDROID['x-hwid']].sort());

    // v2rayNG sends no id: served uncounted under the plan's default policy, even with every slot taken.
    const v2rayng = await ask(path, V2RAYNG).expect(200);
    expect(decoded(v2rayng.text)).toEqual(links);
    expect(v2rayng.headers['announce']).toBeUndefined();
    expect(await hwids(sub)).toHaveLength(2);
  });

  it('refuses an app without an id when the plan says so, in the buyer’s language, and serves one that sends its id', async () => {
    const plan = await planNamed(t, TWO_DEVICES);
    await t.shop.kit.plans.update(plan.id, { noHwidPolicy: 'refuse' });
    try {
      const { customerId, subs, path, page } = await buyerWith(TWO_DEVICES);
      const [sub] = subs as [string];
      const refused = await ask(path, V2RAYNG).expect(200);
      expect(decoded(refused.text)).toEqual(placeholderLinks('hwid_required', feedTexts('en'), page));
      expect(headerText(refused.headers['announce'])).toBe(`⛔ This app must identify the device · Manage devices: ${page}`);
      expect(await hwids(sub)).toEqual([]);

      await t.shop.storage.customers.update(customerId, { locale: 'fa' });
      const inFarsi = await ask(path, V2RAYNG).expect(200);
      expect(decoded(inFarsi.text)).toEqual(placeholderLinks('hwid_required', feedTexts('fa'), page));
      expect(headerText(inFarsi.headers['announce'])).toContain(`مدیریت دستگاه‌ها: ${page}`);

      expect(decoded((await ask(path, HAPP_IOS).expect(200)).text)).toEqual(await shareLinksOf(sub));
      expect(await hwids(sub)).toEqual([HAPP_IOS['x-hwid']]);
    } finally {
      await t.shop.kit.plans.update(plan.id, { noHwidPolicy: 'serve' });
    }
  });

  it('counts devices per subscription: a device one subscription refuses still gets the others’ links', async () => {
    const { subs, path } = await buyerWith(TWO_DEVICES, 'Frankfurt · 1 month · 50');
    const [limited, open] = subs as [string, string];
    expect((await t.shop.storage.subscriptions.get(open))!.deviceLimit).toBeNull();
    await ask(path, HAPP_IOS).expect(200);
    await ask(path, HIDDIFY_WINDOWS).expect(200);
    const third = await ask(path, HAPP_ANDROID).expect(200);
    expect(decoded(third.text)).toEqual(await shareLinksOf(open));
    expect(await hwids(limited)).toHaveLength(2);
    expect(await hwids(open)).toEqual([HAPP_IOS['x-hwid'], HIDDIFY_WINDOWS['x-hwid'], HAPP_ANDROID['x-hwid']].sort());
  });

  it('registers nothing when a browser opens the link’s page', async () => {
    const { subs, path } = await buyerWith(TWO_DEVICES);
    const res = await ask(path, { ...BROWSER, 'x-hwid': 'browser-tab' }).expect(200);
    expect(res.type).toBe('text/html');
    expect(await hwids(subs[0] as string)).toEqual([]);
    // The same link counts an app at once: the page was no device.
    await ask(path, HAPP_IOS).expect(200);
    expect(await hwids(subs[0] as string)).toEqual([HAPP_IOS['x-hwid']]);
  });
});
