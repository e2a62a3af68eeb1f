import { describe, expect, it } from 'vitest';
import { ConfigurationError, createId, deriveRemoteIdentity } from '../../src/index.js';
import { RemoteIdentitySchema } from '../../src/schemas.js';

const secret = 'test-secret-0123456789abcdef';

describe('deriveRemoteIdentity', () => {
  it('is deterministic for the same id, generation and secret', () => {
    expect(deriveRemoteIdentity('sub_abc', 0, { secret })).toEqual(deriveRemoteIdentity('sub_abc', 0, { secret }));
  });

  it('fits every panel kind’s username rules for many ids', () => {
    const marzban = /^[a-z0-9_]{3,32}$/;
    for (let i = 0; i < 2000; i++) {
      const identity = deriveRemoteIdentity(createId('sub'), 0, { secret, prefix: 'shop1' });
      expect(identity.username).toMatch(marzban);
      expect(identity.username).toBe(identity.username.toLowerCase()); // Marzneshin lower-cases
      expect(RemoteIdentitySchema.safeParse(identity).success).toBe(true);
    }
  });

  it('gives distinct usernames and credentials across ids', () => {
    const seen = { username: new Set<string>(), uuid: new Set<string>(), subId: new Set<string>() };
    for (let i = 0; i < 5000; i++) {
      const identity = deriveRemoteIdentity(`sub_${i}`, 0, { secret });
      seen.username.add(identity.username);
      seen.uuid.add(identity.uuid);
      seen.subId.add(identity.subId);
    }
    expect([seen.username.size, seen.uuid.size, seen.subId.size]).toEqual([5000, 5000, 5000]);
  });

  it('two shops sharing a panel never collide: the secret changes everything', () => {
    const a = deriveRemoteIdentity('sub_same', 0, { secret });
    const b = deriveRemoteIdentity('sub_same', 0, { secret: `${secret}-other` });
    expect(a.username).not.toBe(b.username);
    expect(a.uuid).not.toBe(b.uuid);
    expect(a.subId).not.toBe(b.subId);
  });

  it('a new generation rotates credentials and keeps the username', () => {
    const g0 = deriveRemoteIdentity('sub_rot', 0, { secret });
    const g1 = deriveRemoteIdentity('sub_rot', 1, { secret });
    expect(g1.username).toBe(g0.username);
    for (const field of ['uuid', 'password', 'subId', 'ssKey'] as const) expect(g1[field]).not.toBe(g0[field]);
    expect(g1.generation).toBe(1);
  });

  it('makes a version-4-shaped uuid and a 32-byte Shadowsocks key', () => {
    const identity = deriveRemoteIdentity('sub_fmt', 0, { secret });
    expect(identity.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Buffer.from(identity.ssKey, 'base64')).toHaveLength(32);
    expect(identity.subId).toMatch(/^[a-z0-9]{16}$/);
  });

  it.each([
    ['a short secret', { secret: 'short' }],
    ['an upper-case prefix', { secret, prefix: 'Shop' }],
    ['a long prefix', { secret, prefix: 'abcdefghijk' }],
  ])('refuses %s', (_name, options) => {
    expect(() => deriveRemoteIdentity('sub_x', 0, options)).toThrow(ConfigurationError);
  });

  it('refuses a negative generation', () => {
    expect(() => deriveRemoteIdentity('sub_x', -1, { secret })).toThrow(ConfigurationError);
  });

  it.each([
    ['uuid', 'not-a-uuid'],
    ['username', 'Has Spaces'],
    ['subId', 'SHORT'],
    ['password', 'short'],
    ['ssKey', 'short'],
  ] as const)('the schema refuses a derived identity whose %s is not of the derived shape, and takes it adopted', (field, value) => {
    const identity = { ...deriveRemoteIdentity('sub_x', 0, { secret }), [field]: value };
    const result = RemoteIdentitySchema.safeParse(identity);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([[field, `not a derived ${field}`]]);
    expect(RemoteIdentitySchema.safeParse({ ...identity, adopted: true }).success).toBe(true);
  });
});
