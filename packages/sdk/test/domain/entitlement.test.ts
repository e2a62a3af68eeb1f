import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mtprotoSecret, mtprotoSecretParts, wireGuardKeyPairOf, wireGuardPublicKey } from '../../src/adapter.js';
import { deriveRemoteIdentity, identityAtGeneration } from '../../src/index.js';
import type { RemoteIdentity } from '../../src/index.js';
import type { EntitlementKind } from '../../src/kinds.js';
import { RemoteIdentitySchema, WireGuardKeySchema } from '../../src/schemas.js';

const secret = 'test-secret-0123456789abcdef';
const hexToBase64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
const base64ToHex = (b64: string) => Buffer.from(b64, 'base64').toString('hex');

/** RFC 7748 §6.1: Alice's and Bob's private keys (as given, not clamped) and their public keys X25519(k, 9). */
const RFC7748 = [
  {
    who: 'Alice',
    privateKey: '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a',
    publicKey: '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a',
  },
  {
    who: 'Bob',
    privateKey: '5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb',
    publicKey: 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f',
  },
];

describe('X25519 and WireGuard keys', () => {
  it.each(RFC7748)("gives $who's public key of RFC 7748 §6.1", ({ privateKey, publicKey }) => {
    expect(base64ToHex(wireGuardPublicKey(hexToBase64(privateKey)))).toBe(publicKey);
  });

  it('clamps a seed as X25519 wants (RFC 7748 §5) and keeps its other bits; the public key is the seed’s', () => {
    const cases = [Buffer.alloc(32, 0xff), Buffer.alloc(32, 0x00), Buffer.from(RFC7748[0]!.privateKey, 'hex')];
    for (const seed of cases) {
      const pair = wireGuardKeyPairOf(seed);
      const key = Buffer.from(pair.privateKey, 'base64');
      expect(key).toHaveLength(32);
      expect(key[0]! & 0b111).toBe(0);
      expect(key[31]! & 0x80).toBe(0);
      expect(key[31]! & 0x40).toBe(0x40);
      expect(key.subarray(1, 31)).toEqual(seed.subarray(1, 31));
      expect(key[0]).toBe(seed[0]! & 248);
      expect(key[31]).toBe((seed[31]! & 127) | 64);
      expect(WireGuardKeySchema.parse(pair.privateKey)).toBe(pair.privateKey);
      expect(pair.publicKey).toBe(wireGuardPublicKey(pair.privateKey));
    }
    expect(base64ToHex(wireGuardKeyPairOf(Buffer.from(RFC7748[1]!.privateKey, 'hex')).publicKey)).toBe(RFC7748[1]!.publicKey);
    expect(base64ToHex(wireGuardKeyPairOf(Buffer.alloc(32, 0xff)).privateKey)).toBe(`f8${'ff'.repeat(30)}7f`);
  });

  it('refuses a seed that is not 32 bytes and a key that is not base64 of 32 bytes, with a RangeError', () => {
    expect(() => wireGuardKeyPairOf(new Uint8Array(31))).toThrow(RangeError);
    expect(() => wireGuardKeyPairOf(new Uint8Array(33))).toThrow(RangeError);
    for (const bad of [
      '',
      'not-a-key',
      hexToBase64('00'.repeat(31)),
      hexToBase64('00'.repeat(33)),
      `${hexToBase64('11'.repeat(32)).slice(0, 43)}`,
    ]) {
      expect(() => wireGuardPublicKey(bad)).toThrow(RangeError);
      expect(WireGuardKeySchema.safeParse(bad).success).toBe(false);
    }
  });

  const WG = '/usr/bin/wg';
  it.skipIf(!existsSync(WG))(
    `agrees with \`wg pubkey\`${existsSync(WG) ? '' : ' (skipped: no /usr/bin/wg; scripts/ensure-wireguard.sh installs it)'}`,
    () => {
      const seeds = [
        Buffer.alloc(32, 0x42),
        Buffer.from(RFC7748[0]!.privateKey, 'hex'),
        ...Array.from({ length: 4 }, (_, i) => Buffer.alloc(32, i * 61)),
      ];
      const keys = [
        ...seeds.map((seed) => wireGuardKeyPairOf(seed)),
        ...['sub_a', 'sub_b'].map((id) => deriveRemoteIdentity(id, 0, { secret }, 'wireguard').wireguard!),
      ];
      for (const { privateKey, publicKey } of keys) {
        expect(execFileSync(WG, ['pubkey'], { input: `${privateKey}\n`, encoding: 'utf8' }).trim()).toBe(publicKey);
      }
    },
  );
});

