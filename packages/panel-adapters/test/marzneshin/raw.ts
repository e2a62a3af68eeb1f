/** Raw HTTP against the Marzneshin simulator, as the notes' §10 requests were sent to the running panel. */
import { expect } from 'vitest';
import type { MarzneshinSimulator } from '../../src/simulators/marzneshin/index.js';

export const BASE = 'http://sim.test';

export interface RawAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON (`undefined` when it is not JSON). */
  json: unknown;
}

export type RawCall = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<RawAnswer>;

async function answer(response: Response): Promise<RawAnswer> {
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** An unauthenticated request (the subscription routes, `/openapi.json`). */
export async function publicCall(sim: MarzneshinSimulator, path: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return answer(await sim.handle(new Request(`${BASE}${path}`, { headers })));
}

/** Logs in as `admin`/`password` and gives a caller that sends the bearer token and JSON bodies. */
export async function rawClient(sim: MarzneshinSimulator, password = 'pw', admin = 'admin'): Promise<RawCall> {
  const login = await sim.handle(
    new Request(`${BASE}/api/admins/token`, { method: 'POST', body: new URLSearchParams({ username: admin, password }) }),
  );
  expect(login.status).toBe(200);
  const { access_token: token } = (await login.json()) as { access_token: string };
  return async (method, path, body, headers = {}) =>
    answer(
      await sim.handle(
        new Request(`${BASE}${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        }),
      ),
    );
}
