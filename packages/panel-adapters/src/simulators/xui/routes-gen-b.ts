/**
 * Gen B routes (v3.1+): a global client table under `/panel/api/clients/*`, JSON only, emails as
 * identity, inbound JSON fields as objects. Mirrors `internal/web/controller/client.go` and
 * `internal/web/service/client_crud.go` of v3.6.0 for the routes an SDK uses.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Router } from '../harness/index.js';
import { goError, MSG, ok, type fail as FailFn } from './envelope.js';
import { inboundJson, trafficJson } from './serialize.js';
import { key, num, text, type RawClient, type SimInbound } from './state.js';
import type { XuiSimulator } from './simulator.js';
import { panelShareLinks } from './panel-links.js';
import { applyKindUpdate, fillKindDefaults, kindOptionFields, kindRecordFields } from './kind-clients.js';
import { kindShareLinks } from './kind-links.js';
import { publicKeyOf } from './wireguard.js';

type Fail = typeof FailFn;

const SCALARS = ['totalGB', 'expiryTime', 'limitIp', 'tgId', 'reset'] as const;

async function readJson(request: Request): Promise<unknown> {
  try {
    return JSON.parse(await request.text()) as unknown;
  } catch {
    return undefined;
  }
}

function invalidEmail(email: string): boolean {
  return /[/\\\s\p{Cc}]/u.test(email);
}

/** The inbound's server public key, derived from its `secretKey` ('' when it has none or it does not decode). */
function serverPublicKey(inbound: SimInbound): string {
  if (inbound.protocol !== 'wireguard' || text(inbound.settings.secretKey) === '') return '';
  const derived = publicKeyOf(text(inbound.settings.secretKey));
  return 'publicKey' in derived ? derived.publicKey : '';
}

