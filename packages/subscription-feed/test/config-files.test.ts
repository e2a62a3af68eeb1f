/**
 * A link whose customer holds parts of several kinds, on the memory storage: the link's config files (one part's
 * `.conf`, every config in a zip) answer only for usable WireGuard and AmneziaWG parts in the token's scope, and the
 * proxy profiles keep each kind where its readers can use it (base64 Xray only; Clash and sing-box Xray and
 * WireGuard; MTProto nowhere).
 */
import { randomBytes } from 'node:crypto';
import type { Subscription } from '@panelkit/sdk';
import type { EntitlementKind } from '@panelkit/sdk/kinds';
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createConfigFilesHandler } from '../src/config-files.js';
import { wireGuardConf } from '../src/formats.js';
import { createFeedHandler, type FeedKit } from '../src/handler.js';

const enc = encodeURIComponent;
const key = () => enc(randomBytes(32).toString('base64'));
const wgLink = (host: string, remark: string) =>
  `wireguard://${key()}@${host}:51820?address=10.0.0.2&publickey=${key()}&keepalive=25#${enc(remark)}`;
const WG = wgLink('203.0.113.1', 'DE Frankfurt');
const WG_SECOND_HOST = wgLink('203.0.113.2', 'DE Frankfurt');
const AWG = `${wgLink('203.0.113.3', 'NL AWG').replace('#', '&jc=4&jmin=40&jmax=70&s1=15&s2=18&h1=1&h2=2&h3=3&h4=4#')}`;
const VLESS = 'vless://6a1f0d2e-3b4c-4d5e-8f70-8192a3b4c5d6@de.example.net:443?type=tcp&security=tls&sni=de.example.net#DE%20vless';
const MTPROTO = `tg://proxy?port=443&secret=ee${'0123456789abcdef'.repeat(2)}${Buffer.from('www.cloudflare.com').toString('hex')}&server=203.0.113.4`;

let ids = 0;
const START = Date.parse('2026-03-01T00:00:00.000Z');

/** A subscription of `kind` as provisioning leaves it (the fields the link reads matter; the rest only have their forms). */
function subscriptionOf(customerId: string, kind: EntitlementKind, shareLinks: string[], status: Subscription['status']): Subscription {
  ids += 1;
  const createdAt = new Date(START + ids * 1000);
  return {
    id: `sub_kind_${ids}`,
    customerId,
    orderId: null,
    planId: 'pln_kinds',
    panelId: 'pnl_kinds',
    targetId: 'tgt_kinds',
    status,
    statusChangedAt: createdAt,
    remote: {
      username: `pk_${ids}`,
      uuid: '6a1f0d2e-3b4c-4d5e-8f70-8192a3b4c5d6',
      password: 'p',
      subId: 'abcdefghij012345',
      ssKey: 'k',
      generation: 0,
    },
    remoteClientId: null,
    trafficLimitBytes: 1024 ** 3,
    usedBytes: 0,
    usageObservedAt: null,
    expiresAt: new Date(START + 30 * 86_400_000),
    durationDays: 30,
    startOnFirstUse: false,
    activatedAt: createdAt,
    deviceLimit: null,
    subscriptionUrl: null,
    shareLinks,
    autoRenew: false,
    trial: false,
    notices: [],
    failureReason: null,
    terms: null,
    label: null,
    bundleId: null,
    kind,
    revision: 0,
    createdAt,
    updatedAt: createdAt,
  };
}

/**
 * Customers, each with one active Xray part and a link token, on a kit that answers as `kit.links.resolve` and
 * `kit.customers.subscriptions` do (the handler's whole contract, `FeedKit`); `part` adds a part of another kind.
 */
