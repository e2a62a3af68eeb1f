/**
 * `/s/<token>` against the requests the client apps really send, one app family at a time, on a plan with a limit
 * of two devices: an app that identifies its device (Happ, v2RayTun, Hiddify, Streisand: `X-HWID`,
 * `X-Device-OS`, `X-Ver-OS`, `X-Device-Model`, the names PasarGuard and Remnawave read) is refused at the limit in
 * its own format, counted once a slot frees, refreshed without a new slot, and counted anew after its device is
 * removed; an app that sends no id (sing-box SFA, Clash Verge Rev, FlClash, v2rayNG) is served uncounted under
 * the plan's default policy and refused in its format when the plan requires an id.
 */
import supertest from 'supertest';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedTexts, placeholderLinks } from '@panelkit/subscription-feed';
import { boughtAndProvisioned, fund, planNamed } from './support/buying.js';
import { ROOMY_RATE_LIMITS, signedUpBuyer, startShop, type ShopUnderTest, type Visitor } from './support/shop-under-test.js';

const A = 'http://shop-a.example.com';
const LIMITS = { ...ROOMY_RATE_LIMITS, subscriptionLink: { limit: 1000, windowMs: 60_000 } };
/** A plan of the demo shop with `deviceLimit: 2` and the default no-id policy (`serve`). */
const TWO_DEVICES = 'Frankfurt · 1 month · unlimited';

type Format = 'base64' | 'clash' | 'sing-box';

/** An app's request as it sends it, the format the shop answers it in, and what its device is recorded as. */
interface AppRequest {
  name: string;
  headers: Record<string, string>;
  format: Format;
  recorded?: { app: string; platform: string };
}

/** Apps that identify their device. User-Agents as the apps write them; device headers as the panels read them. */
const WITH_ID: readonly AppRequest[] = [
  {
    name: 'Happ (iOS)',
    headers: {
      'user-agent': 'Happ/4.6.0/ios/2603181556604',
      'x-hwid': 'happ-5f0c2a9e7d1b4c3a',
      'x-device-os': 'iOS',
      'x-ver-os': '26.1',
      'x-device-model': 'iPhone 16 Pro',
      'accept-language': 'en-US,en;q=0.9',
    },
    format: 'base64',
    recorded: { app: 'Happ', platform: 'ios' },
  },
  {
    name: 'v2RayTun (Android)',
    headers: {
      'user-agent': 'v2raytun/android',
      'x-hwid': 'v2raytun-9a8b7c6d5e4f',
      'x-device-os': 'Android',
      'x-ver-os': '15',
      'x-device-model': 'Pixel 9',
      'accept-encoding': 'gzip',
    },
    format: 'base64',
    recorded: { app: 'v2RayTun', platform: 'android' },
  },
  {
    name: 'Hiddify (Android)',
    headers: {
      'user-agent': 'HiddifyNext/2.5.7 (android) like ClashMeta v2ray sing-box',
      'x-hwid': 'hiddify-7b3e1f20aa',
      'x-device-os': 'Android',
      'x-ver-os': '14',
      'x-device-model': 'SM-S921B',
    },
    format: 'sing-box',
    recorded: { app: 'Hiddify', platform: 'android' },
  },
  {
    name: 'Streisand (iOS)',
    headers: {
      'user-agent': 'Streisand/1.6.3',
      'x-hwid': 'streisand-4c1d2e3f',
      'x-device-os': 'iOS',
      'x-ver-os': '18.5',
      'x-device-model': 'iPhone15,2',
    },
    format: 'base64',
    recorded: { app: 'Streisand', platform: 'ios' },
  },
];

/** Apps that send no device id (their sources send none). */
const WITHOUT_ID: readonly AppRequest[] = [
  { name: 'sing-box SFA', headers: { 'user-agent': 'SFA/1.12.4 (638; sing-box 1.12.4)' }, format: 'sing-box' },
  { name: 'Clash Verge Rev', headers: { 'user-agent': 'clash-verge/v2.4.3' }, format: 'clash' },
  { name: 'FlClash', headers: { 'user-agent': 'FlClash/v0.8.96 clash-verge Platform/android' }, format: 'clash' },
  { name: 'v2rayNG', headers: { 'user-agent': 'v2rayNG/1.10.2', 'accept-encoding': 'gzip' }, format: 'base64' },
];

/** Two other devices that fill the limit before the app under test asks. */
const OTHERS = [
  { 'user-agent': 'Happ/3.13.0', 'x-hwid': 'other-phone-1', 'x-device-os': 'Android', 'x-ver-os': '13' },
  { 'user-agent': 'v2raytun/ios', 'x-hwid': 'other-tablet-2', 'x-device-os': 'iPadOS', 'x-ver-os': '18.1' },
] as const;

