import { expect } from 'vitest';
import { mtprotoSecretParts } from '../../../domain/entitlement.js';
import type { ClientLinks, ClientSpec, RemoteClient } from '../../../ports/panel.js';
import type { KindEnv } from './kind-env.js';
import { addressesOf, isTelegramProxy, isWireGuardLike, normalAddress } from './kind-env.js';

/** AmneziaWG's obfuscation keys in a `wireguard://` link: the ones every AmneziaWG client needs. */
const AMNEZIA_REQUIRED = ['jc', 'jmin', 'jmax', 's1', 's2', 'h1', 'h2', 'h3', 'h4'] as const;
/** Every AmneziaWG key a link may carry; a plain WireGuard link carries none of them. */
const AMNEZIA_ALL = [...AMNEZIA_REQUIRED, 's3', 's4', 'i1', 'i2', 'i3', 'i4', 'i5'] as const;

/** The kinds whose links carry AmneziaWG's keys: the one place the suite names a kind for its link form. */
const CARRIES_AMNEZIA: ReadonlySet<string> = new Set(['amneziawg']);

const UINT32 = 4_294_967_295;

function whole(params: URLSearchParams, key: string): number {
  const text = params.get(key) ?? '';
  expect(text, `${key} is a whole number`).toMatch(/^\d{1,10}$/);
  return Number(text);
}

/** AmneziaWG values amneziawg-go accepts (its README's ranges), so that the buyer's config starts. */
function expectAmneziaValues(params: URLSearchParams): void {
  const jc = whole(params, 'jc');
  expect(jc >= 1 && jc <= 128, `jc ${jc} is 1–128`).toBe(true);
  const [jmin, jmax] = [whole(params, 'jmin'), whole(params, 'jmax')];
  expect(jmin < jmax && jmax <= 1280, `jmin ${jmin} < jmax ${jmax} ≤ 1280`).toBe(true);
  const [s1, s2] = [whole(params, 's1'), whole(params, 's2')];
  expect(s1 <= 1132 && s2 <= 1188 && s1 + 56 !== s2, `s1 ${s1}, s2 ${s2} within range and s2 ≠ s1 + 56`).toBe(true);
  for (const key of ['h1', 'h2', 'h3', 'h4']) {
    const match = /^(\d{1,10})(?:-(\d{1,10}))?$/.exec(params.get(key) ?? '');
    expect(match, `${key} is a uint32 or a range of them`).not.toBeNull();
    expect(Number(match![2] ?? match![1]) <= UINT32 && Number(match![1]) <= Number(match![2] ?? match![1])).toBe(true);
  }
}

/** One `wireguard://` link: the spec's private key, the server's key, the client's addresses, AmneziaWG keys exactly for AmneziaWG. */
function expectWireGuardLink(k: KindEnv, link: string, spec: ClientSpec, client: RemoteClient): void {
  expect(link.startsWith('wireguard://'), `a wireguard:// link, got ${link.split('@')[0]!.slice(0, 16)}…`).toBe(true);
  const url = new URL(link);
  expect(decodeURIComponent(url.username), 'the private key the spec sent').toBe(spec.identity.wireguard?.privateKey);
  expect(url.hostname.length, 'a server').toBeGreaterThan(0);
  expect(Number(url.port), 'a port').toBeGreaterThan(0);
  const params = url.searchParams;
  expect(params.get('publickey') ?? '', 'the server public key').toMatch(/^[A-Za-z0-9+/]{43}=$/);
  const addresses = (params.get('address') ?? '').split(',').filter((a) => a !== '');
  expect(addresses.map(normalAddress).sort(), "the peer's addresses").toEqual(addressesOf(client));
  const amnezia = CARRIES_AMNEZIA.has(k.kind);
  if (amnezia) {
    for (const key of AMNEZIA_REQUIRED) expect(params.has(key), `an AmneziaWG link carries ${key}`).toBe(true);
    expectAmneziaValues(params);
  } else {
    for (const key of AMNEZIA_ALL) expect(params.has(key), `a plain WireGuard link carries no ${key}`).toBe(false);
  }
}

/** One `tg://proxy` link: server, port, and a secret of a declared form around the derived core; keys sorted, no fragment. */
function expectTelegramLink(k: KindEnv, link: string, spec: ClientSpec): void {
  expect(link.startsWith('tg://proxy?'), `a tg://proxy link, got ${link.slice(0, 12)}…`).toBe(true);
  expect(link.includes('#'), 'no fragment').toBe(false);
  const params = new URLSearchParams(link.slice('tg://proxy?'.length));
  expect(params.get('server') ?? '', 'a server').not.toBe('');
  const port = Number(params.get('port'));
  expect(Number.isInteger(port) && port > 0 && port < 65_536, 'a port').toBe(true);
  const keys = [...params.keys()];
  expect(keys, 'keys sorted').toEqual([...keys].sort());
  const parts = mtprotoSecretParts(params.get('secret') ?? '');
  expect(parts, 'a Telegram proxy secret').not.toBeNull();
  expect(k.caps.mtproto?.secretForms ?? []).toContain(parts!.form);
  expect(parts!.core, 'the derived secret core').toBe(spec.identity.mtproto?.secretCore);
}

/** Asserts the client's links are its kind's form, carrying its own credentials, with at least one link. */
export function expectKindLinks(k: KindEnv, links: ClientLinks, spec: ClientSpec, client: RemoteClient): void {
  expect(links.shareLinks.length, 'at least one link').toBeGreaterThan(0);
  for (const link of links.shareLinks) {
    if (isWireGuardLike(k.kind)) expectWireGuardLink(k, link, spec, client);
    if (isTelegramProxy(k.kind)) expectTelegramLink(k, link, spec);
  }
}
