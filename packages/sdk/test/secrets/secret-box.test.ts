import { describe, expect, it } from 'vitest';
import {
  SecretKeyError,
  createSecretBox,
  formatSecretKeys,
  generateSecretKey,
  openPanelCredentials,
  parseSecretKeys,
  sealPanelCredentials,
} from '../../src/index.js';

const k1 = generateSecretKey('k1');
const k2 = generateSecretKey('k2');

describe('SecretBox', () => {
  it('seals under the first key, names it, and opens again; the same text never seals the same way twice', () => {
    const box = createSecretBox([k1]);
    const a = box.seal('hunter2-admin-password', 'ctx');
    const b = box.seal('hunter2-admin-password', 'ctx');
    expect(a).toMatch(/^pk1\.k1\./);
    expect(a).not.toContain('hunter2');
    expect(a).not.toBe(b);
    expect(box.keyIdOf(a)).toBe('k1');
    expect(box.open(a, 'ctx')).toBe('hunter2-admin-password');
    expect(box.open(b, 'ctx')).toBe('hunter2-admin-password');
  });

  it('gives every seal its own nonce, across the draws of random bytes, and each opens', () => {
    const box = createSecretBox([k1]);
    const sealed = Array.from({ length: 1000 }, (_, i) => box.seal(`value ${i}`, 'ctx'));
    expect(new Set(sealed.map((v) => v.split('.')[2])).size).toBe(1000);
    expect(sealed.map((v) => box.open(v, 'ctx'))).toEqual(sealed.map((_, i) => `value ${i}`));
  });

  it('opens values of an older key it still holds, and seals new ones with the current key', () => {
    const old = createSecretBox([k1]).seal('secret', 'ctx');
    const rotated = createSecretBox([k2, k1]);
    expect(rotated.open(old, 'ctx')).toBe('secret');
    expect(rotated.keyIdOf(rotated.seal('x', 'ctx'))).toBe('k2');
  });

  it('refuses a value whose key is missing, a wrong key under the same id, a changed value and another context', () => {
    const sealed = createSecretBox([k1]).seal('secret', 'panels.credentials:pnl_a');
    expect(() => createSecretBox([k2]).open(sealed, 'panels.credentials:pnl_a')).toThrow(
      /sealed with key k1, which is not among the keys given \(k2\)/,
    );
    const impostor = createSecretBox([{ id: 'k1', key: k2.key }]);
    expect(() => impostor.open(sealed, 'panels.credentials:pnl_a')).toThrow(SecretKeyError);
    expect(() => impostor.open(sealed, 'panels.credentials:pnl_a')).toThrow(/key k1 does not open/);
    const box = createSecretBox([k1]);
    const body = sealed.slice(sealed.lastIndexOf('.') + 1);
    const flipped = `${body[0] === 'A' ? 'B' : 'A'}${body.slice(1)}`;
    expect(() => box.open(sealed.slice(0, sealed.lastIndexOf('.') + 1) + flipped, 'panels.credentials:pnl_a')).toThrow(SecretKeyError);
    expect(() => box.open(sealed, 'panels.credentials:pnl_b')).toThrow(SecretKeyError);
    expect(() => box.open('plain text', 'ctx')).toThrow(/not a sealed value/);
    expect(box.keyIdOf({ type: 'password' })).toBeNull();
  });

  it('refuses malformed keys with errors that never echo key material', () => {
    expect(() => createSecretBox([])).toThrow(SecretKeyError);
    expect(() => createSecretBox([{ id: 'k1', key: new Uint8Array(16) }])).toThrow(/32 bytes/);
    expect(() => createSecretBox([k1, { id: 'k1', key: k2.key }])).toThrow(/given twice/);
    expect(() => createSecretBox([{ id: 'bad id', key: k1.key }])).toThrow(/letters, digits/);
    expect(() => parseSecretKeys('')).toThrow(SecretKeyError);
    expect(() => parseSecretKeys('k1:c2hvcnQ=')).toThrow(/k1 must decode to 32 bytes/);
    expect(() => parseSecretKeys('nocolon')).toThrow(/id:base64key/);
    const parsed = parseSecretKeys(formatSecretKeys([k2, k1]));
    expect(parsed.map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(Buffer.from(parsed[1]!.key).equals(Buffer.from(k1.key))).toBe(true);
  });
});

describe('panel credentials', () => {
  const box = createSecretBox([k1]);
  const credentials = { type: 'password', username: 'admin', password: 'p4ss-w0rd-xyz' } as const;

  it('seal to {sealed} without the password, and open only for the same panel', () => {
    const stored = sealPanelCredentials(box, 'pnl_1', credentials);
    expect(JSON.stringify(stored)).not.toContain('p4ss');
    expect(openPanelCredentials(box, 'pnl_1', stored)).toEqual(credentials);
    expect(() => openPanelCredentials(box, 'pnl_2', stored)).toThrow(SecretKeyError);
  });

  it('open one sealed text once per box, each caller getting its own copy; another panel id still refused', () => {
    const opens: string[] = [];
    const counted = { ...box, open: (sealed: string, context: string) => (opens.push(context), box.open(sealed, context)) };
    const stored = sealPanelCredentials(box, 'pnl_1', credentials);
    const first = openPanelCredentials(counted, 'pnl_1', stored);
    const second = openPanelCredentials(counted, 'pnl_1', stored);
    expect(second).toEqual(credentials);
    expect(second).not.toBe(first);
    (first as { password: string }).password = 'changed';
    expect(openPanelCredentials(counted, 'pnl_1', stored)).toEqual(credentials);
    expect(opens).toEqual(['panels.credentials:pnl_1']);
    expect(() => openPanelCredentials(counted, 'pnl_2', stored)).toThrow(SecretKeyError);
    // Sealed again (a new nonce): a text of its own, opened once more.
    expect(openPanelCredentials(counted, 'pnl_1', sealPanelCredentials(box, 'pnl_1', credentials))).toEqual(credentials);
    expect(opens).toEqual(['panels.credentials:pnl_1', 'panels.credentials:pnl_2', 'panels.credentials:pnl_1']);
  });

  it('never fall back: plain credentials with a box and sealed ones without a box both throw', () => {
    expect(() => openPanelCredentials(box, 'pnl_1', credentials)).toThrow(/plain text/);
    expect(() => openPanelCredentials(undefined, 'pnl_1', sealPanelCredentials(box, 'pnl_1', credentials))).toThrow(/no secret keys/);
    expect(openPanelCredentials(undefined, 'pnl_1', credentials)).toEqual(credentials);
  });
});
