/**
 * The per-kind cases' own checks must be able to fail: a declared kind without a target, a peer with another public
 * key, a secret of an undeclared form or around another core, a plain WireGuard link with AmneziaWG keys.
 */
import { describe, expect, it } from 'vitest';
import { deriveRemoteIdentity } from '../../src/index.js';
import type { ClientSpec, PanelCapabilities, RemoteClient } from '../../src/adapter.js';
import { expectOwnCredentials, kindEnv } from '../../src/testing/panel/kinds/kind-env.js';
import { expectKindLinks } from '../../src/testing/panel/kinds/kind-links.js';
import type { PanelSuiteEnv } from '../../src/testing/panel/support.js';

const target = { remoteRef: 'wg', protocol: 'wireguard', remoteMeta: {} };
const capabilities = {
  kinds: { xray: {}, wireguard: {}, amneziawg: {}, mtproto: { mtproto: { secretForms: ['ee'] } } },
} as unknown as PanelCapabilities;
const envWith = (targets: Record<string, unknown>): PanelSuiteEnv =>
  ({
    panel: { targets },
    adapter: { capabilities },
    target: { remoteRef: '1', protocol: 'vless', remoteMeta: {} },
  }) as unknown as PanelSuiteEnv;
const specOf = (kind: 'wireguard' | 'amneziawg' | 'mtproto', generation = 0): ClientSpec => ({
  identity: deriveRemoteIdentity('s1', generation, { secret: 'kinds-suite-checks-secret' }, kind),
  kind,
  expiry: { type: 'never' },
  trafficLimitBytes: null,
  deviceLimit: null,
  enabled: true,
});
const client = (kind: string, extra: Partial<RemoteClient>): RemoteClient =>
  ({ ref: { target, username: specOf('wireguard').identity.username }, kind, ...extra }) as RemoteClient;

describe('the per-kind checks', () => {
  it('a declared kind without a target fails, naming the missing target', () => {
    expect(() => kindEnv(envWith({}), 'wireguard').target).toThrow(/no target for it: return targets: \{ wireguard/);
    expect(kindEnv(envWith({ wireguard: target }), 'wireguard').target).toBe(target);
  });

  it('a peer must carry the derived public key and an address', () => {
    const k = kindEnv(envWith({ wireguard: target }), 'wireguard');
    const spec = specOf('wireguard');
    const mine = { publicKey: spec.identity.wireguard!.publicKey, addresses: ['10.8.0.2/32'] };
    expect(() => expectOwnCredentials(k, client('wireguard', { wireguard: mine }), spec)).not.toThrow();
    const other = { ...mine, publicKey: specOf('wireguard', 1).identity.wireguard!.publicKey };
    expect(() => expectOwnCredentials(k, client('wireguard', { wireguard: other }), spec)).toThrow(/public key/);
    expect(() => expectOwnCredentials(k, client('wireguard', { wireguard: { ...mine, addresses: [] } }), spec)).toThrow(/address/);
    expect(() => expectOwnCredentials(k, client('xray', { wireguard: mine }), spec)).toThrow(/kind/);
  });

  it('a proxy secret must be of a declared form around the derived core', () => {
    const k = kindEnv(envWith({ mtproto: target }), 'mtproto');
    const spec = specOf('mtproto');
    const core = spec.identity.mtproto!.secretCore;
    const domain = Buffer.from('www.example.com').toString('hex');
    expect(() => expectOwnCredentials(k, client('mtproto', { mtproto: { secret: `ee${core}${domain}` } }), spec)).not.toThrow();
    expect(() => expectOwnCredentials(k, client('mtproto', { mtproto: { secret: `dd${core}` } }), spec)).toThrow(/form/);
    const otherCore = specOf('mtproto', 1).identity.mtproto!.secretCore;
    expect(() => expectOwnCredentials(k, client('mtproto', { mtproto: { secret: `ee${otherCore}${domain}` } }), spec)).toThrow(/core/);
  });

  it('AmneziaWG keys belong in amneziawg links only, with values amneziawg-go accepts', () => {
    const spec = specOf('wireguard');
    const peer = client('wireguard', { wireguard: { publicKey: spec.identity.wireguard!.publicKey, addresses: ['10.8.0.2/32'] } });
    const key = encodeURIComponent(spec.identity.wireguard!.privateKey);
    const server = `publickey=${encodeURIComponent(spec.identity.wireguard!.publicKey)}&address=10.8.0.2%2F32`;
    const awg = 'jc=4&jmin=40&jmax=70&s1=15&s2=40&h1=1&h2=2&h3=3&h4=4';
    const links = (query: string) => ({ subscriptionUrl: null, shareLinks: [`wireguard://${key}@h.example:51820/?${query}#n`] });
    const plain = kindEnv(envWith({ wireguard: target }), 'wireguard');
    expect(() => expectKindLinks(plain, links(server), spec, peer)).not.toThrow();
    expect(() => expectKindLinks(plain, links(`${server}&${awg}`), spec, peer)).toThrow(/carries no jc/);
    const amnezia = kindEnv(envWith({ amneziawg: target }), 'amneziawg');
    const awgSpec = { ...spec, kind: 'amneziawg' as const };
    expect(() => expectKindLinks(amnezia, links(`${server}&${awg}`), awgSpec, peer)).not.toThrow();
    expect(() => expectKindLinks(amnezia, links(server), awgSpec, peer)).toThrow(/carries jc/);
    expect(() => expectKindLinks(amnezia, links(`${server}&${awg.replace('s2=40', 's2=71')}`), awgSpec, peer)).toThrow(/s2/);
    expect(() => expectKindLinks(plain, links(server.replace('10.8.0.2', '10.8.0.3')), spec, peer)).toThrow(/addresses/);
  });
});
