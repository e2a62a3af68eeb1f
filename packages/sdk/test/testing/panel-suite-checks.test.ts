/**
 * The panel suite's own checks must be able to fail: an adapter that resolves where it should
 * reject, throws the wrong kind, gets `retryable` wrong or leaks a secret anywhere in an error.
 */
import { describe, expect, it } from 'vitest';
import { PanelNotFoundError, PanelServerError } from '../../src/errors.js';
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
    await expect(expectPanelError(env, Promise.reject(new PanelNotFoundError('gone', context)), 'PanelNotFoundError', true)).rejects.toThrow(/retryable/);
  });

  it('expectPanelError fails on a secret in the message, and does not print the secret', async () => {
    const failure = expectPanelError(env, Promise.reject(new PanelServerError(`login as ${SECRET} failed`, context)), 'PanelError', true);
    await expect(failure).rejects.toThrow(/holds 1 secret/);
    await expect(failure).rejects.not.toThrow(SECRET);
  });

  it('expectNoSecretsInError looks into details and down the cause chain', () => {
    expect(() => expectNoSecretsInError(env, new PanelServerError('boom', context, { details: { body: `{"password":"${SECRET}"}` } }))).toThrow(/holds 1 secret/);
    const cause = new Error(`POST /login password=${SECRET}`);
    expect(() => expectNoSecretsInError(env, new PanelServerError('boom', context, { cause }))).toThrow(/holds 1 secret/);
    expect(() => expectNoSecretsInError(env, new PanelServerError('boom', context))).not.toThrow();
  });
});
