/** The simulator against the notes' §10.3–10.5, §10.9 and §10.10: links, timing, routes and the wire. */
import { ManualClock } from '@panelkit/sdk/testing';
import { describe, expect, it } from 'vitest';
import { isPlaceholderLink } from '../../src/marzneshin/share-links.js';
import { createMarzneshinSimulator, proxyPassword, proxyUuid } from '../../src/simulators/marzneshin/index.js';
import { publicCall, rawClient } from './raw.js';

const KEY = '0123456789abcdef0123456789abcdef';
const vmessConfig = (link: string) =>
  JSON.parse(Buffer.from(link.slice('vmess://'.length), 'base64').toString('utf8')) as Record<string, unknown>;

describe('marzneshin simulator §10.3: links', () => {
  it('uuids and passwords are the key’s xxh128, never the key', async () => {
    // The reference digest of the empty input (xxHash's XXH3_128bits test vector).
    expect(await proxyUuid('')).toBe('99aa06d3-0147-98d8-6001-c324468d497f');
    expect(await proxyPassword('')).toBe('99aa06d3014798d86001c324468d497f');
  });

  it('an active user gets one link per inbound of its services; a user with no services none', async () => {
    const sim = createMarzneshinSimulator({ adminPassword: 'pw' });
    const call = await rawClient(sim);
    await call('POST', '/api/users', { username: 'ann', expire_strategy: 'never', key: KEY, service_ids: [1, 3] });
    await call('POST', '/api/users', { username: 'bare', expire_strategy: 'never', key: 'cd'.repeat(16) });
    const links = (await publicCall(sim, `/sub/ann/${KEY}/links`)).text.split('\n');
    expect(links.map((link) => link.slice(0, link.indexOf('://')))).toEqual(['vless', 'vmess', 'trojan']);
    expect(links[0]).toContain(await proxyUuid(KEY));
    expect(vmessConfig(links[1]!).id).toBe(await proxyUuid(KEY));
    expect(links[2]).toContain(await proxyPassword(KEY));
    expect(links.join('\n')).not.toContain(KEY);
    expect((await publicCall(sim, `/sub/bare/${'cd'.repeat(16)}/links`)).text).toBe('');
  });

  it('a disabled, expired or limited user is served one placeholder: vmess, id None, 127.0.0.1, named disabled', async () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const sim = createMarzneshinSimulator({ adminPassword: 'pw', clock });
    const call = await rawClient(sim);
    await call('POST', '/api/users', { username: 'off', expire_strategy: 'never', key: KEY, service_ids: [1] });
    await call('POST', '/api/users/off/disable');
    const [only, ...rest] = (await publicCall(sim, `/sub/off/${KEY}/links`)).text.split('\n');
    expect(rest).toEqual([]);
    expect(isPlaceholderLink(only!)).toBe(true);
    expect(vmessConfig(only!)).toMatchObject({ id: 'None', add: '127.0.0.1', port: 80, ps: 'disabled' });
    await call('POST', '/api/users', {
      username: 'full',
      expire_strategy: 'never',
      key: 'ef'.repeat(16),
      data_limit: 10,
      service_ids: [1],
    });
    await sim.addTraffic('full', 5, 5);
    expect((await publicCall(sim, `/sub/full/${'ef'.repeat(16)}/links`)).text.split('\n').every(isPlaceholderLink)).toBe(true);
  });
});