const CONTENT_TYPES: Record<Format, string> = {
  base64: 'text/plain; charset=utf-8',
  clash: 'text/yaml; charset=utf-8',
  'sing-box': 'application/json; charset=utf-8',
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

async function buyerWithTwoDevices(): Promise<{ customerId: string; sub: string; path: string; page: string; links: string[] }> {
  const buyer = await signedUpBuyer(t.app);
  const customerId = await fund(t, buyer.email, 10_000);
  const sub = await boughtAndProvisioned(t, buyer, (await planNamed(t, TWO_DEVICES)).id);
  const path = await linkPath(buyer);
  return { customerId, sub, path, page: `${A}${path}`, links: (await t.shop.storage.subscriptions.get(sub))!.shareLinks };
}

const ask = (path: string, headers: Record<string, string>) => supertest(t.app).get(path).set(headers).set('host', new URL(A).host);
const devicesOf = (sub: string) => t.shop.kit.devices.list(sub);
const hwids = async (sub: string) => (await devicesOf(sub)).map((d) => d.hwid).sort();

/** The entries an answer carries, by name and server, whatever the format. */
function entriesOf(format: Format, body: string): Array<{ name: string; server: string }> {
  if (format === 'base64')
    return Buffer.from(body, 'base64')
      .toString('utf8')
      .split('\n')
      .map((l) => ({ name: decodeURIComponent(l.slice(l.indexOf('#') + 1)), server: /@([^:/?#]+)/.exec(l)?.[1] ?? '' }));
  if (format === 'clash') return (parse(body) as { proxies: Array<{ name: string; server: string }> }).proxies;
  return (JSON.parse(body) as { outbounds: Array<{ tag: string; server?: string }> }).outbounds
    .filter((o) => o.server !== undefined)
    .map((o) => ({ name: o.tag, server: o.server as string }));
}

/** Whether an app's answer is the real links (`served`) or the placeholders (`refused`), checked in its format. */
function answerOf(app: AppRequest, res: supertest.Response, links: readonly string[]): 'served' | 'refused' {
  expect(res.status, app.name).toBe(200);
  expect(res.headers['content-type'], app.name).toBe(CONTENT_TYPES[app.format]);
  const entries = entriesOf(app.format, res.text);
  if (entries.length > 0 && entries.every((e) => e.server === '0.0.0.0')) return 'refused';
  if (app.format === 'base64') expect(Buffer.from(res.text, 'base64').toString('utf8').split('\n')).toEqual(links);
  else expect(entries.length, app.name).toBeGreaterThan(0);
  return 'served';
}

describe('apps that identify their device: counted, refreshed, refused at the limit, removed and re-added', () => {
  for (const app of WITH_ID)
    it(app.name, async () => {
      const { customerId, sub, path, page, links } = await buyerWithTwoDevices();
      const owner = { type: 'customer' as const, id: customerId };
      for (const other of OTHERS) await ask(path, other).expect(200);
      expect(await hwids(sub)).toHaveLength(2);

      // At the limit: refused in the app's own format, with the reason in the banner, nothing registered.
      const refused = await ask(path, app.headers);
      expect(answerOf(app, refused, links)).toBe('refused');
      expect(entriesOf(app.format, refused.text).map((e) => e.name)).toEqual(
        placeholderLinks('device_limit_reached', feedTexts('en'), page).map((l) => decodeURIComponent(l.slice(l.indexOf('#') + 1))),
      );
      expect(Buffer.from(String(refused.headers['announce']).replace(/^base64:/, ''), 'base64').toString('utf8')).toContain(
        `Manage devices: ${page}`,
      );
      expect(await hwids(sub)).not.toContain(app.headers['x-hwid']);

      // A slot frees: the app is counted, described as it described itself.
      const [first] = await devicesOf(sub);
      await t.shop.kit.devices.remove(sub, first!.id, owner);
      expect(answerOf(app, await ask(path, app.headers), links)).toBe('served');
      const counted = (await devicesOf(sub)).find((d) => d.hwid === app.headers['x-hwid']);
      expect(counted).toMatchObject({
        ...app.recorded,
        osVersion: app.headers['x-ver-os'],
        model: app.headers['x-device-model'],
        userAgent: app.headers['user-agent'],
      });

      // Refreshed: served again, no new slot.
      expect(answerOf(app, await ask(path, app.headers), links)).toBe('served');
      expect(await hwids(sub)).toHaveLength(2);

      // Removed by the buyer, then the app refreshes: counted anew, as a new device.
      await t.shop.kit.devices.remove(sub, counted!.id, owner);
      expect(await hwids(sub)).not.toContain(app.headers['x-hwid']);
      expect(answerOf(app, await ask(path, app.headers), links)).toBe('served');
      const again = (await devicesOf(sub)).find((d) => d.hwid === app.headers['x-hwid']);
      expect(again?.id).toBeDefined();
      expect(again?.id).not.toBe(counted!.id);
      expect(await hwids(sub)).toHaveLength(2);
    });
});

describe('apps that send no device id: served uncounted, or refused when the plan requires an id', () => {
  it('serves each uncounted under the default policy, even with every slot taken', async () => {
    const { sub, path, links } = await buyerWithTwoDevices();
    for (const other of OTHERS) await ask(path, other).expect(200);
    for (const app of WITHOUT_ID) expect(answerOf(app, await ask(path, app.headers), links), app.name).toBe('served');
    expect(await hwids(sub)).toEqual(OTHERS.map((o) => o['x-hwid']).sort());
  });

  it('refuses each in its own format when the plan requires an id, and registers nothing', async () => {
    const plan = await planNamed(t, TWO_DEVICES);
    await t.shop.kit.plans.update(plan.id, { noHwidPolicy: 'refuse' });
    try {
      const { sub, path, page, links } = await buyerWithTwoDevices();
      const expected = placeholderLinks('hwid_required', feedTexts('en'), page).map((l) => decodeURIComponent(l.slice(l.indexOf('#') + 1)));
      for (const app of WITHOUT_ID) {
        const res = await ask(path, app.headers);
        expect(answerOf(app, res, links), app.name).toBe('refused');
        expect(
          entriesOf(app.format, res.text).map((e) => e.name),
          app.name,
        ).toEqual(expected);
      }
      expect(await hwids(sub)).toEqual([]);
    } finally {
      await t.shop.kit.plans.update(plan.id, { noHwidPolicy: 'serve' });
    }
  });
});
