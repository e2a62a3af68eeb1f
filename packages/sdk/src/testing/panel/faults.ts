import { describe, expect, it } from 'vitest';
import { PanelRateLimitError } from '../../errors.js';
import { GIB, createOne, expectNoSecretsInError, expectPanelError, getExisting, settleUnknownOutcome } from './support.js';
import type { PanelSuiteEnv } from './support.js';

/** More faults than any test makes attempts, so that every attempt meets one. */
const EVERY_ATTEMPT = 25;

function injectMany(env: PanelSuiteEnv, make: () => Parameters<PanelSuiteEnv['controls']['injectFault']>[0]): void {
  for (let i = 0; i < EVERY_ATTEMPT; i++) env.controls.injectFault(make());
}

/**
 * Faults under the engine's contract: an adapter makes one attempt per call and throws a retryable error as it
 * is (the engine retries, backs off and honours `Retry-After`); the next attempt, under the same idempotency
 * key, converges. A call's only timeout is its context's signal.
 */
export function faultsSuite(env: PanelSuiteEnv): void {
  describe('faults', () => {
    it('a 503 on a read is a retryable PanelError after one attempt, and the next attempt reads the client', async () => {
      const created = await createOne(env);
      // One fault only: an adapter that retried by itself would meet the good answer and resolve.
      env.controls.injectFault({ kind: 'status', status: 503 });
      await expectPanelError(env, env.adapter.getClient(created.ref, env.ctx()), 'PanelError', true);
      expect((await getExisting(env, created.ref)).ref.username).toBe(created.ref.username);
    });

    it('a 503 on a write is retryable, and the next attempt writes once', async () => {
      const spec = env.spec();
      env.controls.injectFault({ kind: 'status', status: 503, on: 'write' });
      const [created] = await settleUnknownOutcome(env, (ctx) => env.adapter.createClients(env.target, [spec], ctx));
      expect(created!.ref.username).toBe(spec.identity.username);
      expect(await env.controls.countClients(spec.identity.username)).toBe(1);

      env.controls.injectFault({ kind: 'status', status: 503, on: 'write' });
      await settleUnknownOutcome(env, (ctx) => env.adapter.updateClient(created!.ref, { trafficLimitBytes: 30 * GIB }, ctx));
      expect((await getExisting(env, created!.ref)).trafficLimitBytes).toBe(30 * GIB);
    });

    it('a 503 that never ends is a retryable PanelError on every attempt', async () => {
      const created = await createOne(env);
      injectMany(env, () => ({ kind: 'status', status: 503 }));
      await expectPanelError(env, env.adapter.getClient(created.ref, env.ctx()), 'PanelError', true);
      await expectPanelError(env, env.adapter.getClient(created.ref, { ...env.ctx(), attempt: 2 }), 'PanelError', true);
      env.controls.clearFaults();
      expect((await getExisting(env, created.ref)).ref.username).toBe(created.ref.username);
    });

    it('a 429 is a retryable PanelRateLimitError with its Retry-After, not waited out by the adapter', async () => {
      const created = await createOne(env);
      env.controls.injectFault({ kind: 'rate_limit', retryAfterSeconds: 1 });
      const error = await expectPanelError(env, env.adapter.getClient(created.ref, env.ctx()), 'PanelRateLimitError', true);
      expect(PanelRateLimitError.is(error) && error.retryAfterMs).toBe(1000);
      expect((await getExisting(env, created.ref)).ref.username).toBe(created.ref.username);
    });

    it('a 429 asking for a long wait fails fast with its Retry-After', async () => {
      const created = await createOne(env);
      env.controls.injectFault({ kind: 'rate_limit', retryAfterSeconds: 86_400 });
      const error = await expectPanelError(env, env.adapter.getClient(created.ref, env.ctx()), 'PanelRateLimitError', true);
      expect(PanelRateLimitError.is(error) && error.retryAfterMs).toBe(86_400_000);
    });

    it("a request that hangs ends with the call's signal as a retryable PanelTimeoutError; the next attempt succeeds", async () => {
      const created = await createOne(env);
      env.controls.injectFault({ kind: 'timeout' });
      await expectPanelError(env, env.adapter.getClient(created.ref, env.ctx('short')), 'PanelTimeoutError', true);
      expect((await getExisting(env, created.ref)).ref.username).toBe(created.ref.username);
    });

    it('a write that times out creates at most one client, and a rerun converges to one', async () => {
      const spec = env.spec();
      injectMany(env, () => ({ kind: 'timeout', on: 'write' }));
      await expectPanelError(env, env.adapter.createClients(env.target, [spec], env.ctx('short')), 'PanelTimeoutError', true);
      env.controls.clearFaults();
      expect(await env.controls.countClients(spec.identity.username)).toBeLessThanOrEqual(1);
      await createOne(env, spec);
      expect(await env.controls.countClients(spec.identity.username)).toBe(1);
    });

    it('a malformed body is a PanelResponseError, not retryable, holding no secret', async () => {
      const created = await createOne(env);
      env.controls.injectFault({ kind: 'malformed' });
      await expectPanelError(env, env.adapter.getClient(created.ref, env.ctx()), 'PanelResponseError', false);
      env.controls.injectFault({ kind: 'malformed' });
      await expectPanelError(env, env.adapter.listTargets(env.ctx()), 'PanelResponseError', false);
      expect((await getExisting(env, created.ref)).ref.username).toBe(created.ref.username);
    });

    it('health reports a failing panel instead of throwing, without secrets', async () => {
      injectMany(env, () => ({ kind: 'status', status: 503 }));
      const report = await env.adapter.health(env.ctx());
      env.controls.clearFaults();
      expect(report.ok).toBe(false);
      expect(typeof report.message).toBe('string');
      expectNoSecretsInError(env, report.message);
      expect((await env.adapter.health(env.ctx())).ok).toBe(true);
    });
  });
}
