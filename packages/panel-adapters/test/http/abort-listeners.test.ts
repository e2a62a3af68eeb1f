import type { CallContext } from '@panelkit/sdk/adapter';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PanelHttp } from '../../src/index.js';

const ORIGIN = 'http://listeners.test';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** Collects every process warning emitted while `run` is in progress (and one turn after). */
async function warningsDuring(run: () => Promise<unknown>): Promise<Error[]> {
  const seen: Error[] = [];
  const listener = (warning: Error): void => {
    seen.push(warning);
  };
  process.on('warning', listener);
  try {
    await run();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', listener);
  }
  return seen;
}

describe('PanelHttp queue and the caller signal', () => {
  it('500 queued requests on one call context print no MaxListenersExceededWarning', async () => {
    server.use(http.get(`${ORIGIN}/api/user/:name`, async ({ params }) => HttpResponse.json({ name: params.name })));
    const panel = new PanelHttp({ kind: 'test', baseUrl: ORIGIN, maxConcurrency: 4 });
    const ctx: CallContext = { signal: new AbortController().signal, idempotencyKey: 'many' };
    const warnings = await warningsDuring(() =>
      Promise.all(Array.from({ length: 500 }, (_, i) => panel.send({ operation: 'get', method: 'GET', path: `api/user/u${i}` }, ctx))),
    );
    expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
    expect(panel.pending).toBe(0);
  });

  it('aborting the caller signal still rejects every queued request at once', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    server.use(http.get(`${ORIGIN}/slow/:n`, async () => (await gate, HttpResponse.json({}))));
    const panel = new PanelHttp({ kind: 'test', baseUrl: ORIGIN, maxConcurrency: 1 });
    const controller = new AbortController();
    const ctx: CallContext = { signal: controller.signal, idempotencyKey: 'abort' };
    const calls = Array.from({ length: 50 }, (_, i) => panel.send({ operation: 'slow', method: 'GET', path: `slow/${i}` }, ctx));
    const settled = Promise.allSettled(calls);
    controller.abort(new Error('shutting down'));
    const results = await settled;
    release();
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(panel.pending).toBe(0);
  });
});
