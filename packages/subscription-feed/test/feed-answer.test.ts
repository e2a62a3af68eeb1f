/**
 * The answer each client app gets, by its real User-Agent, in each state of the buyer's link: active, expired,
 * suspended, and over the device limit. Format, headers and placeholder entries are read back the way the app
 * reads them (base64 decoded, YAML parsed, JSON parsed), not compared as text.
 */
import type { Subscription } from '@panelkit/sdk';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type FeedFacts, feedAnswer, isBrowser } from '../src/answer.js';
import { APP_MANAGEMENT_OFF, type AppManagement } from '../src/app-management.js';
import { type LinkFeed, linkFeed, servedToDevice } from '../src/feed/feed.js';
import type { BlockReason } from '../src/feed/placeholder.js';
import { feedTexts } from '../src/feed/texts.js';
import type { FeedAnswer } from '../src/request.js';
import { memoryKit } from './support/memory-kit.js';

type Format = 'base64' | 'clash' | 'sing-box';

/** Each app as it names itself, the format it reads, and the `routing` header it reads (if any). */
const APPS: ReadonlyArray<{ app: string; ua: string; reads: Format; routing?: 'happ' | 'v2raytun'; singBox?: string }> = [
  { app: 'Happ (iOS)', ua: 'Happ/4.6.0/ios/2603181556604', reads: 'base64', routing: 'happ' },
  { app: 'Happ (Android)', ua: 'Happ/3.13.0', reads: 'base64', routing: 'happ' },
  { app: 'v2rayNG', ua: 'v2rayNG/1.10.2', reads: 'base64' },
  { app: 'v2RayTun', ua: 'v2RayTun/5.1 (android)', reads: 'base64', routing: 'v2raytun' },
  { app: 'v2RayTun (Windows)', ua: 'v2raytun/5.24.76 Windows/10.0', reads: 'base64', routing: 'v2raytun' },
  { app: 'Streisand', ua: 'Streisand/1.6.3', reads: 'base64' },
  { app: 'Shadowrocket', ua: 'Shadowrocket/2070 CFNetwork/1494.0.7 Darwin/23.4.0', reads: 'base64' },
  { app: 'v2rayN', ua: 'v2rayN/7.13.2', reads: 'base64' },
  { app: 'Hiddify', ua: 'HiddifyNext/2.5.7 (android) like ClashMeta v2ray sing-box', reads: 'sing-box', singBox: '1.11' },
  { app: 'mihomo', ua: 'mihomo/1.19.2', reads: 'clash' },
  { app: 'Clash Verge Rev', ua: 'clash-verge/v2.4.3', reads: 'clash' },
  { app: 'FlClash', ua: 'FlClash/v0.8.96 clash-verge Platform/android', reads: 'clash' },
  { app: 'Clash Meta for Android', ua: 'ClashMetaForAndroid/2.11.5.Meta', reads: 'clash' },
  { app: 'Stash', ua: 'Stash/3.1.1 Clash/1.9.0', reads: 'clash' },
  { app: 'NekoBox', ua: 'NekoBox/Android/1.4.2 (Prefer ClashMeta Format)', reads: 'clash' },
  { app: 'Throne', ua: 'Throne/1.6.6 (Prefer ClashMeta Format)', reads: 'clash' },
  { app: 'SFA 1.12', ua: 'SFA/1.12.4 (638; sing-box 1.12.4)', reads: 'sing-box', singBox: '1.12' },
  { app: 'SFI 1.10', ua: 'SFI/1.10.7 (iOS)', reads: 'sing-box', singBox: '1.10' },
  { app: 'SFI 1.11', ua: 'SFI/1.11.4 (iOS)', reads: 'sing-box', singBox: '1.11' },
  { app: 'Karing', ua: 'Karing/1.2.6.1010 (android)', reads: 'sing-box', singBox: '1.11' },
];

type State = 'active' | 'expired' | 'suspended' | 'over the device limit';
const STATES: readonly State[] = ['active', 'expired', 'suspended', 'over the device limit'];
const BLOCKED_BY: Readonly<Record<State, BlockReason | null>> = {
  active: null,
  expired: 'expired',
  suspended: 'suspended',
  'over the device limit': 'device_limit_reached',
};

/** Share links of each kind the panels hand out, each named after its server. */
const LINKS = [
  'vless://0f6c7e9a-2b1d-4c3e-9f8a-1a2b3c4d5e6f@de.example.net:443?type=tcp&security=reality&pbk=Z84J2IelR9ch3k8VtlVhhs5ycBUlXA7wHBWcBrjqnAw&sid=6ba85179e30d4fc2&sni=www.microsoft.com&fp=chrome&flow=xtls-rprx-vision#DE%20reality',
  `vmess://${Buffer.from(JSON.stringify({ v: '2', ps: 'NL ws', add: 'nl.example.net', port: '443', id: '3b4c5d6e-7f80-4192-a3b4-c5d6e7f80912', aid: '0', net: 'ws', path: '/ws', host: 'nl.example.net', tls: 'tls', sni: 'nl.example.net' })).toString('base64')}`,
  'trojan://secret-pass@fi.example.net:443?type=grpc&serviceName=tr&security=tls&sni=fi.example.net#FI%20grpc',
  `ss://${Buffer.from('chacha20-ietf-poly1305:ss-pass').toString('base64url')}@se.example.net:8388#SE%20ss`,
];
const NAMES = ['DE reality', 'NL ws', 'FI grpc', 'SE ss'];

