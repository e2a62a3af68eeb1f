import { describe, expect, it } from 'vitest';
import { PanelRateLimitError } from '../../src/index.js';
import { createHarness } from './harness.js';

/**
 * One owner of retries on the panel path: an adapter makes one attempt per call; a job's attempts are the
 * worker's (durable, backed off), the engine's own reads retry under `policy.panelReadRetry`, and a panel
 * that asked for a pause (`Retry-After`) gets no call from the process until it is over.
 */
describe('engine: retries on the panel path', () => {
  it("a job's panel call is one attempt: a 503 fails the attempt, and the job's next attempt provisions", async () => {
    const h = await createHarness({ policy: { jobRetry: { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 1000 } } });
    const customerId = await h.customer(10_000);
    const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id, quantity: 1 }], idempotencyKey: 'buy' });
    const fake = h.panels[0]!.fake;
    fake.controls.injectFault({ kind: 'status', status: 503, on: 'write' });
    const retried: string[] = [];
    h.kit.events.on('job:retried', (e) => void retried.push(e.error.code));
    await h.worker().drain();
    // An adapter that retried by itself would have met the good answer and provisioned in this attempt.
    expect(retried).toEqual(['PANEL_SERVER']);
    expect((await h.storage.subscriptions.get(subscriptions[0]!.id))!.status).toBe('pending');
    h.clock.advance(1000);
    await h.worker().drain();
    expect((await h.storage.subscriptions.get(subscriptions[0]!.id))!.status).toBe('active');
  });

  it("the engine's reads outside jobs retry under panelReadRetry, and give up with the panel's error", async () => {
    const h = await createHarness({ policy: { panelReadRetry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 } } });
    const { panel, fake } = h.panels[0]!;
    const before = fake.calls.listTargets;
    for (let i = 0; i < 2; i++) fake.controls.injectFault({ kind: 'status', status: 503 });
    await h.kit.targets.sync(panel.id);
    expect(fake.calls.listTargets - before).toBe(3);
    for (let i = 0; i < 3; i++) fake.controls.injectFault({ kind: 'status', status: 503 });
    const error = await h.kit.targets.sync(panel.id).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('PANEL_SERVER');
    expect(fake.calls.listTargets - before).toBe(6);
  });

  it('a health check retries a failed report before it counts as a failure', async () => {
    const h = await createHarness({ policy: { panelReadRetry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 } } });
    const { panel, fake } = h.panels[0]!;
    fake.controls.injectFault({ kind: 'status', status: 503 });
    const [checked] = await h.kit.checkPanelHealth(panel.id);
    expect(checked!.health).toMatchObject({ status: 'healthy', consecutiveFailures: 0 });
    for (let i = 0; i < 2; i++) fake.controls.injectFault({ kind: 'status', status: 503 });
    const [failed] = await h.kit.checkPanelHealth(panel.id);
    expect(failed!.health.consecutiveFailures).toBe(1);
  });

  it('a panel that answered Retry-After gets no call from this process until the pause is over', async () => {
    const h = await createHarness({
      policy: { panelReadRetry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 60_000 } },
    });
    const { panel, fake } = h.panels[0]!;
    const before = fake.calls.listTargets;
    const waiting = new AbortController();
    // A 429 asking for an hour: longer than the policy obeys, so the call fails at once; the panel is paused.
    fake.controls.injectFault({ kind: 'rate_limit', retryAfterSeconds: 3600 });
    const limited = await h.kit.targets.sync(panel.id).catch((e: unknown) => e);
    expect(PanelRateLimitError.is(limited)).toBe(true);
    expect(fake.calls.listTargets - before).toBe(1);
    // The next call waits for the pause instead of reaching the panel; given up, it never made a request.
    const next = h.kit.targets.sync(panel.id, { signal: waiting.signal }).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 20));
    waiting.abort(new Error('given up'));
    expect(((await next) as Error).message).toBe('given up');
    expect(fake.calls.listTargets - before).toBe(1);
  });
});
