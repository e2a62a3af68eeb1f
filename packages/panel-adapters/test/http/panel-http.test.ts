import {
  PanelAuthError,
  PanelConnectionError,
  PanelRateLimitError,
  PanelResponseError,
  PanelServerError,
  PanelTimeoutError,
} from '@panelkit/sdk';
import type { CallContext } from '@panelkit/sdk/adapter';
import { createRecordingLogger } from '@panelkit/sdk/testing';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { errorForStatus, KeyedMutex, PanelHttp, parseJson, type SessionStrategy } from '../../src/index.js';

const ORIGIN = 'http://panel.test';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const ctx = (): CallContext => ({ signal: new AbortController().signal, idempotencyKey: 'k' });
const noSleep = async () => {};

function cookieSession(logins: { count: number }): SessionStrategy {
  let loggedIn = false;
  return {
    needsLogin: () => !loggedIn,
    async login(raw, c) {
      logins.count++;
      const res = await raw.exchange(
        { operation: 'login', method: 'POST', path: 'login', form: { username: 'admin', password: 'hunter2-secret' } },
        c,
      );
      if (res.status !== 200) throw new PanelAuthError('login refused', { panelKind: 'test', operation: 'login' });
      loggedIn = true;
    },
    authHeaders: () => ({}),
    isAuthLost: (res) => res.status === 404 && res.body === '',
    invalidate: () => {
      loggedIn = false;
    },
  };
}

