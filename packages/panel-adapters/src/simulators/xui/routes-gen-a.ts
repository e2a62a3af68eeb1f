/**
 * Gen A routes (v2.x … v3.0.2): clients live inside an inbound's `settings` string and every
 * client write rewrites that whole string. Mirrors `web/controller/inbound.go` and
 * `web/service/inbound.go` of v2.8.x: check order, error texts, the last-client guard, the
 * `getClientTraffics` change of v2.8.3.
 */
import { Router } from '../harness/index.js';
import { goError, MSG, ok, type fail as FailFn } from './envelope.js';
import { inboundJson, trafficJson } from './serialize.js';
import { clientIdOf, key, num, text, type RawClient, type SimInbound } from './state.js';
import type { XuiSimulator } from './simulator.js';

type Fail = typeof FailFn;

/** `c.ShouldBind`: JSON or form into a `model.Inbound` (only `id` and `settings` matter here). */
async function bindInbound(request: Request): Promise<{ id: number; settings: unknown } | { error: string }> {
  const type = request.headers.get('content-type') ?? '';
  if (type.includes('application/json')) {
    try {
      const body = JSON.parse(await request.text()) as Record<string, unknown>;
      if (body.settings !== undefined && typeof body.settings !== 'string') {
        return { error: 'json: cannot unmarshal object into Go struct field Inbound.settings of type string' };
      }
      return { id: num(body.id), settings: body.settings };
    } catch {
      return { error: 'invalid character in JSON body' };
    }
  }
  const form = new URLSearchParams(await request.text());
  return { id: Number(form.get('id') ?? 0), settings: form.get('settings') ?? '' };
}

function clientsFrom(settings: unknown): RawClient[] | undefined {
  if (typeof settings !== 'string') return undefined;
  try {
    const parsed = JSON.parse(settings) as { clients?: unknown };
    return Array.isArray(parsed.clients) ? (parsed.clients as RawClient[]) : [];
  } catch {
    return undefined;
  }
}