describe('marzneshin simulator §10.4 and §10.5: timing and the subscription URL', () => {
  it('expired and limited are computed on every read; activated changes only at the review task', async () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const sim = createMarzneshinSimulator({ adminPassword: 'pw', clock });
    const call = await rawClient(sim);
    await call('POST', '/api/users', { username: 'soon', expire_strategy: 'fixed_date', expire_date: '2026-01-01T00:00:10Z' });
    clock.advance(11_000);
    expect((await call('GET', '/api/users/soon')).json).toMatchObject({ expired: true, is_active: false, activated: true });
    sim.enforce();
    expect((await call('GET', '/api/users/soon')).json).toMatchObject({ activated: false });
  });

  it('a start-on-first-use user switches to a fixed date at the review after first use', async () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const sim = createMarzneshinSimulator({ adminPassword: 'pw', clock });
    const call = await rawClient(sim);
    await call('POST', '/api/users', { username: 'hold', expire_strategy: 'start_on_first_use', usage_duration: 3600 });
    await sim.addTraffic('hold', 1, 1);
    expect((await call('GET', '/api/users/hold')).json).toMatchObject({ expire_strategy: 'start_on_first_use' });
    clock.advance(10_000);
    sim.enforce();
    expect((await call('GET', '/api/users/hold')).json).toMatchObject({
      expire_strategy: 'fixed_date',
      expire_date: '2026-01-01T01:00:10',
    });
  });

  it('a prefix with * gives a fresh label on every read; without one the URL is stable', async () => {
    const sim = createMarzneshinSimulator({ adminPassword: 'pw', subscriptionPrefix: 'https://*.sub.example.com' });
    const call = await rawClient(sim);
    await call('POST', '/api/users', { username: 'ann', expire_strategy: 'never', key: KEY });
    const first = ((await call('GET', '/api/users/ann')).json as { subscription_url: string }).subscription_url;
    const second = ((await call('GET', '/api/users/ann')).json as { subscription_url: string }).subscription_url;
    expect(first).toMatch(new RegExp(`^https://[0-9a-f]{16}\\.sub\\.example\\.com/sub/ann/${KEY}$`));
    expect(second).not.toBe(first);
    const plain = createMarzneshinSimulator({ adminPassword: 'pw', subscriptionPrefix: 'https://sub.example.com' });
    const again = await rawClient(plain);
    await again('POST', '/api/users', { username: 'ann', expire_strategy: 'never', key: KEY });
    expect((await again('GET', '/api/users/ann')).json).toMatchObject({ subscription_url: `https://sub.example.com/sub/ann/${KEY}` });
  });
});