describe('deriveRemoteIdentity per kind', () => {
  it('leaves an Xray identity as it was before kinds: the same values, no wireguard or mtproto field', () => {
    // Derived by the code before commit 3d4dfdcf (the remote identity without kinds).
    const before = {
      username: 'shop1_cmypaqh3xbf3ar7x',
      uuid: '87fe4f6b-6445-4a64-b9e1-662f44b436b6',
      password: 'ji5yn24pullqo2uiups3us56',
      subId: 'nw3u4tezde52toxm',
      ssKey: 'R9Mwu+5InGsai/UWOc87Y12SWgZ064LxvJ07HVIBc6w=',
      generation: 2,
    };
    expect(deriveRemoteIdentity('sub_golden', 2, { secret, prefix: 'shop1' })).toStrictEqual(before);
    expect(deriveRemoteIdentity('sub_golden', 2, { secret, prefix: 'shop1' }, 'xray')).toStrictEqual(before);
  });

  it.each([
    ['wireguard', 'wireguard'],
    ['amneziawg', 'wireguard'],
    ['mtproto', 'mtproto'],
  ] as const)('%s: the identity carries the %s credentials beside the Xray fields, and no other kind’s', (kind, field) => {
    const identity = deriveRemoteIdentity('sub_kind', 0, { secret }, kind);
    const xray = deriveRemoteIdentity('sub_kind', 0, { secret });
    const { wireguard, mtproto, ...rest } = identity;
    expect(rest).toStrictEqual(xray);
    expect(field === 'wireguard' ? wireguard : mtproto).toBeDefined();
    expect(field === 'wireguard' ? mtproto : wireguard).toBeUndefined();
    expect(RemoteIdentitySchema.safeParse(identity).success).toBe(true);
    if (wireguard !== undefined) expect(wireguard.publicKey).toBe(wireGuardPublicKey(wireguard.privateKey));
    if (mtproto !== undefined) expect(mtproto.secretCore).toMatch(/^[0-9a-f]{32}$/);
  });

  /** The kind's own credential of an identity: the WireGuard private key, the MTProto secret core, else the uuid. */
  const credential = (identity: RemoteIdentity) => identity.wireguard?.privateKey ?? identity.mtproto?.secretCore ?? identity.uuid;

  it.each(['wireguard', 'mtproto'] as const)(
    '%s credentials are deterministic and differ per secret, generation and subscription',
    (kind) => {
      const of = (id: string, generation: number, s = secret) => credential(deriveRemoteIdentity(id, generation, { secret: s }, kind));
      expect(of('sub_1', 0)).toBe(of('sub_1', 0));
      const all = [of('sub_1', 0), of('sub_1', 0, `${secret}-other`), of('sub_1', 1), of('sub_2', 0)];
      expect(new Set(all).size).toBe(4);
    },
  );

  it('gives distinct WireGuard keys and MTProto cores across many subscriptions', () => {
    const keys = new Set<string>();
    const cores = new Set<string>();
    for (let i = 0; i < 500; i++) {
      keys.add(deriveRemoteIdentity(`sub_${i}`, 0, { secret }, 'wireguard').wireguard!.publicKey);
      cores.add(deriveRemoteIdentity(`sub_${i}`, 0, { secret }, 'mtproto').mtproto!.secretCore);
    }
    expect([keys.size, cores.size]).toEqual([500, 500]);
  });

  it.each(['xray', 'wireguard', 'amneziawg', 'mtproto'] as const)(
    '%s: identityAtGeneration keeps the credentials’ kind across a rotation, and an adopted identity’s username',
    (kind: EntitlementKind) => {
      const current = deriveRemoteIdentity('sub_rot', 0, { secret }, kind);
      expect(identityAtGeneration(current, 'sub_rot', 0, { secret })).toBe(current);
      const next = identityAtGeneration(current, 'sub_rot', 1, { secret });
      expect(next).toStrictEqual(deriveRemoteIdentity('sub_rot', 1, { secret }, kind));
      expect(credential(next)).not.toBe(credential(current));
      const adopted = identityAtGeneration({ ...current, username: 'adopted_peer', adopted: true }, 'sub_rot', 1, { secret });
      expect(adopted).toStrictEqual({ ...next, username: 'adopted_peer', adopted: true });
    },
  );
});

