/**
 * `fixedWindowLimit` against `express-rate-limit` (memory store, draft-8 headers, as the shop configured it
 * before): the same requests at the same instants get the same statuses and headers.
 */
import express, { type Express, type RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import supertest from 'supertest';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fixedWindowLimit } from '../src/http/fixed-window-limit.js';

const HEADERS = ['ratelimit', 'ratelimit-policy', 'retry-after'] as const;

/** An app behind `limit`, keyed by the `x-key` header, refusing with 429 and skipping `/skipped` requests. */
function appBehind(limiter: (settings: Settings) => RequestHandler, settings: Settings): Express {
  const app = express();
  app.use(limiter(settings));
  app.get('/{*any}', (_req, res) => void res.send('ok'));
  return app;
}

interface Settings {
  limit: number;
  windowMs: number;
}

const key = (req: express.Request) => String(req.headers['x-key'] ?? 'none');
const skip = async (req: express.Request) => req.path === '/skipped';

const library = (settings: Settings) =>
  rateLimit({
    ...settings,
    skip,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: key,
    handler: (_req, res) => void res.status(429).send('slow down'),
  });
const ours = (settings: Settings) =>
  fixedWindowLimit({ ...settings, skip, key, refuse: (_req, res) => void res.status(429).send('slow down') });

/** Each answer's status and rate-limit headers. */
async function ask(app: Express, path: string, as: string) {
  const res = await supertest(app).get(path).set('x-key', as);
  return { status: res.status, ...Object.fromEntries(HEADERS.map((h) => [h, res.headers[h]])) };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
  vi.setSystemTime(new Date('2026-11-27T05:00:00Z'));
});
afterEach(() => vi.useRealTimers());

describe('fixedWindowLimit', () => {
  for (const settings of [
    { limit: 3, windowMs: 60_000 },
    { limit: 60, windowMs: 10 * 60_000 },
    { limit: 5, windowMs: 60 * 60_000 },
    { limit: 2, windowMs: 30_000 },
  ]) {
    it(`answers as express-rate-limit does (${settings.limit} in ${settings.windowMs} ms)`, async () => {
      const theirs = appBehind(library, settings);
      const mine = appBehind(ours, settings);
      const steps: Array<[number, string, string]> = [];
      // Two keys, past the limit, skipped requests, then across one, two and three windows.
      for (let i = 0; i < settings.limit + 2; i++) steps.push([1_000, '/', 'a']);
      steps.push([0, '/skipped', 'a'], [0, '/', 'b'], [settings.windowMs / 2, '/', 'a'], [settings.windowMs / 2, '/', 'a']);
      steps.push([settings.windowMs + 1, '/', 'b'], [2 * settings.windowMs, '/', 'a'], [3 * settings.windowMs, '/', 'b']);
      for (const [wait, path, as] of steps) {
        await vi.advanceTimersByTimeAsync(wait);
        expect(await ask(mine, path, as)).toEqual(await ask(theirs, path, as));
      }
    });
  }

  it('refuses past the limit with Retry-After, and counts again in the next window', async () => {
    const app = appBehind(ours, { limit: 2, windowMs: 60_000 });
    expect((await ask(app, '/', 'a')).status).toBe(200);
    expect((await ask(app, '/', 'a')).status).toBe(200);
    const refused = await ask(app, '/', 'a');
    expect(refused).toMatchObject({ status: 429, 'retry-after': '60', ratelimit: '"2-in-1min"; r=0; t=60' });
    expect((await ask(app, '/skipped', 'a')).status).toBe(200);
    expect((await ask(app, '/', 'b')).status).toBe(200);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(await ask(app, '/', 'a')).toMatchObject({ status: 200, ratelimit: '"2-in-1min"; r=1; t=60' });
  });
});