describe('marzneshin simulator §10.9: the routes a client may use', () => {
  it('/openapi.json, /api/inbounds, revoke_sub, /usage and /services', async () => {
    const sim = createMarzneshinSimulator({ adminPassword: 'pw' });
    expect((await publicCall(sim, '/openapi.json')).json).toMatchObject({ info: { title: 'MarzneshinAPI', version: '0.1.0' } });
    const call = await rawClient(sim);
    const inbounds = (await call('GET', '/api/inbounds')).json as {
      items: { id: number; protocol: string; config: string; service_ids: number[] }[];
    };
    expect(inbounds.items.map((i) => [i.id, i.protocol, i.service_ids])).toEqual([
      [1, 'vless', [1, 3]],
      [2, 'vmess', [1, 3]],
      [5, 'trojan', [3]],
    ]);
    expect(typeof inbounds.items[0]!.config).toBe('string');
    await call('POST', '/api/users', { username: 'ann', expire_strategy: 'never', key: KEY, service_ids: [3] });
    const revoked = (await call('POST', '/api/users/ann/revoke_sub')).json as { key: string; sub_revoked_at: string | null };
    expect(revoked.key).not.toBe(KEY);
    expect(revoked.sub_revoked_at).not.toBeNull();
    expect((await publicCall(sim, `/sub/ann/${KEY}/links`)).status).toBe(404);
    await sim.addTraffic('ann', 100, 200);
    const usage = (await call('GET', '/api/users/ann/usage')).json;
    expect(usage).toMatchObject({ username: 'ann', node_usages: [{ node_id: 1, usages: [[expect.any(Number), 300]] }], total: 300 });
    expect((await call('GET', '/api/users/ann/services')).json).toMatchObject({ total: 1, items: [{ id: 3, name: 'Premium-EU' }] });
  });

  it('the subscription: base64 by default, /info, /v2ray, HTML, YAML and sing-box by request, six headers; a bad key 404', async () => {
    const sim = createMarzneshinSimulator({ adminPassword: 'pw' });
    const call = await rawClient(sim);
    const ann = {
      username: 'ann',
      expire_strategy: 'fixed_date',
      expire_date: '2027-01-01T00:00:00Z',
      key: KEY,
      data_limit: 1000,
      service_ids: [1],
    };
    await call('POST', '/api/users', ann);
    await call('POST', '/api/users', { username: 'odd', expire_strategy: 'never', key: 'not-hex' });
    const links = (await publicCall(sim, `/sub/ann/${KEY}/links`)).text;
    const plain = await publicCall(sim, `/sub/ann/${KEY}`);
    expect(Buffer.from(plain.text, 'base64').toString('utf8')).toBe(links);
    expect(plain.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(plain.headers.get('subscription-userinfo')).toBe(
      `upload=0; download=0; total=1000; expire=${Date.parse('2027-01-01T00:00:00Z') / 1000}`,
    );
    for (const name of [
      'content-disposition',
      'profile-web-page-url',
      'support-url',
      'profile-title',
      'profile-update-interval',
      'subscription-userinfo',
    ]) {
      expect(plain.headers.get(name), name).not.toBeNull();
    }
    expect((await publicCall(sim, `/sub/ann/${KEY}/v2ray`)).text).toBe(plain.text);
    expect((await publicCall(sim, `/sub/ann/${KEY}/info`)).json).toMatchObject({ username: 'ann', key: KEY });
    expect((await publicCall(sim, `/sub/ann/${KEY}`, { accept: 'text/html' })).headers.get('content-type')).toBe(
      'text/html; charset=utf-8',
    );
    expect((await publicCall(sim, `/sub/ann/${KEY}`, { 'user-agent': 'clash-verge/1.0' })).headers.get('content-type')).toBe(
      'text/yaml; charset=utf-8',
    );
    const singBox = await publicCall(sim, `/sub/ann/${KEY}`, { 'user-agent': 'SFA/1.9' });
    expect(singBox.headers.get('content-type')).toBe('application/json');
    expect((singBox.json as { outbounds: unknown[] }).outbounds.length).toBeGreaterThan(2);
    expect((await publicCall(sim, `/sub/ann/${KEY.slice(0, -1)}0`)).status).toBe(404);
    expect((await publicCall(sim, '/sub/odd/not-hex')).status).toBe(404);
    expect(await publicCall(sim, `/sub/ann/${KEY}/constructor`)).toMatchObject({
      status: 422,
      json: { detail: { client_type: "String should match pattern '^(sing-box|clash-meta|clash|xray|v2ray|links|wireguard)$'" } },
    });
    expect((await call('GET', '/api/users/ann')).json).toMatchObject({ sub_last_user_agent: 'SFA/1.9' });
  });
});

describe('marzneshin simulator §10.10: the wire', () => {
  it('JSON is application/json without a charset; dates have no .000000', async () => {
    const sim = createMarzneshinSimulator({ adminPassword: 'pw', clock: new ManualClock('2026-01-01T00:00:00Z') });
    const call = await rawClient(sim);
    const created = await call('POST', '/api/users', {
      username: 'ann',
      expire_strategy: 'fixed_date',
      expire_date: '2026-02-01T00:00:00Z',
    });
    expect(created.headers.get('content-type')).toBe('application/json');
    expect(created.json).toMatchObject({ expire_date: '2026-02-01T00:00:00', created_at: '2026-01-01T00:00:00' });
    expect((await call('GET', '/api/users/nobody')).headers.get('content-type')).toBe('application/json');
    expect((await publicCall(sim, '/api/users')).headers.get('content-type')).toBe('application/json');
  });
});