describe('PanelHttp', () => {
  it('resolves paths under a base path and sends query arrays as repeated keys', async () => {
    let seen = '';
    server.use(http.get(`${ORIGIN}/secret-path/api/users`, ({ request }) => ((seen = request.url), HttpResponse.json({ ok: true }))));
    const panel = new PanelHttp({ kind: 'test', baseUrl: `${ORIGIN}/secret-path`, maxConcurrency: 2 });
    const res = await panel.send(
      { operation: 'list', method: 'GET', path: 'api/users', query: { username: ['a', 'b'], limit: 5, skip: undefined } },
      ctx(),
    );
    expect(res.status).toBe(200);
    expect(seen).toBe(`${ORIGIN}/secret-path/api/users?username=a&username=b&limit=5`);
  });

  it('logs the request path, or its logPath when the path holds a credential', async () => {
    server.use(http.get(`${ORIGIN}/sub/alice/:key/links`, () => HttpResponse.text('vless://x')));
    const logger = createRecordingLogger();
    const panel = new PanelHttp({ kind: 'test', baseUrl: ORIGIN, maxConcurrency: 1, logger });
    await panel.send({ operation: 'links', method: 'GET', path: 'sub/alice/0f3c9d2e7b/links' }, ctx());
    await panel.send({ operation: 'links', method: 'GET', path: 'sub/alice/0f3c9d2e7b/links', logPath: 'sub/alice/[key]/links' }, ctx());
    const lines = logger.texts();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('sub/alice/0f3c9d2e7b/links');
    expect(lines[1]).toContain('sub/alice/[key]/links');
    expect(lines[1]).not.toContain('0f3c9d2e7b');
  });

  it('keeps session cookies, logs in once for concurrent calls, and re-logs in once when the session is lost', async () => {
    let valid = 'none';
    let issued = 0;
    server.use(
      http.post(`${ORIGIN}/login`, async ({ request }) => {
        const form = await request.formData();
        expect(form.get('username')).toBe('admin');
        valid = `s${++issued}`;
        return new HttpResponse(null, { status: 200, headers: { 'set-cookie': `sess=${valid}; Path=/; HttpOnly` } });
      }),
      http.get(`${ORIGIN}/data`, ({ request }) => {
        const cookie = request.headers.get('cookie') ?? '';
        expect(cookie).toContain('lang=en-US');
        return cookie.includes(`sess=${valid}`) ? HttpResponse.json({ n: 1 }) : new HttpResponse(null, { status: 404 });
      }),
    );
    const logins = { count: 0 };
    const panel = new PanelHttp(
      { kind: 'test', baseUrl: ORIGIN, maxConcurrency: 4, cookies: true, initialCookies: ['lang=en-US; Path=/'] },
      cookieSession(logins),
    );
    const results = await Promise.all([1, 2, 3].map(() => panel.send({ operation: 'get', method: 'GET', path: 'data' }, ctx())));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(logins.count).toBe(1);
    valid = 'expired-on-the-panel';
    const again = await panel.send({ operation: 'get', method: 'GET', path: 'data' }, ctx());
    expect(again.status).toBe(200);
    expect(logins.count).toBe(2);
  });

  it('gives up with PanelAuthError when a fresh login does not help, without looping', async () => {
    server.use(
      http.post(`${ORIGIN}/login`, () => new HttpResponse(null, { status: 200 })),
      http.get(`${ORIGIN}/data`, () => new HttpResponse(null, { status: 404 })),
    );
    const logins = { count: 0 };
    const panel = new PanelHttp({ kind: 'test', baseUrl: ORIGIN, maxConcurrency: 1, cookies: true }, cookieSession(logins));
    const error = await panel.send({ operation: 'get', method: 'GET', path: 'data' }, ctx()).catch((e: unknown) => e);
    expect(PanelAuthError.is(error)).toBe(true);
    expect(logins.count).toBe(2);
    expect(JSON.stringify(error)).not.toContain('hunter2-secret');
  });

  it("maps the caller's timeout signal to PanelTimeoutError and a refused connection to PanelConnectionError", async () => {
    server.use(http.get(`${ORIGIN}/slow`, async () => (await new Promise((r) => setTimeout(r, 300)), HttpResponse.json({}))));
    // The adapter's own `timeoutMs` is ignored: the caller's signal is the one timeout.
    const panel = new PanelHttp({ kind: 'test', baseUrl: ORIGIN, timeoutMs: 1 });
    const timed: CallContext = { signal: AbortSignal.timeout(50), idempotencyKey: 'slow' };
    const timeout = await panel.send({ operation: 'slow', method: 'GET', path: 'slow' }, timed).catch((e: unknown) => e);
    expect(PanelTimeoutError.is(timeout)).toBe(true);
    expect((timeout as PanelTimeoutError).retryable).toBe(true);
    expect(await panel.send({ operation: 'slow', method: 'GET', path: 'slow' }, ctx()).then((r) => r.status)).toBe(200);

    server.use(http.get(`${ORIGIN}/down`, () => HttpResponse.error()));
    const down = await panel.send({ operation: 'down', method: 'GET', path: 'down' }, ctx()).catch((e: unknown) => e);
    expect(PanelConnectionError.is(down)).toBe(true);
    expect(PanelTimeoutError.is(down)).toBe(false);
  });

  it("keeps the engine's abort reason (its PanelTimeoutError, a shutdown) as it is", async () => {
    server.use(http.get(`${ORIGIN}/slow`, async () => (await new Promise((r) => setTimeout(r, 300)), HttpResponse.json({}))));
    const panel = new PanelHttp({ kind: 'test', baseUrl: ORIGIN });
    const controller = new AbortController();
    const reason = new PanelTimeoutError("the engine's timeout", { panelKind: 'test' });
    setTimeout(() => controller.abort(reason), 20);
    const error = await panel
      .send({ operation: 'slow', method: 'GET', path: 'slow' }, { signal: controller.signal, idempotencyKey: 'k' })
      .catch((e: unknown) => e);
    expect(error).toBe(reason);
  });

  it('sends the requests of one call one at a time, and separate calls side by side', async () => {
    let inFlight = 0;
    let peak = 0;
    server.use(
      http.get(`${ORIGIN}/work`, async () => {
        peak = Math.max(peak, ++inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        return HttpResponse.json({});
      }),
    );
    const panel = new PanelHttp({ kind: 'test', baseUrl: ORIGIN });
    const one = ctx();
    await Promise.all(Array.from({ length: 12 }, () => panel.send({ operation: 'work', method: 'GET', path: 'work' }, one)));
    expect(peak).toBe(1);
    peak = 0;
    const calls = [ctx(), ctx(), ctx()];
    await Promise.all(Array.from({ length: 12 }, (_, i) => panel.send({ operation: 'work', method: 'GET', path: 'work' }, calls[i % 3]!)));
    expect(peak).toBe(3);
    expect(panel.pending).toBe(0);
  });

  it('makes one attempt of an operation: a transient error or a Retry-After is thrown for the engine to act on', async () => {
    let calls = 0;
    server.use(
      http.get(`${ORIGIN}/flaky`, () => {
        calls++;
        if (calls === 1) return new HttpResponse('busy', { status: 503 });
        if (calls === 2) return new HttpResponse('slow down', { status: 429, headers: { 'retry-after': '2' } });
        return HttpResponse.json({ ok: true });
      }),
    );
    const panel = new PanelHttp({
      kind: 'test',
      baseUrl: ORIGIN,
      retry: { maxAttempts: 9, baseDelayMs: 0, maxDelayMs: 0, maxRetryAfterMs: 9_000 },
    });
    const attempts: (number | undefined)[] = [];
    const run = (c: CallContext) =>
      panel.attempt(c, async (a) => {
        attempts.push(a.attempt);
        const res = await panel.send({ operation: 'flaky', method: 'GET', path: 'flaky' }, a);
        if (res.status !== 200) throw errorForStatus(res, panel.context('flaky', { attempt: a.attempt ?? 1 }));
        return parseJson(res, z.object({ ok: z.boolean() }), panel.context('flaky'));
      });
    const busy = await run(ctx()).catch((e: unknown) => e);
    expect(PanelServerError.is(busy) && busy.retryable).toBe(true);
    const limited = await run({ ...ctx(), attempt: 2 }).catch((e: unknown) => e);
    expect(PanelRateLimitError.is(limited) && limited.retryAfterMs).toBe(2000);
    expect(await run({ ...ctx(), attempt: 3 })).toEqual({ ok: true });
    expect(calls).toBe(3);
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('does not retry a malformed body', async () => {
    let calls = 0;
    server.use(
      http.get(`${ORIGIN}/junk`, () => (calls++, new HttpResponse('<html>login</html>', { headers: { 'content-type': 'text/html' } }))),
    );
    const panel = new PanelHttp({ kind: 'test', baseUrl: ORIGIN, maxConcurrency: 1, sleep: noSleep });
    const error = await panel
      .attempt(ctx(), async (c) =>
        parseJson(await panel.send({ operation: 'junk', method: 'GET', path: 'junk' }, c), z.object({}), panel.context('junk')),
      )
      .catch((e: unknown) => e);
    expect(PanelResponseError.is(error)).toBe(true);
    expect((error as Error).message).toContain('HTML');
    expect(calls).toBe(1);
  });
});

describe('parseJson', () => {
  it('reports paths and expectations, never the values', () => {
    const res = { status: 200, headers: new Headers(), body: JSON.stringify({ token: 'tok-very-secret', n: 'x' }) };
    const error = (() => {
      try {
        parseJson(res, z.object({ token: z.number(), n: z.number() }), { panelKind: 'test' });
      } catch (e) {
        return e;
      }
    })();
    expect(PanelResponseError.is(error)).toBe(true);
    const text = JSON.stringify(error);
    expect(text).toContain('token');
    expect(text).not.toContain('tok-very-secret');
  });
});

describe('errorForStatus', () => {
  const res = (status: number, headers: Record<string, string> = {}) => ({ status, headers: new Headers(headers), body: '' });
  it('maps statuses with retryable set right', () => {
    const c = { panelKind: 'test' };
    expect(errorForStatus(res(503), c)).toBeInstanceOf(PanelServerError);
    expect(errorForStatus(res(503), c).retryable).toBe(true);
    expect(errorForStatus(res(401), c).retryable).toBe(false);
    expect(errorForStatus(res(422), c).code).toBe('PANEL_REJECTED');
    expect(errorForStatus(res(409), c).code).toBe('PANEL_CONFLICT');
    const limited = errorForStatus(res(429, { 'retry-after': '7' }), c);
    expect(PanelRateLimitError.is(limited) && limited.retryAfterMs).toBe(7000);
  });
});

describe('KeyedMutex', () => {
  it('serialises per key and runs keys in parallel', async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const step = (key: string, id: string, ms: number) =>
      mutex.run(key, async () => {
        log.push(`start ${id}`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`end ${id}`);
      });
    await Promise.all([step('a', 'a1', 10), step('a', 'a2', 1), step('b', 'b1', 1)]);
    expect(log.indexOf('end a1')).toBeLessThan(log.indexOf('start a2'));
    expect(log.indexOf('start b1')).toBeLessThan(log.indexOf('end a1'));
    expect(mutex.size).toBe(0);
  });

  it('keeps going after a failed task', async () => {
    const mutex = new KeyedMutex();
    await expect(mutex.run('k', async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    await expect(mutex.run('k', async () => 1)).resolves.toBe(1);
  });
});
