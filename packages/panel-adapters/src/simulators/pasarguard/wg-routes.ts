/**
 * The simulated PasarGuard's core and pool routes (`app/routers/core.py`, `app/routers/system.py`): `POST /api/core`
 * for a `wg` core (201, or 400 with the panel's message; a reconcile of every user's addresses after it),
 * `GET /api/cores` (the Xray core, id 1, then the `wg` cores) and `GET /api/wireguard/subnets`.
 */
import type { Router } from '../harness/index.js';
import type { SimInbound, SimUser } from './state.js';
import { wireGuardCoreBody } from './wg-cores.js';
import { WireGuardRefusal, type WireGuardSimState } from './wg-state.js';
import { isoZ } from './wire.js';

/** What the routes need from the simulator. */
export interface WireGuardRouteContext {
  state: WireGuardSimState;
  inbounds: readonly SimInbound[];
  users(): SimUser[];
  tagsOf(user: SimUser): ReadonlySet<string>;
  now(): number;
  /** When the Xray core was made (the panel's first core). */
  startedAt: number;
  authed(request: Request, handler: () => Response | Promise<Response>): Promise<Response>;
  body(request: Request): Promise<Record<string, unknown> | Response>;
  json(body: unknown, status?: number): Response;
}

/** Adds the routes to `router`. */
export function wireGuardRoutes(router: Router<undefined>, context: WireGuardRouteContext): void {
  const { json } = context;
  router.on('POST', '/api/core', (request) =>
    context.authed(request, async () => {
      const body = await context.body(request);
      if (body instanceof Response) return body;
      const config = body.config;
      if (config === undefined) return json({ detail: { config: 'Field required' } }, 422);
      if (typeof config !== 'object' || config === null || Array.isArray(config) || Object.keys(config).length === 0)
        return json({ detail: { config: 'Value error, config dictionary cannot be empty' } }, 422);
      if (body.type !== 'wg') return json({ detail: 'the simulator creates wg cores only' }, 400);
      try {
        const core = context.state.addCore(
          { name: body.name as string | undefined, config: config as Record<string, unknown> },
          context.now(),
        );
        context.state.reconcile(context.users(), (user) => context.tagsOf(user));
        return json(wireGuardCoreBody(core, isoZ(core.createdAt)), 201);
      } catch (error) {
        if (error instanceof WireGuardRefusal) return json({ detail: error.message }, 400);
        throw error;
      }
    }),
  );
  router.on('GET', '/api/cores', (request) =>
    context.authed(request, () => {
      const xray = {
        name: 'Xray',
        config: { inbounds: context.inbounds.map((inbound) => ({ tag: inbound.tag, protocol: inbound.protocol, port: inbound.port })) },
        type: 'xray',
        exclude_inbound_tags: [],
        fallbacks_inbound_tags: [],
        id: 1,
        created_at: isoZ(context.startedAt),
      };
      const cores = [xray, ...context.state.cores.map((core) => wireGuardCoreBody(core, isoZ(core.createdAt)))];
      return json({ count: cores.length, cores });
    }),
  );
  router.on('GET', '/api/wireguard/subnets', (request) => context.authed(request, () => json(context.state.usage(context.users()))));
}