const URL_ = 'https://shop.example/s/T0ken';
const HAPP: AppManagement = { ...APP_MANAGEMENT_OFF, happProviderId: 'prov_1234', renewButton: true };

let active: Subscription;

beforeAll(async () => {
  const { subscription } = await (await memoryKit()).buyer({ deviceLimit: 2 });
  active = { ...subscription, shareLinks: LINKS, usedBytes: 1024 ** 3, trafficLimitBytes: 50 * 1024 ** 3 };
});

/** The feed for a state, as the handler makes it (the device verdict applied to the active one). */
function feedIn(state: State): LinkFeed {
  if (state === 'over the device limit') return servedToDevice(linkFeed([active]), [], 'limit_reached');
  if (state === 'active') return linkFeed([active]);
  return linkFeed([{ ...active, status: state }]);
}

function facts(state: State, overrides: Partial<FeedFacts> = {}): FeedFacts {
  return {
    feed: feedIn(state),
    title: 'Demo VPN',
    url: URL_,
    moveTo: null,
    banner: '',
    supportUrl: 'https://t.me/demo_support',
    management: HAPP,
    routing: { countries: ['ru'] },
    routingTurnedOff: false,
    texts: feedTexts('en'),
    now: new Date('2026-03-02T00:00:00.000Z'),
    formatDate: (d) => d.toISOString().slice(0, 10),
    ...overrides,
  };
}

const ask = (ua: string, f: FeedFacts, method = 'GET'): FeedAnswer => feedAnswer({ method, headers: { 'user-agent': ua } }, f);

/** The entries' names as the app shows them, read from the body in the app's format. */
function entryNames(answer: FeedAnswer, format: Format): string[] {
  if (format === 'base64') {
    return Buffer.from(answer.body, 'base64')
      .toString('utf8')
      .split('\n')
      .map((link) => {
        if (link.startsWith('vmess://')) return JSON.parse(Buffer.from(link.slice(8), 'base64').toString('utf8')).ps as string;
        return decodeURIComponent(link.slice(link.indexOf('#') + 1));
      });
  }
  if (format === 'clash') return (parse(answer.body) as { proxies: { name: string }[] }).proxies.map((p) => p.name);
  const profile = JSON.parse(answer.body) as { outbounds: { type: string; tag: string }[] };
  return profile.outbounds.filter((o) => !['selector', 'urltest', 'direct', 'dns'].includes(o.type)).map((o) => o.tag);
}

const CONTENT_TYPES: Readonly<Record<Format, string>> = {
  base64: 'text/plain; charset=utf-8',
  clash: 'text/yaml; charset=utf-8',
  'sing-box': 'application/json; charset=utf-8',
};

const decodeHeader = (value: string | undefined) => Buffer.from((value ?? '').replace(/^base64:/, ''), 'base64').toString('utf8');