export function genARoutes(sim: XuiSimulator, failWith: Fail): Router {
  const router = new Router();
  const fail = (msg: string, error: string) => failWith(sim.traits, msg, error);
  const now = () => sim.clock.now().getTime();
  const inboundOf = (id: number | string): SimInbound | undefined => sim.state.inbounds.get(Number(id));

  router.on('GET', '/panel/api/inbounds/list', () =>
    ok([...sim.state.inbounds.values()].map((ib) => inboundJson(ib, sim.state, false, true))),
  );

  router.on('GET', '/panel/api/inbounds/get/:id', (_r, p) => {
    const inbound = inboundOf(p.id!);
    return inbound ? ok(inboundJson(inbound, sim.state, false, false)) : fail(MSG.obtain, 'record not found');
  });

  router.on('POST', '/panel/api/inbounds/addClient', async (request) => {
    const bound = await bindInbound(request);
    if ('error' in bound) return fail(MSG.wrong, bound.error);
    const added = clientsFrom(bound.settings);
    if (!added) return fail(MSG.wrong, 'unexpected end of JSON input');
    const seen = new Set<string>();
    for (const client of added) {
      const email = text(client.email);
      if (email !== '' && (seen.has(key(email)) || sim.state.clients.has(key(email))))
        return fail(MSG.wrong, goError('Duplicate email:', email));
      seen.add(key(email));
    }
    const inbound = inboundOf(bound.id);
    if (!inbound) return fail(MSG.wrong, 'record not found');
    for (const client of added) if (clientIdOf(inbound.protocol, client) === '') return fail(MSG.wrong, goError('empty client ID'));
    return sim.writeInbound(
      inbound,
      (current) => {
        const stamp = now();
        return [...current, ...added.map((c) => ({ ...c, created_at: stamp, updated_at: stamp }))];
      },
      MSG.added,
    );
  });

  router.on('POST', '/panel/api/inbounds/updateClient/:clientId', async (request, p) => {
    const bound = await bindInbound(request);
    if ('error' in bound) return fail(MSG.wrong, bound.error);
    const posted = clientsFrom(bound.settings)?.[0];
    if (!posted) return fail(MSG.wrong, goError('empty client ID'));
    const inbound = inboundOf(bound.id);
    if (!inbound) return fail(MSG.wrong, 'record not found');
    const current = sim.state.clientsOf(inbound);
    const old = current.find((c) => clientIdOf(inbound.protocol, c) === p.clientId && p.clientId !== '');
    if (!old) return fail(MSG.wrong, goError('empty client ID'));
    const newEmail = text(posted.email);
    if (key(newEmail) !== key(text(old.email)) && sim.state.clients.has(key(newEmail)))
      return fail(MSG.wrong, goError('Duplicate email:', newEmail));
    if (key(newEmail) !== key(text(old.email))) sim.state.renameTraffic(text(old.email), newEmail);
    const response = await sim.writeInbound(
      inbound,
      (list) => {
        const at = list.findIndex((c) => clientIdOf(inbound.protocol, c) === p.clientId);
        if (at < 0) return list;
        const next = [...list];
        next[at] = { ...posted, created_at: list[at]!.created_at, updated_at: now() };
        return next;
      },
      MSG.updated,
    );
    const stored = sim.state.clients.get(key(newEmail));
    if (stored) sim.state.syncTraffic(stored, now());
    return response;
  });

  // v2.8.11 `DelInboundClient`: an id that matches nothing removes nothing and still succeeds;
  // the guard is on the list left behind. `DelInboundClientByEmail` (v2.8.0+) reports a miss.
  router.on('POST', '/panel/api/inbounds/:id/delClient/:clientId', (_r, p) => {
    const inbound = inboundOf(p.id!);
    if (!inbound) return fail(MSG.wrong, 'record not found');
    const remaining = sim.state.clientsOf(inbound).filter((c) => clientIdOf(inbound.protocol, c) !== p.clientId);
    if (sim.traits.lastClientGuard && remaining.length === 0) return fail(MSG.wrong, goError('no client remained in Inbound'));
    return sim.writeInbound(inbound, (list) => list.filter((c) => clientIdOf(inbound.protocol, c) !== p.clientId), MSG.deleted);
  });

  if (sim.traits.delByEmail) {
    router.on('POST', '/panel/api/inbounds/:id/delClientByEmail/:email', (_r, p) => {
      const inbound = inboundOf(p.id!);
      if (!inbound) return fail('Failed to delete client by email', 'record not found');
      const current = sim.state.clientsOf(inbound);
      const remaining = current.filter((c) => text(c.email) !== p.email);
      if (remaining.length === current.length)
        return fail('Failed to delete client by email', goError(`client with email ${p.email!} not found`));
      if (sim.traits.lastClientGuard && remaining.length === 0)
        return fail('Failed to delete client by email', goError('no client remained in Inbound'));
      return sim.writeInbound(inbound, (list) => list.filter((c) => text(c.email) !== p.email), MSG.deleted);
    });
  }

  router.on('GET', '/panel/api/inbounds/getClientTraffics/:email', (_r, p) => {
    const row = sim.state.traffic.get(key(p.email!));
    if (!row)
      return sim.traits.trafficUnknownIsError ? fail(MSG.trafficError, goError('Inbound Not Found For Email:', p.email!)) : ok(null);
    return ok(trafficJson(row, sim.state, false, sim.traits.trafficUnknownIsError));
  });

  router.on('POST', '/panel/api/inbounds/:id/resetClientTraffic/:email', (_r, p) => {
    if (!inboundOf(p.id!)) return fail(MSG.wrong, 'record not found');
    sim.state.resetTraffic(p.email!, now());
    return sim.writeAnswer(ok(null, MSG.reset));
  });

  router.on('POST', '/panel/api/inbounds/onlines', () =>
    ok(sim.state.polled ? [...sim.state.online].map((k) => text(sim.state.clients.get(k)?.email)) : null),
  );

  router.on('POST', '/panel/api/inbounds/lastOnline', () => {
    const out: Record<string, number> = {};
    for (const row of sim.state.traffic.values()) if (row.lastOnline > 0) out[row.email] = row.lastOnline;
    return ok(out);
  });

  return router;
}
