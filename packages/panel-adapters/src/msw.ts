/**
 * msw glue for the simulators, in its own entry so that msw stays an optional peer dependency:
 * `setupServer(mswHandler(origin, simulator.handle))`.
 */
import { http, type HttpHandler } from 'msw';
import type { FetchHandler } from './simulators/harness/types.js';

/** One msw handler sending every request under `origin` to the simulator. */
export function mswHandler(origin: string, handler: FetchHandler): HttpHandler {
  const base = origin.replace(/\/+$/, '');
  return http.all(`${base}/*`, ({ request }) => handler(request));
}
