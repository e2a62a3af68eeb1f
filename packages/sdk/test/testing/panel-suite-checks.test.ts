/**
 * The panel suite's own checks must be able to fail: an adapter that resolves where it should
 * reject, throws the wrong kind, gets `retryable` wrong or leaks a secret anywhere in an error.
 */
import { describe, expect, it } from 'vitest';
import { PanelNotFoundError, PanelServerError } from '../../src/errors.js';
import { credentialPart, linksFingerprint } from '../../src/testing/panel/links.js';
import { expectNoSecretsInError, expectPanelError } from '../../src/testing/panel/support.js';
import type { PanelSuiteEnv } from '../../src/testing/panel/support.js';

const SECRET = 'pa55-w0rd-for-the-panel';
const env = { secrets: () => [SECRET] } as unknown as PanelSuiteEnv;
const context = { panelKind: 'fake', operation: 'getClient' };

describe('the panel suite checks', () => {
  it('expectPanelError passes for the right kind and retryable flag', async () => {
    const error = await expectPanelError(env, Promise.reject(new PanelServerError('boom', context)), 'PanelError', true);
    expect(PanelServerError.is(error)).toBe(true);
  });

  it('expectPanelError fails when the call resolves, the kind is wrong or retryable is wrong', async () => {
    await expect(expectPanelError(env, Promise.resolve(null), 'PanelError', true)).rejects.toThrow(/call resolved/);
    await expect(expectPanelError(env, Promise.reject(new PanelServerError('boom', context)), 'PanelNotFoundError', true)).rejects.toThrow(
      /expected a PanelNotFoundError/,
    );
    await expect(
      expectPanelError(env, Promise.reject(new PanelNotFoundError('gone', context)), 'PanelNotFoundError', true),
    ).rejects.toThrow(/retryable/);
  });

  it('expectPanelError fails on a secret in the message, and does not print the secret', async () => {
    const failure = expectPanelError(env, Promise.reject(new PanelServerError(`login as ${SECRET} failed`, context)), 'PanelError', true);
    await expect(failure).rejects.toThrow(/holds 1 secret/);
    await expect(failure).rejects.not.toThrow(SECRET);
  });

  it('expectNoSecretsInError looks into details and down the cause chain', () => {
    expect(() =>
      expectNoSecretsInError(env, new PanelServerError('boom', context, { details: { body: `{"password":"${SECRET}"}` } })),
    ).toThrow(/holds 1 secret/);
    const cause = new Error(`POST /login password=${SECRET}`);
    expect(() => expectNoSecretsInError(env, new PanelServerError('boom', context, { cause }))).toThrow(/holds 1 secret/);
    expect(() => expectNoSecretsInError(env, new PanelServerError('boom', context))).not.toThrow();
  });

  it('links are compared whole where they are stable, by credential where the panel picks sid/sni/address per read', () => {
    const uuid = '6f1c2e9a-0b3d-4e5f-8a7b-9c0d1e2f3a4b';
    const read1 = [`vless://${uuid}@203.0.113.10:443?security=reality&sni=a.example&sid=#one`];
    const read2 = [`vless://${uuid}@198.51.100.7:443?security=reality&sni=b.example&sid=6ba85179e30d4fc2#two`];
    const rotated = [`vless://0a1b2c3d-0000-4000-8000-000000000000@203.0.113.10:443?security=reality&sni=a.example&sid=#one`];
    expect(linksFingerprint(read2, true)).not.toEqual(linksFingerprint(read1, true));
    expect(linksFingerprint(read2, false)).toEqual(linksFingerprint(read1, false));
    expect(linksFingerprint(rotated, false)).not.toEqual(linksFingerprint(read1, false));
    const vmess = (add: string) => `vmess://${Buffer.from(JSON.stringify({ add, id: uuid, ps: 'x' })).toString('base64')}`;
    expect(credentialPart(vmess('a.example'))).toBe(credentialPart(vmess('b.example')));
    expect(credentialPart('ss://Y2hhY2hhMjA6cHc@h:1#n')).toBe('ss://Y2hhY2hhMjA6cHc');
  });
});