describe('RemoteIdentitySchema and the kinds’ credentials', () => {
  const wg = deriveRemoteIdentity('sub_schema', 0, { secret }, 'wireguard');
  const other = deriveRemoteIdentity('sub_other', 0, { secret }, 'wireguard');

  const issuesOf = (value: unknown) => RemoteIdentitySchema.safeParse(value).error?.issues.map((i) => [i.path.join('.'), i.message]);

  it('refuses a public key that is not the private key’s, derived or adopted', () => {
    const swapped = { ...wg, wireguard: { privateKey: wg.wireguard!.privateKey, publicKey: other.wireguard!.publicKey } };
    expect(issuesOf(swapped)).toEqual([['wireguard.publicKey', "not the private key's public key"]]);
    expect(issuesOf({ ...swapped, adopted: true })).toEqual([['wireguard.publicKey', "not the private key's public key"]]);
    expect(RemoteIdentitySchema.safeParse(wg).success).toBe(true);
  });

  it('refuses a malformed key or secret core as an issue, without throwing', () => {
    const badKey = { ...wg, wireguard: { ...wg.wireguard!, privateKey: 'not-a-key' } };
    expect(issuesOf(badKey)?.map(([path]) => path)).toEqual(['wireguard.privateKey']);
    const mt = deriveRemoteIdentity('sub_schema', 0, { secret }, 'mtproto');
    for (const secretCore of [mt.mtproto!.secretCore.toUpperCase(), mt.mtproto!.secretCore.slice(2), `ee${mt.mtproto!.secretCore}`]) {
      expect(issuesOf({ ...mt, mtproto: { secretCore } })?.map(([path]) => path)).toEqual(['mtproto.secretCore']);
    }
  });
});

describe('MTProto secrets', () => {
  const core = '0123456789abcdef0123456789abcdef';
  const hexOf = (text: string) => Buffer.from(text, 'latin1').toString('hex');

  it.each([
    ['FakeTLS', `ee${core}${hexOf('www.example.com')}`, { form: 'ee', core, domain: 'www.example.com' }],
    [
      'FakeTLS in upper case',
      `EE${core.toUpperCase()}${hexOf('cdn.example.org').toUpperCase()}`,
      { form: 'ee', core, domain: 'cdn.example.org' },
    ],
    ['padded', `dd${core}`, { form: 'dd', core, domain: null }],
    ['plain', core, { form: 'plain', core, domain: null }],
  ] as const)('reads a %s secret apart', (_name, secretText, parts) => {
    expect(mtprotoSecretParts(secretText)).toEqual(parts);
  });

  it.each([
    ['an odd length', `ee${core}${hexOf('example.com')}a`],
    ['a wrong prefix', `ff${core}${hexOf('example.com')}`],
    ['a dd secret with a tail', `dd${core}${hexOf('example.com')}`],
    ['a FakeTLS secret without a domain', `ee${core}`],
    ['non-hex characters', `ee${core.slice(0, 30)}zz${hexOf('example.com')}`],
    ['a tail that is not a domain (spaces)', `ee${core}${hexOf('not a domain')}`],
    ['a tail that is not a domain (a leading hyphen)', `ee${core}${hexOf('-bad.example.com')}`],
    ['a tail of non-text bytes', `ee${core}ff00ff00`],
    ['a core one character short', core.slice(1)],
    ['an empty string', ''],
  ])('refuses %s', (_name, secretText) => {
    expect(mtprotoSecretParts(secretText)).toBeNull();
  });

  it('writes each form, and reads back what it wrote', () => {
    expect(mtprotoSecret(core, 'ee', 'www.example.com')).toBe(`ee${core}${hexOf('www.example.com')}`);
    expect(mtprotoSecret(core, 'ee', 'WWW.Example.COM')).toBe(`ee${core}${hexOf('www.example.com')}`);
    expect(mtprotoSecret(core, 'dd')).toBe(`dd${core}`);
    expect(mtprotoSecret(core, 'plain')).toBe(core);
    for (const form of ['ee', 'dd', 'plain'] as const) {
      expect(mtprotoSecretParts(mtprotoSecret(core, form, 'telegram.example.net'))).toEqual({
        form,
        core,
        domain: form === 'ee' ? 'telegram.example.net' : null,
      });
    }
  });

  it('refuses a bad core, and a FakeTLS secret without a domain name, with a RangeError', () => {
    for (const bad of [core.toUpperCase(), core.slice(1), `${core}00`, 'zz'.repeat(16)])
      expect(() => mtprotoSecret(bad, 'plain')).toThrow(RangeError);
    expect(() => mtprotoSecret(core, 'ee')).toThrow(RangeError);
    expect(() => mtprotoSecret(core, 'ee', 'not a domain')).toThrow(RangeError);
    expect(() => mtprotoSecret(core, 'ee', 'bad_.example.com')).toThrow(RangeError);
  });
});