function setUp() {
  const tokens = new Map<string, string>();
  const subscriptions: Subscription[] = [];
  const touched: string[] = [];
  const kit: FeedKit = {
    links: { resolve: async (token) => tokens.get(token) ?? null },
    customers: {
      subscriptions: async (customerId, options) =>
        subscriptions.filter((s) => s.customerId === customerId && (options?.statuses ?? [s.status]).includes(s.status)).reverse(),
    },
    devices: {
      touch: async (subscriptionId) => {
        touched.push(subscriptionId);
        return { served: true, outcome: 'uncounted', device: null };
      },
    },
  };
  const customer = (name: string) => {
    tokens.set(`token-${name}`, `cus_${name}`);
    const part = (kind: EntitlementKind, shareLinks: string[], status: Subscription['status'] = 'active') => {
      const made = subscriptionOf(`cus_${name}`, kind, shareLinks, status);
      subscriptions.push(made);
      return made;
    };
    return { token: `token-${name}`, part, xray: part('xray', [VLESS]) };
  };
  const files = createConfigFilesHandler({ kit });
  const feed = createFeedHandler({ kit, title: 'Demo VPN', linkUrl: (t) => `https://shop.example/s/${t}`, now: () => new Date(START) });
  return { customer, files, feed, touched };
}

describe('the link’s config files', () => {
  it('give a WireGuard part’s conf and an AmneziaWG part’s (with its keys), named after the remark, never cached', async () => {
    const kit = setUp();
    const s = { ...kit, ...kit.customer('alice') };
    const wg = s.part('wireguard', [WG, WG_SECOND_HOST]);
    const awg = s.part('amneziawg', [AWG]);
    const one = await s.files({ token: s.token, method: 'GET', headers: {}, file: `config/${wg.id}.conf` });
    expect(one).toEqual({
      status: 200,
      headers: {
        'content-type': 'text/plain; charset=utf-8',
        'content-disposition': 'attachment; filename="DE_Frankfurt.conf"',
        'cache-control': 'no-store',
        'x-robots-tag': 'noindex',
      },
      body: wireGuardConf(WG),
    });
    const amnezia = await s.files({ token: s.token, method: 'GET', headers: {}, file: `config/${awg.id}.conf` });
    expect(amnezia.body).toBe(wireGuardConf(AWG, { amnezia: true }));
    expect(amnezia.body).toContain('\nJc = 4\n');
    const head = await s.files({ token: s.token, method: 'HEAD', headers: {}, file: `config/${wg.id}.conf` });
    expect([head.status, head.body, head.headers['content-type']]).toEqual([200, '', 'text/plain; charset=utf-8']);
  });

  it('zip every config of every usable WireGuard and AmneziaWG part, oldest part first, names made unique', async () => {
    const kit = setUp();
    const s = { ...kit, ...kit.customer('alice') };
    s.part('wireguard', [WG, WG_SECOND_HOST]);
    s.part('amneziawg', [AWG]);
    s.part('mtproto', [MTPROTO]);
    s.part('wireguard', [wgLink('203.0.113.9', 'expired')], 'expired');
    const zip = await s.files({ token: s.token, method: 'GET', headers: {}, file: 'configs.zip' });
    expect(zip.status).toBe(200);
    expect(zip.headers['content-type']).toBe('application/zip');
    expect(zip.headers['content-disposition']).toBe('attachment; filename="configs.zip"');
    expect(Buffer.isBuffer(zip.body)).toBe(true);
    const entries = unzipSync(zip.body as Buffer);
    expect(Object.keys(entries)).toEqual(['DE_Frankfurt.conf', 'DE_Frankfurt-2.conf', 'NL_AWG.conf']);
    expect(strFromU8(entries['DE_Frankfurt-2.conf'] as Uint8Array)).toBe(wireGuardConf(WG_SECOND_HOST));
    expect(strFromU8(entries['NL_AWG.conf'] as Uint8Array)).toBe(wireGuardConf(AWG, { amnezia: true }));
  });

  it('answer 404 for a part out of scope, not usable or of another kind, an empty zip, an unknown token or file; 405 for POST', async () => {
    const kit = setUp();
    const s = { ...kit, ...kit.customer('alice') };
    const other = kit.customer('bob');
    const theirs = other.part('wireguard', [WG]);
    const expired = s.part('wireguard', [WG], 'expired');
    const telegram = s.part('mtproto', [MTPROTO]);
    const get = (file: string, token = s.token) => s.files({ token, method: 'GET', headers: {}, file });
    expect((await get('configs.zip')).status).toBe(404);
    for (const file of [`config/${theirs.id}.conf`, `config/${expired.id}.conf`, `config/${telegram.id}.conf`, `config/${s.xray.id}.conf`])
      expect((await get(file)).status, file).toBe(404);
    const mine = s.part('wireguard', [WG]);
    expect((await get(`config/${mine.id}.conf`)).status).toBe(200);
    expect((await get(`config/${mine.id}.conf`, 'not-a-token')).status).toBe(404);
    expect((await get(`config/${mine.id}.txt`)).status).toBe(404);
    expect((await get('configs.tar')).status).toBe(404);
    expect((await s.files({ token: s.token, method: 'POST', headers: {}, file: 'configs.zip' })).status).toBe(405);
    // A download is no device fetch.
    expect(s.touched).toEqual([]);
  });
  it('serve only what the token opens when the kit reads scopes (a part’s own link: that part alone)', async () => {
    const { customer } = setUp();
    const alice = customer('alice');
    const first = alice.part('wireguard', [WG]);
    const second = alice.part('wireguard', [WG_SECOND_HOST]);
    const asked: Array<{ device?: unknown }> = [];
    const kit: FeedKit = {
      links: {
        resolve: async () => {
          throw new Error('a kit with scope is read through scope alone');
        },
        scope: async (token, options) => {
          asked.push(options);
          return token === 'own-link' ? { customerId: 'cus_alice', subscriptions: [second] } : null;
        },
      },
      customers: { subscriptions: async () => [first, second] },
      devices: { touch: async () => ({ served: true, outcome: 'uncounted', device: null }) },
    };
    const files = createConfigFilesHandler({ kit });
    const zip = await files({ token: 'own-link', method: 'GET', headers: {}, file: 'configs.zip' });
    expect(Object.values(unzipSync(zip.body as Buffer)).map((bytes) => strFromU8(bytes))).toEqual([wireGuardConf(WG_SECOND_HOST)]);
    expect((await files({ token: 'own-link', method: 'GET', headers: {}, file: `config/${first.id}.conf` })).status).toBe(404);
    expect((await files({ token: 'own-link', method: 'GET', headers: {}, file: `config/${second.id}.conf` })).status).toBe(200);
    // No device rides along: a download is no app refresh.
    expect(asked.map((options) => options.device)).toEqual([undefined, undefined, undefined]);
  });
});