describe.each(APPS)('$app', ({ ua, reads, routing, singBox }) => {
  it.each(STATES)('%s: its format, its headers, servers or placeholders', (state) => {
    const answer = ask(ua, facts(state));
    const blocked = BLOCKED_BY[state];
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe(CONTENT_TYPES[reads]);
    const texts = feedTexts('en');
    const where = blocked === 'device_limit_reached' ? `Manage devices: ${URL_}` : `Renew: ${URL_}`;
    expect(entryNames(answer, reads)).toEqual(blocked === null ? NAMES : [texts[blocked], where]);

    const used = 1024 ** 3;
    const expire = Math.floor((active.expiresAt as Date).getTime() / 1000);
    expect(answer.headers['subscription-userinfo']).toBe(`upload=0; download=${used}; total=${50 * 1024 ** 3}; expire=${expire}`);
    expect(decodeHeader(answer.headers['profile-title'])).toBe('Demo VPN');
    expect(answer.headers['profile-update-interval']).toBe('12');
    expect(answer.headers['profile-web-page-url']).toBe(URL_);
    expect(answer.headers['support-url']).toBe('https://t.me/demo_support');
    if (blocked === null) expect(answer.headers['announce']).toBeUndefined();
    else expect(decodeHeader(answer.headers['announce'])).toBe(`${texts[blocked]} · ${where}`);

    // Happ's management headers go to Happ alone.
    if (routing === 'happ') {
      expect(answer.headers).toMatchObject({ providerid: 'prov_1234', 'sub-expire': '1', 'sub-expire-button-link': URL_ });
      expect(answer.headers['subscription-always-hwid-enable']).toBe('0');
    } else expect(answer.headers['providerid']).toBeUndefined();

    // Routing: by header for Happ and v2RayTun, inside the profile for Clash and sing-box; never on placeholders.
    const header = answer.headers['routing'];
    if (blocked !== null || routing === undefined) expect(header).toBeUndefined();
    else if (routing === 'happ') {
      expect(header).toMatch(/^happ:\/\/routing\/onadd\//);
      const profile = JSON.parse(Buffer.from((header as string).slice('happ://routing/onadd/'.length), 'base64').toString('utf8'));
      expect(profile.DirectSites).toEqual(['geosite:category-ru']);
    } else {
      const object = JSON.parse(Buffer.from(header as string, 'base64').toString('utf8'));
      expect(object.rules.flatMap((r: { domain?: string[] }) => r.domain ?? [])).toEqual(['geosite:category-ru']);
    }
    if (reads === 'clash') {
      const rules = (parse(answer.body) as { rules: string[] }).rules;
      expect(rules.includes('GEOSITE,category-ru,DIRECT')).toBe(blocked === null);
      expect(rules.at(-1)).toBe('MATCH,Demo VPN');
    }
    if (reads === 'sing-box') {
      const profile = JSON.parse(answer.body);
      // 1.12 reads typed DNS servers; before 1.11 the `dns` outbound; before 1.8 the geosite fields.
      if (singBox === '1.12') expect(profile.dns.servers[0].type).toBe('https');
      else expect(profile.dns.servers[0].address).toBe('https://1.1.1.1/dns-query');
      expect(profile.outbounds.some((o: { type: string }) => o.type === 'dns')).toBe(singBox === '1.10');
      const ruleSets = (profile.route.rule_set ?? []).map((r: { tag: string }) => r.tag);
      expect(ruleSets.includes('geosite-category-ru')).toBe(blocked === null);
    }
  });
});

describe('the answer besides the formats', () => {
  it('warns in the banner of an end within three days and of traffic nearly used, in the buyer’s language', () => {
    const soon = facts('active', { now: new Date((active.expiresAt as Date).getTime() - 86_400_000), texts: feedTexts('ru') });
    const nearlyUsed = { ...soon, feed: { ...soon.feed, info: { ...soon.feed.info, download: 49 * 1024 ** 3 } } };
    const lines = decodeHeader(ask('Happ/3.13.0', nearlyUsed).headers['announce']).split(' · ');
    const date = (active.expiresAt as Date).toISOString().slice(0, 10);
    expect(lines).toEqual([`Подписка заканчивается ${date}. Продлить: ${URL_}`, `Трафик почти закончился. Докупить: ${URL_}`]);
  });

  it('names placeholders in the buyer’s language, and takes the host’s own texts over the package’s', () => {
    const fa = entryNames(ask('v2rayNG/1.10.2', facts('expired', { texts: feedTexts('fa') })), 'base64');
    expect(fa).toEqual(['⛔ اشتراک شما تمام شده است', `تمدید: ${URL_}`]);
    const own = feedTexts('fa', { fa: { renewAt: 'تمدید اشتراک: {url}' } });
    expect(entryNames(ask('v2rayNG/1.10.2', facts('expired', { texts: own })), 'base64')[1]).toBe(`تمدید اشتراک: ${URL_}`);
    expect(feedTexts('de')).toEqual(feedTexts('en'));
  });

  it('tells Happ to turn routing off once the plan’s preset is gone, and moves it to the new address when asked', () => {
    const off = ask(
      'Happ/3.13.0',
      facts('active', { routing: null, routingTurnedOff: true, management: { ...HAPP, moveApps: true }, moveTo: URL_ }),
    );
    expect(off.headers['routing']).toBe('happ://routing/off');
    expect(off.headers['new-url']).toBe(URL_);
    expect(decodeHeader(off.headers['announce'])).toBe(`This address is retired: add ${URL_} to your app.`);
    expect(ask('v2RayTun/5.1 (android)', facts('active', { routing: null, routingTurnedOff: true })).headers['routing']).toBeUndefined();
  });

  it('answers HEAD with the headers alone, refuses other methods, and tells a browser from an app', () => {
    const head = ask('v2rayNG/1.10.2', facts('active'), 'HEAD');
    expect([head.status, head.body, head.headers['subscription-userinfo'] !== undefined]).toEqual([200, '', true]);
    expect(ask('v2rayNG/1.10.2', facts('active'), 'POST')).toMatchObject({ status: 405, headers: { allow: 'GET, HEAD' } });
    const chrome = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0', accept: 'text/html,application/xhtml+xml' };
    expect(isBrowser({ method: 'GET', headers: chrome })).toBe(true);
    expect(isBrowser({ method: 'GET', headers: { 'user-agent': 'Happ/3.13.0', accept: 'text/html' } })).toBe(false);
    const plain = feedAnswer({ method: 'GET', headers: chrome }, facts('active'));
    expect(plain.body.split('\n')).toEqual(LINKS);
  });
});
