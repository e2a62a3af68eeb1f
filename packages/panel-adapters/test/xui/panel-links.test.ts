/**
 * The simulator's share links are its own (`src/simulators/xui/panel-links.ts`), built from the panel's Go
 * source apart from the adapter's builder. Here they are held to the panel's Go characterization vectors
 * (when the shared fixtures are present) and to hand-written expectations, and the Gen A adapter, which
 * builds links itself, is held to the simulator's subscription service for every demo inbound: a bug in
 * either builder makes the two disagree.
 */
import { deriveRemoteIdentity } from '@panelkit/sdk';
import type { CallContext } from '@panelkit/sdk/adapter';
import { ManualClock } from '@panelkit/sdk/testing';
import { describe, expect, it } from 'vitest';
import { createXuiAdapter } from '../../src/xui/index.js';
import { serveOnLocalhost } from '../../src/simulators/harness/index.js';
import { createXuiSimulator } from '../../src/simulators/xui/index.js';
import { panelShareLinks, type PanelLinkInput } from '../../src/simulators/xui/panel-links.js';
import { describeFixtures, readFixture } from '../contract/fixtures.js';

const ctx = (): CallContext => ({ signal: new AbortController().signal, idempotencyKey: 'links' });

/** A link without the values the panel picks at random per request (v2's REALITY `spx`). */
function withoutRandom(link: string): string {
  if (!/^(vless|trojan):/.test(link)) return link;
  const url = new URL(link);
  url.searchParams.delete('spx');
  return url.toString();
}

describe('3x-ui simulator links, built as the panel builds them', () => {
  it('v2: Values.Encode order, Go fragment escaping, base64 Shadowsocks 2022 with the server key, raw trojan password', () => {
    const inbound = {
      remark: 'SS 2022',
      listen: '',
      port: 8388,
      protocol: 'shadowsocks',
      settings: { method: '2022-blake3-aes-256-gcm', password: 'server/key=' },
      streamSettings: { network: 'tcp', security: 'none', tcpSettings: { header: { type: 'none' } } },
    };
    const client = { email: 'a b', password: 'user+key=' };
    const [ss] = panelShareLinks({ inbound, client, host: 'h.test', style: 'v2' });
    expect(ss).toBe(
      `ss://${Buffer.from('2022-blake3-aes-256-gcm:server/key=:user+key=').toString('base64')}@h.test:8388?type=tcp#SS%202022-a%20b`,
    );
    const [v3] = panelShareLinks({ inbound, client, host: 'h.test', style: 'v3' });
    expect(v3).toBe('ss://2022-blake3-aes-256-gcm:server%2Fkey%3D:user%2Bkey%3D@h.test:8388?type=tcp#SS%202022-a%20b');
  });

  it('v3: IPv6 in brackets, the trojan password percent-encoded, spx derived from spiderX and the subId', () => {
    const reality = {
      remark: 'R',
      listen: '2001:db8::1',
      port: 443,
      protocol: 'trojan',
      settings: {},
      streamSettings: {
        network: 'tcp',
        security: 'reality',
        realitySettings: { serverNames: ['a.test'], shortIds: ['ab'], settings: { publicKey: 'PK', fingerprint: 'chrome', spiderX: '/x' } },
      },
    };
    const input: PanelLinkInput = {
      inbound: reality,
      client: { email: 'e', password: 'p/w=', flow: 'xtls-rprx-vision', subId: 's1' },
      host: 'unused',
      style: 'v3',
    };
    const [link] = panelShareLinks(input);
    expect(link).toMatch(
      /^trojan:\/\/p%2Fw%3D@\[2001:db8::1\]:443\?flow=xtls-rprx-vision&fp=chrome&pbk=PK&security=reality&sid=ab&sni=a\.test&spx=%2F[0-9a-f]{15}&type=tcp#R-e$/,
    );
    expect(panelShareLinks(input)).toEqual([link]);
  });

  it('v2 remarks follow remarkModel and showInfo (remaining traffic and time)', () => {
    const inbound = {
      remark: 'In',
      listen: '',
      port: 1,
      protocol: 'vless',
      settings: { encryption: 'none' },
      streamSettings: { network: 'tcp', security: 'none' },
    };
    const stats = { enable: true, up: 1024 ** 3, down: 0, total: 10 * 1024 ** 3, expiryTime: Date.parse('2026-01-31T00:00:00Z') };
    const [link] = panelShareLinks({
      inbound,
      client: { email: 'me', id: 'u' },
      host: 'h',
      style: 'v2',
      remarkModel: '_eio',
      showInfo: true,
      stats,
      nowMs: Date.parse('2026-01-01T00:00:00Z'),
    });
    expect(link).toBe('vless://u@h:1?encryption=none&security=none&type=tcp#me_In_9.00GB%F0%9F%93%8A_30D%E2%8F%B3');
  });
});