describe('the proxy profiles by kind', () => {
  it('base64 carries Xray parts only; Clash and sing-box add WireGuard parts; no profile has AmneziaWG or MTProto', async () => {
    const kit = setUp();
    const s = { ...kit, ...kit.customer('alice') };
    s.part('wireguard', [WG]);
    s.part('amneziawg', [AWG]);
    s.part('mtproto', [MTPROTO]);
    const ask = (userAgent: string) => s.feed({ token: s.token, method: 'GET', headers: { 'user-agent': userAgent } });

    const base64 = Buffer.from((await ask('v2rayNG/1.10.2')).body, 'base64')
      .toString('utf8')
      .split('\n');
    expect(base64).toEqual(s.xray.shareLinks);

    const clash = parse((await ask('clash-verge/v2.4.3')).body) as { proxies: Array<{ name: string; type: string }> };
    expect(clash.proxies.map((p) => [p.name, p.type])).toEqual([
      ['DE vless', 'vless'],
      ['DE Frankfurt', 'wireguard'],
    ]);

    const singBox = JSON.parse((await ask('SFA/1.12.4 (Android 14; sing-box 1.12.4)')).body) as { endpoints?: Array<{ type: string }> };
    expect((singBox.endpoints ?? []).map((e) => e.type)).toEqual(['wireguard']);
    const everything = JSON.stringify(singBox) + JSON.stringify(clash);
    expect(everything).not.toContain('203.0.113.3');
    expect(everything).not.toContain('203.0.113.4');
  });
});
