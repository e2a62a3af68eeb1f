/**
 * The buyer's link (`/s/<token>`) serving Hysteria2, TUIC, WireGuard and VLESS-over-XHTTP links, shaped as 3x-ui v3,
 * S-UI and PasarGuard print them, to each kind of app: the base64 feed passes them through unchanged, the Clash profile
 * and the sing-box profile (for the app's version) carry what their format can express and leave the rest out.
 */
import { randomBytes } from 'node:crypto';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { boughtAndProvisioned, fund, planNamed } from './support/buying.js';
import { ROOMY_RATE_LIMITS, signedUpBuyer, startShop, type ShopUnderTest } from './support/shop-under-test.js';

const A = 'http://shop-a.example.com';
const UUID = '7b2e4f10-1c3d-4e5f-8a9b-0c1d2e3f4a5b';
const enc = encodeURIComponent;
const wgKey = () => randomBytes(32).toString('base64');

/** One link per protocol, as the panel named in the remark prints it. */
const LINKS = [
  'hysteria2://h-auth@hy.example.com:8443?alpn=h3&obfs=salamander&obfs-password=salt-1&security=tls&sni=hy.example.com#3x-ui-hy2',
  `tuic://${UUID}:tuic-pass@tuic.example.com:10443?security=tls&sni=tuic.example.com&alpn=h3&congestion_control=bbr&udp_relay_mode=native#s-ui-tuic`,
  `wireguard://${enc(wgKey())}@198.51.100.4:51820/?publickey=${enc(wgKey())}&address=${enc('10.8.0.5/32')}#pasarguard-wg`,
  `vless://${UUID}@x.example.com:443?encryption=none&security=tls&type=xhttp&path=%2Fxh&host=x.example.com&mode=auto&sni=x.example.com#3x-ui-xhttp`,
];

let t: ShopUnderTest;
let path: string;
beforeAll(async () => {
  t = await startShop({
    app: { rateLimits: { ...ROOMY_RATE_LIMITS, subscriptionLink: { limit: 1000, windowMs: 60_000 } } },
    env: { PUBLIC_URLS: A },
  });
  const buyer = await signedUpBuyer(t.app);
  await fund(t, buyer.email, 5000);
  const id = await boughtAndProvisioned(t, buyer, (await planNamed(t, 'Frankfurt · 1 month · 50')).id);
  const sub = (await t.shop.storage.subscriptions.get(id))!;
  await t.shop.storage.subscriptions.update(id, { shareLinks: LINKS }, { expectedRevision: sub.revision });
  const page = await buyer.agent.get('/dashboard').expect(200);
  const url = /id="shop-link-url" type="text" readonly value="([^"]+)"/.exec(page.text)?.[1];
  if (url === undefined) throw new Error('no shop link on the dashboard');
  path = new URL(url).pathname;
});
afterAll(() => t.close());

const get = (userAgent: string) => supertest(t.app).get(path).set('user-agent', userAgent).set('host', new URL(A).host).expect(200);

describe('the link with Hysteria2, TUIC, WireGuard and XHTTP links', () => {
  it('gives base64 apps (v2rayNG, Happ) every link unchanged', async () => {
    for (const ua of ['v2rayNG/1.10.2', 'Happ/3.4.1']) {
      const res = await get(ua);
      expect(Buffer.from(res.text, 'base64').toString('utf8').split('\n'), ua).toEqual(LINKS);
    }
  });

  it('gives Clash apps all four as mihomo proxies, XHTTP included', async () => {
    const res = await get('clash-verge/v2.4.3');
    const profile = parse(res.text) as { proxies: { name: string; type: string; network?: string }[] };
    expect(profile.proxies.map((p) => [p.name, p.type, p.network ?? null])).toEqual([
      ['3x-ui-hy2', 'hysteria2', null],
      ['s-ui-tuic', 'tuic', null],
      ['pasarguard-wg', 'wireguard', null],
      ['3x-ui-xhttp', 'vless', 'xhttp'],
    ]);
  });

  it('gives sing-box apps what their version takes: a WireGuard endpoint from 1.11, an outbound before; never XHTTP', async () => {
    const now = JSON.parse((await get('SFA/1.12.4 (638; sing-box 1.12.4)')).text);
    expect(now.endpoints.map((e: { type: string; tag: string }) => [e.type, e.tag])).toEqual([['wireguard', 'pasarguard-wg']]);
    expect(now.outbounds.map((o: { type: string; tag: string }) => [o.type, o.tag])).toEqual([
      ['selector', expect.any(String)],
      ['urltest', 'auto'],
      ['hysteria2', '3x-ui-hy2'],
      ['tuic', 's-ui-tuic'],
      ['direct', 'direct'],
    ]);
    expect(now.outbounds[1].outbounds).toEqual(['3x-ui-hy2', 's-ui-tuic', 'pasarguard-wg']);
    const older = JSON.parse((await get('SFA/1.10.7 (600; sing-box 1.10.7)')).text);
    expect(older).not.toHaveProperty('endpoints');
    expect(older.outbounds.map((o: { type: string }) => o.type)).toEqual([
      'selector',
      'urltest',
      'hysteria2',
      'tuic',
      'wireguard',
      'direct',
      'dns',
    ]);
  });
});
