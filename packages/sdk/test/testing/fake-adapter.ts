import { z } from 'zod';
import {
  PanelAuthError,
  PanelConflictError,
  PanelConnectionError,
  PanelError,
  PanelNotFoundError,
  PanelOutcomeUnknownError,
  PanelRateLimitError,
  PanelResponseError,
  PanelServerError,
  PanelTimeoutError,
} from '../../src/errors.js';
import type { Logger } from '../../src/ports/logger.js';
import type {
  CallContext,
  ClientLinks,
  ClientPatch,
  ClientRef,
  ClientSpec,
  Expiry,
  PanelAdapter,
  PanelCapabilities,
  RemoteClient,
  RemoteTarget,
  TargetRef,
} from '../../src/ports/panel.js';
import { PANEL_ADAPTER_API_VERSION } from '../../src/ports/panel.js';

/** The adapter for `FakePanel`: small, but it does what real adapters must (retries, re-login, adoption, read-back). */
export interface FakeAdapterOptions {
  baseUrl: string;
  username: string;
  password: string;
  fetch: typeof fetch;
  logger: Logger;
  /** Use this API token instead of logging in; it cannot be renewed. */
  staticToken?: string;
  /** Claim fewer capabilities, to exercise the suite's capability branches. */
  capabilities?: Partial<PanelCapabilities>;
}

const RowSchema = z.object({
  target: z.string(),
  username: z.string(),
  uuid: z.string(),
  enabled: z.boolean(),
  expiryTime: z.number().int(),
  total: z.number().int().nonnegative(),
  limitIp: z.number().int().nonnegative(),
  up: z.number().int().nonnegative(),
  down: z.number().int().nonnegative(),
});
type Row = z.infer<typeof RowSchema>;
const TargetsSchema = z.object({
  targets: z.array(z.object({ id: z.string(), name: z.string(), protocol: z.string(), enabled: z.boolean(), clients: z.number().int() })),
});
const ListSchema = z.object({ total: z.number().int(), items: z.array(RowSchema) });
const CreatedSchema = z.object({ items: z.array(RowSchema) });
const TokenSchema = z.object({ token: z.string() });
const StatusSchema = z.object({ version: z.string() });
const DevicesSchema = z.object({
  devices: z.array(
    z.object({
      hwid: z.string(),
      platform: z.string(),
      osVersion: z.string(),
      model: z.string(),
      userAgent: z.string(),
      firstSeen: z.number(),
      lastSeen: z.number(),
    }),
  ),
});

const KIND = 'fake';
const PAGE = 100;

function toExpiryTime(expiry: Expiry): number {
  if (expiry.type === 'never') return 0;
  if (expiry.type === 'at') return expiry.at.getTime();
  return -expiry.durationMs;
}

function fromExpiryTime(ms: number): Expiry {
  if (ms === 0) return { type: 'never' };
  if (ms < 0) return { type: 'after_first_use', durationMs: -ms };
  return { type: 'at', at: new Date(ms) };
}