/** The Gen B client routes of `sim` (this file's header), failing with `failWith` as the panel's envelope does. */
export function genBRoutes(sim: XuiSimulator, failWith: Fail): Router {
  const router = new Router();
  const state = sim.state;
  const fail = (msg: string, error: string) => failWith(sim.traits, msg, error);
  const now = () => sim.clock.now().getTime();

  const record = (client: RawClient): Record<string, unknown> => {
    const k = key(text(client.email));
    return {
      id: sim.recordId(k),
      email: text(client.email),
      subId: text(client.subId),
      uuid: text(client.id),
      password: text(client.password),
      auth: '',
      flow: text(client.flow),
      security: text(client.security),
      limitIp: num(client.limitIp),
      limitHwid: 0,
      totalGB: num(client.totalGB),
      expiryTime: num(client.expiryTime),
      enable: client.enable !== false,
      tgId: num(client.tgId),
      group: '',
      comment: text(client.comment),
      reset: num(client.reset),
      resetDay: 0,
      resetMax: 0,
      trafficReset: 'never',
      trafficResetDay: 1,
      createdAt: num(client.created_at),
      updatedAt: num(client.updated_at),
      reverse: null,
      ...kindRecordFields(sim.traits, client),
    };
  };
  const inboundIdsOf = (k: string): number[] => state.attachments.get(k) ?? [];

  /** `fillProtocolDefaults`: the server makes any credential the caller left out; an error text, or null. */
  const fillDefaults = (client: RawClient, inbound: SimInbound): string | null => {
    if ((inbound.protocol === 'vless' || inbound.protocol === 'vmess') && text(client.id) === '') client.id = randomUUID();
    if (inbound.protocol === 'trojan' && text(client.password) === '') client.password = randomBytes(16).toString('hex');
    if (inbound.protocol === 'shadowsocks') {
      const valid = (() => {
        try {
          return Buffer.from(text(client.password), 'base64').length === 32;
        } catch {
          return false;
        }
      })();
      if (!valid) client.password = randomBytes(32).toString('base64');
    }
    return fillKindDefaults(sim.traits, state, inbound, client);
  };

  /** One create, as `clients/add` and each `bulkCreate` entry do it; an error text, or null. */
  const create = (posted: RawClient, inboundIds: number[]): string | null => {
    const email = text(posted.email).trim();
    if (email === '') return goError('client email is required');
    if (invalidEmail(email)) return goError('client email contains an invalid character:', email);
    if (inboundIds.length === 0) return goError('at least one inbound is required');
    const inbounds = inboundIds.map((id) => state.inbounds.get(id));
    if (inbounds.some((ib) => ib === undefined)) return 'record not found';
    const k = key(email);
    const existing = state.clients.get(k);
    const subId = text(posted.subId) === '' ? randomUUID() : text(posted.subId);
    if (existing && (text(existing.subId) === '' || text(existing.subId) !== subId)) return goError('email already in use:', email);
    for (const [other, client] of state.clients)
      if (other !== k && text(client.subId) === subId) return goError('subId already in use:', subId);
    const stamp = now();
    const client: RawClient = existing ?? { ...posted, email, subId, enable: true, created_at: stamp, updated_at: stamp };
    // Inbounds that already hold the client are skipped (#5770); a refused default leaves every inbound as it was.
    const fresh = (inbounds as SimInbound[]).filter((inbound) => !inbound.clientKeys.includes(k));
    for (const inbound of fresh) {
      const error = fillDefaults(client, inbound);
      if (error !== null) return error;
    }
    for (const inbound of fresh) state.attach(inbound, client, stamp);
    return null;
  };

  router.on('GET', '/panel/api/inbounds/list', () => ok([...state.inbounds.values()].map((ib) => inboundJson(ib, state, true, true))));
  router.on('GET', '/panel/api/inbounds/get/:id', (_r, p) => {
    const inbound = state.inbounds.get(Number(p.id));
    return inbound ? ok(inboundJson(inbound, state, true, true)) : fail(MSG.obtain, 'record not found');
  });
  router.on('GET', '/panel/api/inbounds/options', () =>
    ok(
      [...state.inbounds.values()].map((ib) => ({
        enable: ib.enable,
        id: ib.id,
        listen: ib.listen,
        port: ib.port,
        protocol: ib.protocol,
        remark: ib.remark,
        tag: ib.tag,
        ssMethod: ib.protocol === 'shadowsocks' ? text(ib.settings.method) : '',
        tlsFlowCapable:
          ib.protocol === 'vless' && ib.streamSettings.network === 'tcp' && ['tls', 'reality'].includes(text(ib.streamSettings.security)),
        ...kindOptionFields(sim.traits, ib, serverPublicKey(ib)),
      })),
    ),
  );

  router.on('POST', '/panel/api/clients/add', async (request) => {
    const body = (await readJson(request)) as { client?: RawClient; inboundIds?: unknown } | undefined;
    if (!body || typeof body.client !== 'object' || body.client === null) return fail(MSG.wrong, 'invalid request body');
    const ids = Array.isArray(body.inboundIds) ? body.inboundIds.map(Number) : [];
    const error = create({ ...body.client }, ids);
    if (error !== null) return fail(MSG.wrong, error);
    return sim.writeAnswer(ok(null, MSG.added));
  });

  router.on('POST', '/panel/api/clients/bulkCreate', async (request) => {
    const body = await readJson(request);
    if (!Array.isArray(body)) return fail(MSG.wrong, 'json: cannot unmarshal object into Go value of type []service.ClientCreatePayload');
    let created = 0;
    const skipped: { email: string; reason: string }[] = [];
    for (const entry of body as { client?: RawClient; inboundIds?: unknown }[]) {
      const posted = { ...(entry.client ?? {}) };
      const error = create(posted, Array.isArray(entry.inboundIds) ? entry.inboundIds.map(Number) : []);
      if (error === null) created++;
      else skipped.push({ email: text(posted.email) || '(missing email)', reason: error.trim() });
    }
    return sim.writeAnswer(ok({ created, skipped }));
  });

  router.on('POST', '/panel/api/clients/update/:email', async (request, p) => {
    const k = key(p.email!);
    const stored = state.clients.get(k);
    if (!stored) return fail(MSG.wrong, 'record not found');
    const body = (await readJson(request)) as RawClient | undefined;
    if (!body || typeof body !== 'object') return fail(MSG.wrong, 'invalid request body');
    const email = text(body.email) === '' ? text(stored.email) : text(body.email);
    if (key(email) !== k && state.clients.has(key(email))) return fail(MSG.wrong, goError('Duplicate email:', email));
    const next: RawClient = {
      ...stored,
      email,
      enable: body.enable === true,
      comment: text(body.comment),
      flow: text(body.flow),
      updated_at: now(),
    };
    for (const field of SCALARS) next[field] = num(body[field]);
    for (const field of ['id', 'password', 'subId'] as const) if (text(body[field]) !== '') next[field] = body[field];
    const kindError = applyKindUpdate(state, body, next, inboundIdsOf(k));
    if (kindError !== null) return fail(MSG.wrong, kindError);
    if (key(email) !== k) state.renameTraffic(text(stored.email), email);
    for (const id of inboundIdsOf(k)) {
      const inbound = state.inbounds.get(id)!;
      state.replaceClients(
        inbound,
        state.clientsOf(inbound).map((c) => (key(text(c.email)) === k ? next : c)),
        now(),
      );
    }
    state.syncTraffic(next, now());
    return sim.writeAnswer(ok(null, MSG.updated));
  });

  router.on('POST', '/panel/api/clients/del/:email', (request, p) => {
    const k = key(p.email!);
    if (!state.clients.has(k)) return fail(MSG.wrong, 'record not found');
    const keep = new URL(request.url).searchParams.get('keepTraffic') === '1';
    for (const id of [...inboundIdsOf(k)]) state.detach(state.inbounds.get(id)!, p.email!, keep);
    sim.clientIps.forget(p.email!);
    return sim.writeAnswer(ok(null, MSG.deleted));
  });

  router.on('GET', '/panel/api/clients/get/:email', (_r, p) => {
    const k = key(p.email!);
    const client = state.clients.get(k);
    if (!client) return fail(MSG.obtain, 'record not found');
    const row = state.traffic.get(k);
    return ok({ client: record(client), inboundIds: inboundIdsOf(k), externalLinks: [], usedTraffic: row ? row.up + row.down : 0 });
  });

  router.on('GET', '/panel/api/clients/traffic/:email', (_r, p) => {
    const row = state.traffic.get(key(p.email!));
    return ok(row ? trafficJson(row, state, true) : null);
  });

  router.on('POST', '/panel/api/clients/resetTraffic/:email', (_r, p) => {
    // `ResetTrafficByEmail` turns a disabled client back on before zeroing its traffic.
    const client = state.clients.get(key(p.email!));
    if (client && client.enable === false) {
      client.enable = true;
      client.updated_at = now();
    }
    if (!state.resetTraffic(p.email!, now())) return fail(MSG.wrong, 'record not found');
    return sim.writeAnswer(ok(null, MSG.reset));
  });

  const bulkEnable = (enable: boolean) => async (request: Request) => {
    const body = (await readJson(request)) as { emails?: unknown } | undefined;
    const emails = Array.isArray(body?.emails) ? body.emails.map(String) : [];
    let changed = 0;
    const skipped: string[] = [];
    for (const email of emails) {
      const client = state.clients.get(key(email));
      if (!client) {
        skipped.push(email);
        continue;
      }
      client.enable = enable;
      client.updated_at = now();
      state.syncTraffic(client, now());
      changed++;
    }
    return sim.writeAnswer(ok({ changed, skipped }));
  };
  router.on('POST', '/panel/api/clients/bulkEnable', bulkEnable(true));
  router.on('POST', '/panel/api/clients/bulkDisable', bulkEnable(false));

  if (sim.traits.clientIpsApi) {
    // The IP job runs every 10 s on the panel; here it runs just before each read.
    router.on('GET', '/panel/api/server/clientIps', () => {
      sim.clientIps.scan(Math.floor(now() / 1000));
      return ok(sim.clientIps.rows());
    });
  }
  router.on('POST', '/panel/api/clients/onlines', () => ok([...state.online].map((k) => text(state.clients.get(k)?.email))));
  router.on('POST', '/panel/api/clients/lastOnline', () => {
    const out: Record<string, number> = {};
    for (const row of state.traffic.values()) if (row.lastOnline > 0) out[row.email] = row.lastOnline;
    return ok(out);
  });

  router.on('GET', '/panel/api/clients/list', () =>
    ok(
      [...state.clients.entries()].map(([k, client]) => {
        const row = state.traffic.get(k);
        return { ...record(client), inboundIds: inboundIdsOf(k), ...(row ? { traffic: trafficJson(row, state, true) } : {}) };
      }),
    ),
  );

  router.on('GET', '/panel/api/clients/list/paged', (request) => {
    const query = new URL(request.url).searchParams;
    const page = Math.max(1, Number(query.get('page') ?? 1) || 1);
    const pageSize = Math.min(200, Math.max(1, Number(query.get('pageSize') ?? 25) || 25));
    // `inbound` filters on attachment (comma-separated ids, OR); sorts as `applyOrder`: the key, then the record id.
    const inboundFilter = (query.get('inbound') ?? '')
      .split(',')
      .filter((id) => id !== '')
      .map(Number);
    let entries = [...state.clients.entries()];
    if (inboundFilter.length > 0) entries = entries.filter(([k]) => inboundIdsOf(k).some((id) => inboundFilter.includes(id)));
    const descend = query.get('order') === 'descend';
    const sortKey = query.get('sort');
    const byId = ([a]: [string, RawClient], [b]: [string, RawClient]) => sim.recordId(a) - sim.recordId(b);
    if (sortKey === 'email') {
      entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      if (descend) entries.reverse();
    } else if (sortKey === 'createdAt' || sortKey === 'updatedAt') {
      const field = sortKey === 'createdAt' ? 'created_at' : 'updated_at';
      entries.sort((x, y) => (num(x[1][field]) - num(y[1][field]) || byId(x, y)) * (descend ? -1 : 1));
    } else {
      entries.sort(byId);
    }
    const items = entries.slice((page - 1) * pageSize, page * pageSize).map(([k, client]) => {
      const row = state.traffic.get(k);
      return {
        email: text(client.email),
        subId: text(client.subId),
        enable: client.enable !== false,
        totalGB: num(client.totalGB),
        expiryTime: num(client.expiryTime),
        limitIp: num(client.limitIp),
        limitHwid: 0,
        reset: num(client.reset),
        inboundIds: inboundIdsOf(k),
        traffic: { up: row?.up ?? 0, down: row?.down ?? 0, enable: row?.enable ?? true },
        createdAt: num(client.created_at),
        updatedAt: num(client.updated_at),
      };
    });
    const total = state.clients.size;
    return ok({
      items,
      total,
      filtered: entries.length,
      page,
      pageSize,
      summary: { total, active: total, onlineCount: state.online.size, online: [...state.online].slice(0, 200) },
    });
  });

  router.on('GET', '/panel/api/clients/links/:email', (request, p) => {
    const k = key(p.email!);
    const client = state.clients.get(k);
    if (!client) return fail(MSG.obtain, 'record not found');
    const host = new URL(request.url).hostname;
    const links = inboundIdsOf(k).flatMap((id) => {
      const inbound = state.inbounds.get(id)!;
      const linkClient = {
        email: text(client.email),
        id: text(client.id),
        password: text(client.password),
        flow: text(client.flow),
        security: text(client.security),
        subId: text(client.subId),
      };
      return [...panelShareLinks({ inbound, client: linkClient, host, style: 'v3' }), ...kindShareLinks(inbound, client, host)];
    });
    return ok(links);
  });

  return router;
}
