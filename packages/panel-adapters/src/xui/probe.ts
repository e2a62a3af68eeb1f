/**
 * Which 3x-ui API generation a panel speaks.
 *
 * 1. The first request logs in. With a password, the login itself learns whether the panel wants
 *    CSRF: `GET {base}csrf-token` answers a JSON token only on v3.0+. No CSRF means v2.x: Gen A,
 *    decided without another call.
 * 2. Otherwise (v3.x, or a token) ask `GET panel/api/clients/list/paged?page=1&pageSize=1`, a route
 *    that exists only from v3.1. A JSON envelope → Gen B.
 * 3. A 404 there is ambiguous on v3 (no such route, or a token the panel does not accept, both are
 *    404), so the probe does not treat it as "logged out" and asks `GET panel/api/server/status`,
 *    which every v3 has: a JSON answer proves the credentials work, so the 404 meant "no route":
 *    Gen A (v3.0.x). A refused status call fails as `PanelAuthError` through the normal re-login.
 *
 * Nothing here writes, and no answer is read as a generation unless it is a well-formed envelope,
 * so a wrong base path or bad credentials surface as errors, never as a wrong driver.
 */
import type { CallContext } from '@panelkit/sdk/adapter';
import type { XuiApi } from './api.js';
import { EnvelopeSchema, ServerStatusSchema } from './schemas.js';
import { PROBE_OPERATION, type XuiSession } from './session.js';

/** The 3x-ui API generation: `A` (v2.x–v3.0.x, clients inside an inbound's settings) or `B` (v3.1+, a clients API of its own). */
export type XuiGeneration = 'A' | 'B';

export async function detectGeneration(api: XuiApi, session: XuiSession, ctx: CallContext): Promise<XuiGeneration> {
  const response = await api.http.send(
    { operation: PROBE_OPERATION, method: 'GET', path: 'panel/api/clients/list/paged', query: { page: 1, pageSize: 1 } },
    ctx,
  );
  if (session.csrfPanel === false) return 'A';
  if (response.status === 200 && EnvelopeSchema.safeParse(safeParse(response.body)).success) return 'B';
  await api.read({ operation: 'probe-status', method: 'GET', path: 'panel/api/server/status' }, ServerStatusSchema, ctx);
  return 'A';
}

function safeParse(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}