export function createFakeAdapter(options: FakeAdapterOptions): PanelAdapter {
  let token: string | null = options.staticToken ?? null;
  let login: Promise<string> | null = null;
  const targets = new Map<string, TargetRef>();

  const context = (operation: string, status?: number) => ({ panelKind: KIND, operation, status });

  const logIn = (): Promise<string> => {
    login ??= (async () => {
      const response = await options.fetch(`${options.baseUrl}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: options.username, password: options.password }),
      });
      if (response.status !== 200) throw new PanelAuthError('the panel refused the credentials', context('login', response.status));
      token = TokenSchema.parse(await response.json()).token;
      options.logger.debug({ panelKind: KIND }, 'logged in');
      return token;
    })().finally(() => {
      login = null;
    });
    return login;
  };

  /** One HTTP exchange, with one re-login when the session is gone. `null` for a 404. */
  async function exchange(operation: string, method: string, path: string, body: unknown, ctx: CallContext): Promise<unknown> {
    for (let relogged = false; ; relogged = true) {
      const bearer = token ?? (await logIn());
      let response: Response;
      try {
        response = await options.fetch(`${options.baseUrl}${path}`, {
          method,
          signal: ctx.signal,
          headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      } catch (error) {
        // The call's signal is its one timeout (the engine's); anything else is a dropped connection.
        const reason: unknown = ctx.signal.reason;
        if (ctx.signal.aborted && !(reason instanceof Error && reason.name === 'TimeoutError')) throw reason;
        if (ctx.signal.aborted) throw new PanelTimeoutError(`${operation} timed out`, context(operation));
        throw new PanelConnectionError(`${operation}: ${error instanceof Error ? error.name : 'network error'}`, context(operation));
      }
      if (response.status === 401) {
        if (options.staticToken !== undefined) throw new PanelAuthError('the panel refused the API token', context(operation, 401));
        token = null;
        if (relogged) throw new PanelAuthError('the panel refused a fresh session', context(operation, 401));
        continue;
      }
      if (response.status === 404) return null;
      if (response.status === 409) throw new PanelConflictError(`${operation}: already exists`, context(operation, 409));
      if (response.status === 429) {
        const seconds = Number(response.headers.get('retry-after') ?? '1');
        throw new PanelRateLimitError('rate limited', { ...context(operation, 429), retryAfterMs: seconds * 1000 });
      }
      if (response.status >= 500) {
        if (method !== 'GET')
          throw new PanelOutcomeUnknownError(`${operation}: the panel failed after the request`, context(operation, response.status));
        throw new PanelServerError(`${operation}: the panel failed`, context(operation, response.status));
      }
      const text = await response.text();
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new PanelResponseError(`${operation}: the body is not JSON`, context(operation, response.status));
      }
    }
  }

  function parse<T>(schema: z.ZodType<T>, value: unknown, operation: string): T {
    const result = schema.safeParse(value);
    if (!result.success) {
      const issues = result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.code }));
      throw new PanelResponseError(`${operation}: unexpected response`, context(operation), issues);
    }
    return result.data;
  }

  /** One attempt: the engine retries. */
  const call = <T>(_operation: string, _ctx: CallContext, run: () => Promise<T>): Promise<T> => run();

  const targetRef = (id: string): TargetRef => targets.get(id) ?? { remoteRef: id, protocol: 'unknown', remoteMeta: {} };

  const toClient = (row: Row): RemoteClient => ({
    ref: { target: targetRef(row.target), username: row.username, remoteClientId: row.uuid },
    enabled: row.enabled,
    expiry: fromExpiryTime(row.expiryTime),
    trafficLimitBytes: row.total === 0 ? null : row.total,
    usedBytes: row.up + row.down,
    uploadBytes: row.up,
    downloadBytes: row.down,
    deviceLimit: row.limitIp === 0 ? null : row.limitIp,
    panelStatus: row.enabled ? 'active' : 'disabled',
    lastOnlineAt: null,
  });

  const read = async (username: string, ctx: CallContext): Promise<RemoteClient | null> => {
    const raw = await exchange('getClient', 'GET', `/clients/${encodeURIComponent(username)}`, undefined, ctx);
    return raw === null ? null : toClient(parse(RowSchema, raw, 'getClient'));
  };

  const rowFor = (target: TargetRef, spec: ClientSpec) => ({
    target: target.remoteRef,
    username: spec.identity.username,
    uuid: spec.identity.uuid,
    enabled: spec.enabled,
    expiryTime: toExpiryTime(spec.expiry),
    total: spec.trafficLimitBytes ?? 0,
    limitIp: spec.deviceLimit ?? 0,
    up: 0,
    down: 0,
  });

  const adapter: PanelAdapter = {
    kind: KIND,
    apiVersion: PANEL_ADAPTER_API_VERSION,
    capabilities: {
      batchCreate: true,
      inPlaceUpdate: true,
      bulkUsage: true,
      startOnFirstUse: true,
      enforcesExpiry: false,
      enforcesTrafficLimit: false,
      resetUsage: true,
      deviceLimit: true,
      deviceList: true,
      deviceRemoval: true,
      maxConcurrency: 4,
      stableShareLinks: true,
      ...options.capabilities,
    },

    async health(ctx) {
      const started = performance.now();
      try {
        const status = await call('health', ctx, async () =>
          parse(StatusSchema, await exchange('health', 'GET', '/status', undefined, ctx), 'health'),
        );
        return { ok: true, latencyMs: performance.now() - started, version: status.version, message: null };
      } catch (error) {
        const message = PanelError.is(error) ? error.message : 'unexpected failure';
        return { ok: false, latencyMs: performance.now() - started, version: null, message };
      }
    },

    async listTargets(ctx) {
      const body = await call('listTargets', ctx, async () =>
        parse(TargetsSchema, await exchange('listTargets', 'GET', '/targets', undefined, ctx), 'listTargets'),
      );
      return body.targets.map((t): RemoteTarget => {
        targets.set(t.id, { remoteRef: t.id, protocol: t.protocol, remoteMeta: {} });
        return { remoteRef: t.id, name: t.name, protocol: t.protocol, enabled: t.enabled, clientCount: t.clients, remoteMeta: {} };
      });
    },

    async createClients(target, specs, ctx) {
      targets.set(target.remoteRef, target);
      const usernames = specs.map((spec) => spec.identity.username);
      return call('createClients', ctx, async () => {
        // Adopt what exists (a retried job, a lost response), create the rest in one call.
        const existing = new Map<string, RemoteClient>();
        for (const username of usernames) {
          const client = await read(username, ctx);
          if (client !== null) existing.set(username, client);
        }
        const missing = specs.filter((spec) => !existing.has(spec.identity.username));
        if (missing.length > 0) {
          try {
            const raw = await exchange(
              'createClients',
              'POST',
              '/clients',
              { target: target.remoteRef, clients: missing.map((s) => rowFor(target, s)) },
              ctx,
            );
            for (const row of parse(CreatedSchema, raw, 'createClients').items) existing.set(row.username, toClient(row));
          } catch (error) {
            if (!PanelOutcomeUnknownError.is(error)) throw error;
            for (const spec of missing) {
              const client = await read(spec.identity.username, ctx);
              if (client === null) throw new PanelOutcomeUnknownError('createClients: not created after all', context('createClients'));
              existing.set(spec.identity.username, client);
            }
          }
        }
        return usernames.map((username) => existing.get(username)!);
      });
    },

    getClient(ref, ctx) {
      return call('getClient', ctx, () => read(ref.username, ctx));
    },

    async updateClient(ref: ClientRef, patch: ClientPatch, ctx) {
      const body: Record<string, unknown> = {};
      if (patch.expiry !== undefined) body['expiryTime'] = toExpiryTime(patch.expiry);
      if (patch.trafficLimitBytes !== undefined) body['total'] = patch.trafficLimitBytes ?? 0;
      if (patch.deviceLimit !== undefined) body['limitIp'] = patch.deviceLimit ?? 0;
      if (patch.enabled !== undefined) body['enabled'] = patch.enabled;
      // A PUT is idempotent: an unknown outcome (retryable) is resolved by sending it again.
      return call('updateClient', ctx, async () => {
        const raw = await exchange('updateClient', 'PUT', `/clients/${encodeURIComponent(ref.username)}`, body, ctx);
        if (raw === null) throw new PanelNotFoundError('updateClient: no such client', context('updateClient', 404));
        return toClient(parse(RowSchema, raw, 'updateClient'));
      });
    },

    async resetUsage(ref, ctx) {
      await call('resetUsage', ctx, () => exchange('resetUsage', 'POST', `/clients/${encodeURIComponent(ref.username)}/reset`, {}, ctx));
    },

    async deleteClient(ref, ctx) {
      await call('deleteClient', ctx, async () => {
        try {
          await exchange('deleteClient', 'DELETE', `/clients/${encodeURIComponent(ref.username)}`, undefined, ctx);
        } catch (error) {
          if (!PanelOutcomeUnknownError.is(error)) throw error;
          if ((await read(ref.username, ctx)) !== null) throw error;
        }
      });
    },

    async listDevices(ref, ctx) {
      const path = `/clients/${encodeURIComponent(ref.username)}/devices`;
      const body = await call('listDevices', ctx, () => exchange('listDevices', 'GET', path, undefined, ctx));
      if (body === null) return [];
      return parse(DevicesSchema, body, 'listDevices').devices.map((d) => ({
        hwid: d.hwid,
        platform: d.platform || null,
        osVersion: d.osVersion || null,
        model: d.model || null,
        userAgent: d.userAgent || null,
        firstSeenAt: new Date(d.firstSeen),
        lastSeenAt: new Date(d.lastSeen),
      }));
    },

    async removeDevice(ref, hwid, ctx) {
      const path = `/clients/${encodeURIComponent(ref.username)}/devices/${encodeURIComponent(hwid)}`;
      // A 404 (no such client or device) reads as null: already gone.
      await call('removeDevice', ctx, () => exchange('removeDevice', 'DELETE', path, undefined, ctx));
    },

    async resetDevices(ref, ctx) {
      const path = `/clients/${encodeURIComponent(ref.username)}/devices`;
      await call('resetDevices', ctx, () => exchange('resetDevices', 'DELETE', path, undefined, ctx));
    },

    async listClients(request, ctx) {
      const offset = request.cursor == null ? 0 : Number(request.cursor);
      const limit = Math.min(request.limit ?? PAGE, PAGE);
      const body = await call('listClients', ctx, async () =>
        parse(ListSchema, await exchange('listClients', 'GET', `/clients?offset=${offset}&limit=${limit}`, undefined, ctx), 'listClients'),
      );
      const next = offset + body.items.length;
      return { items: body.items.map(toClient), nextCursor: next < body.total && body.items.length > 0 ? String(next) : null };
    },

    async links(ref, ctx): Promise<ClientLinks> {
      const client = await call('links', ctx, () => read(ref.username, ctx));
      if (client === null) throw new PanelNotFoundError('links: no such client', context('links', 404));
      const row = client.ref;
      const scheme = row.target.protocol === 'trojan' ? 'trojan' : 'vless';
      return {
        subscriptionUrl: `${options.baseUrl}/sub/${encodeURIComponent(ref.username)}`,
        shareLinks: [`${scheme}://${row.remoteClientId}@fake.example:443?security=tls#${encodeURIComponent(ref.username)}`],
      };
    },
  };
  return adapter;
}
