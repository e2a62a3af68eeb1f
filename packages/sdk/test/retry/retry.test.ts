import { describe, expect, it } from 'vitest';
import { PanelAuthError, PanelRateLimitError, PanelServerError } from '../../src/index.js';
import { backoffDelay, DEFAULT_RETRY_POLICY, shouldRetry, withRetry } from '../../src/adapter.js';

const ctx = { panelKind: 'test' };
const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 5_000 };

describe('backoffDelay', () => {
  it('doubles the ceiling per attempt and caps it', () => {
    const top = () => 0.999999;
    expect(backoffDelay(1, policy, undefined, top)).toBe(100);
    expect(backoffDelay(2, policy, undefined, top)).toBe(200);
    expect(backoffDelay(3, policy, undefined, top)).toBe(400);
    expect(backoffDelay(5, policy, undefined, top)).toBe(1_000);
    expect(backoffDelay(60, policy, undefined, top)).toBe(1_000);
  });

  it('jitters from zero', () => {
    expect(backoffDelay(3, policy, undefined, () => 0)).toBe(0);
  });

  it('never waits less than Retry-After', () => {
    const limited = new PanelRateLimitError('slow down', { ...ctx, retryAfterMs: 3_000 });
    expect(backoffDelay(1, policy, limited, () => 0)).toBe(3_000);
  });
});

describe('shouldRetry', () => {
  it('retries retryable errors until attempts run out', () => {
    const error = new PanelServerError('boom', ctx);
    expect(shouldRetry(error, 1, policy)).toBe(true);
    expect(shouldRetry(error, 4, policy)).toBe(false);
  });

  it('does not retry permanent errors, foreign errors or overlong Retry-After', () => {
    expect(shouldRetry(new PanelAuthError('no', ctx), 1, policy)).toBe(false);
    expect(shouldRetry(new Error('x'), 1, policy)).toBe(false);
    expect(shouldRetry(new PanelRateLimitError('wait', { ...ctx, retryAfterMs: 60_000 }), 1, policy)).toBe(false);
  });
});

describe('withRetry', () => {
  it('retries through transient failures with the computed delays', async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw new PanelServerError('503', ctx);
        return 'ok';
      },
      { policy, random: () => 0.5, sleep: async (ms) => void waits.push(ms) },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(waits).toEqual([50, 100]);
  });

  it('gives up on the last attempt and rethrows the error', async () => {
    let calls = 0;
    const failing = withRetry(
      async () => {
        calls++;
        throw new PanelServerError('503', ctx);
      },
      { policy: DEFAULT_RETRY_POLICY, sleep: async () => {} },
    );
    await expect(failing).rejects.toBeInstanceOf(PanelServerError);
    expect(calls).toBe(DEFAULT_RETRY_POLICY.maxAttempts);
  });

  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    let calls = 0;
    const failing = withRetry(
      async () => {
        calls++;
        controller.abort();
        throw new PanelServerError('503', ctx);
      },
      { policy, signal: controller.signal, sleep: async () => {} },
    );
    await expect(failing).rejects.toBeInstanceOf(PanelServerError);
    expect(calls).toBe(1);
  });
});