describeFixtures("3x-ui simulator links against the panel's Go vectors", '3x-ui/source-tests', () => {
  interface Vector {
    name: string;
    email: string;
    inbound: PanelLinkInput['inbound'] & { settings: { clients?: PanelLinkInput['client'][] } };
    expected?: string;
    expectedContains?: string[];
  }
  const vectors = () =>
    (readFixture('3x-ui/source-tests/share-links-test-vectors.json') as { go_sub_service_characterization: Vector[] })
      .go_sub_service_characterization;
  const clientOf = (vector: Vector) => vector.inbound.settings.clients!.find((client) => client.email === vector.email)!;

  it('the characterization vectors (v3.6.0) come out byte for byte, or hold every expected part', () => {
    for (const vector of vectors()) {
      const joined = panelShareLinks({ inbound: vector.inbound, client: clientOf(vector), host: 'unused.invalid', style: 'v3' }).join('\n');
      if (vector.expected !== undefined) expect(joined, vector.name).toBe(vector.expected);
      for (const part of vector.expectedContains ?? []) expect(joined, `${vector.name}: ${part}`).toContain(part);
    }
  });
});

describe('the Gen A adapter builds the links the panel serves', () => {
  it("for every demo inbound, the adapter's links (and those the create returned) equal the subscription service's (but for the random spx)", async () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const sim = createXuiSimulator({
      version: '2.8.x',
      clock,
      basePath: '/p/',
      credentials: { username: 'admin', password: 'admin-password-1' },
    });
    sim.seedDemo();
    const server = await serveOnLocalhost(sim.handle);
    const sub = await serveOnLocalhost(sim.subscriptionService());
    try {
      const host = new URL(sub.origin).hostname;
      const adapter = createXuiAdapter({
        baseUrl: `${server.origin}/p/`,
        auth: { username: 'admin', password: 'admin-password-1' },
        clock,
        links: { host },
      });
      const targets = await adapter.listTargets(ctx());
      expect(targets.length).toBeGreaterThanOrEqual(4);
      for (const [index, target] of targets.entries()) {
        const identity = deriveRemoteIdentity(`links-${index}`, 0, { secret: 'xui-links-identity-secret' });
        const spec = { identity, expiry: { type: 'never' as const }, trafficLimitBytes: null, deviceLimit: null, enabled: true };
        const [created] = await adapter.createClients(target, [spec], ctx());
        const { shareLinks } = await adapter.links(created!.ref, ctx());
        const served = await fetch(`${sub.origin}/sub/${identity.subId}`);
        expect(served.status, target.name).toBe(200);
        const panel = Buffer.from(await served.text(), 'base64')
          .toString('utf8')
          .split('\n')
          .filter((line) => line !== '');
        expect(shareLinks.map(withoutRandom), target.name).toEqual(panel.map(withoutRandom));
        // The links the create returned (built from the inbound it read, no call of their own) are the panel's too.
        expect(created!.links?.shareLinks.map(withoutRandom), `${target.name}, with the create`).toEqual(panel.map(withoutRandom));
      }
    } finally {
      await server.close();
      await sub.close();
    }
  });
});
