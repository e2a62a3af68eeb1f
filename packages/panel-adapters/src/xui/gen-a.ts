/**
 * Gen A driver (3x-ui v2.x … v3.0.2): clients live inside an inbound's `settings` and every write
 * rewrites them whole, so writes to one inbound are serialised. Several clients are added in one
 * `addClient`; updates replace the stored object in place (`updateClient/:clientId` with the full
 * object); usage for every client comes from one `inbounds/list` (its `clientStats`).
 *
 * An empty 200 body on a write is an unknown outcome: the driver reads the inbound back and either
 * confirms the write or throws `PanelOutcomeUnknownError` (retryable; every write is idempotent).
 *
 * The last client of an inbound cannot be deleted on v2.1 – v3.0.2 (`no client remained`): the
 * driver then adds a disabled placeholder client (`panelkit_keep_<inboundId>`, random
 * credentials) and deletes again, so the customer's credentials really are gone.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { PanelNotFoundError, PanelOutcomeUnknownError } from '@panelkit/sdk';
import type {
  CallContext,
  ClientLinks,
  ClientListPage,
  ClientPatch,
  ClientRef,
  ClientSpec,
  CreatedClient,
  RemoteClient,
  RemoteTarget,
  TargetRef,
} from '@panelkit/sdk/adapter';
import { z } from 'zod';
import { failureOf, type XuiApi } from './api.js';
import { inboundIdOf, subscriptionUrl, type DriverDeps, type XuiDriver } from './driver.js';
import { buildShareLinks } from './links/share-links.js';
import { pageOf, parseCursor, SnapshotCache } from './listing.js';
import { SharedReads } from './shared-reads.js';
import { applyPatch, clientFromSpec, clientKeyOf, patchApplied, toRemoteClient } from './mapping.js';
import {
  ClientTrafficSchema,
  InboundListSchema,
  InboundSchema,
  ServerStatusSchema,
  type ClientTraffic,
  type Inbound,
  type XuiClient,
} from './schemas.js';

const API = 'panel/api/inbounds';
const NullableTraffic = ClientTrafficSchema.nullable();

/** The email of the disabled client that keeps an inbound from being empty (see the module's comment). */
const PLACEHOLDER_PREFIX = 'panelkit_keep_';

/**
 * How long a read of an inbound stands, for the creates after it, for what new clients take from the inbound: their
 * shape (protocol, Shadowsocks method, Vision) and their share links (stream settings, port, remark). An admin's edit
 * of the inbound reaches new clients' links within this time; the clients already on it are never taken from the
 * copy. During a sale it saves every batch a read: one request, not two, a batch (bench/rush).
 */
export const RECENT_INBOUND_MS = 60_000;

/** The target an inbound is: its id as the remote reference, with its port, tag and remark. */
function targetOf(inbound: Inbound): TargetRef {
  return {
    remoteRef: String(inbound.id),
    protocol: inbound.protocol,
    remoteMeta: { inboundId: inbound.id, port: inbound.port, tag: inbound.tag, remark: inbound.remark },
  };
}

function clientsOf(inbound: Inbound): XuiClient[] {
  return inbound.settings.clients ?? [];
}

function findClient(inbound: Inbound, email: string): XuiClient | undefined {
  const wanted = email.toLowerCase();
  return clientsOf(inbound).find((c) => c.email.toLowerCase() === wanted);
}

function visionCapable(inbound: Inbound): boolean {
  const stream = inbound.streamSettings ?? {};
  return stream.network === 'tcp' && (stream.security === 'tls' || stream.security === 'reality');
}

export class GenADriver implements XuiDriver {
  readonly generation = 'A' as const;
  version: string | null = null;
  readonly #api: XuiApi;
  readonly #snapshots: SnapshotCache;
  /** Reads of an inbound for `links`, shared while in flight. */
  readonly #linkReads = new SharedReads<Inbound | null>();
  /** Each inbound as this driver last read it, and when the read was sent: what creates take its protocol and links from. */
  readonly #recent = new Map<number, { inbound: Inbound; readAt: number }>();

  constructor(private readonly deps: DriverDeps) {
    this.#api = deps.api;
    this.#snapshots = new SnapshotCache(deps.clock);
  }

  async health(ctx: CallContext): Promise<{ xrayState: string | null; version: string | null }> {
    let status;
    try {
      status = await this.#api.read({ operation: 'health', method: 'GET', path: 'panel/api/server/status' }, ServerStatusSchema, ctx);
    } catch (error) {
      // Before v2.7 the status route was `POST {base}server/status`.
      if ((error as { status?: number }).status !== 404) throw error;
      // A read the panel serves on POST: re-sending it changes nothing.
      status = await this.#api.read(
        { operation: 'health', method: 'POST', path: 'server/status', idempotent: true },
        ServerStatusSchema,
        ctx,
      );
    }
    this.version = status.panelVersion ?? null;
    return { xrayState: status.xray?.state ?? null, version: this.version };
  }

  async listTargets(ctx: CallContext): Promise<RemoteTarget[]> {
    const inbounds = await this.#list('listTargets', ctx);
    return inbounds.map((ib) => ({
      remoteRef: String(ib.id),
      name: ib.remark,
      protocol: ib.protocol,
      enabled: ib.enable,
      clientCount: clientsOf(ib).filter((c) => !c.email.startsWith(PLACEHOLDER_PREFIX)).length,
      remoteMeta: targetOf(ib).remoteMeta,
    }));
  }

  #list(operation: string, ctx: CallContext): Promise<Inbound[]> {
    return this.#api.read({ operation, method: 'GET', path: `${API}/list` }, InboundListSchema, ctx);
  }

  /** The inbound as the panel has it now; kept for the next creates on it (`#recentInbound`). */
  async #inbound(id: number, operation: string, ctx: CallContext): Promise<Inbound> {
    if (!Number.isSafeInteger(id)) throw new PanelNotFoundError('the target is not a 3x-ui inbound id', this.#api.context(operation));
    const readAt = this.deps.clock.now().getTime();
    const inbound = await this.#api.read({ operation, method: 'GET', path: `${API}/get/${id}` }, InboundSchema, ctx);
    this.#recent.set(id, { inbound, readAt });
    return inbound;
  }

  /** The inbound, or null when the panel says it does not exist. */
  async #inboundOrNull(id: number, operation: string, ctx: CallContext): Promise<Inbound | null> {
    try {
      return await this.#inbound(id, operation, ctx);
    } catch (error) {
      if (failureOf(error) === 'not_found') return null;
      throw error;
    }
  }

  async #traffic(email: string, operation: string, ctx: CallContext): Promise<ClientTraffic | null> {
    try {
      return await this.#api.read(
        { operation, method: 'GET', path: `${API}/getClientTraffics/${encodeURIComponent(email)}` },
        NullableTraffic,
        ctx,
      );
    } catch (error) {
      if (failureOf(error) === 'not_found') return null;
      throw error;
    }
  }

  #lock<T>(inboundId: number, task: () => Promise<T>): Promise<T> {
    return this.deps.writes.run(`inbound:${inboundId}`, async () => {
      this.#linkReads.forget(inboundId);
      try {
        return await task();
      } finally {
        this.#linkReads.forget(inboundId);
      }
    });
  }

  #unknown(operation: string, cause?: unknown): PanelOutcomeUnknownError {
    return new PanelOutcomeUnknownError(
      '3x-ui did not confirm the write when it was read back (an empty answer, or a lost update)',
      this.#api.context(operation),
      cause === undefined ? {} : { cause },
    );
  }

  /**
   * One `addClient` for the clients not on the inbound yet, and no read after: a `success:true` envelope is written
   * only once the panel's transaction has saved the clients, so the created clients are the inbound's plus the ones
   * sent. What the clients' shape and links need of the inbound (its protocol, stream settings, port, remark) comes
   * from a read before the write, or from this driver's read of it within {@link RECENT_INBOUND_MS} on a panel that
   * refuses an email it holds (`#write`). Only an empty 200 body (the outcome unknown) is resolved by reading back.
   * Each client comes with its links where they are a pure function of the inbound (share links built as the panel
   * builds them; the subscription base is read once and cached): not when `links.showInfo` puts the client's traffic
   * in the remark, which takes a call per client.
   */
  createClients(target: TargetRef, specs: readonly ClientSpec[], ctx: CallContext): Promise<CreatedClient[]> {
    const id = inboundIdOf(target);
    return this.#lock(id, async () => {
      const op = 'createClients';
      const { after, added } = await this.#write(id, specs, ctx);
      const now = this.deps.clock.now();
      const ref = targetOf(after);
      return Promise.all(
        specs.map(async (spec) => {
          const client = findClient(after, spec.identity.username)!;
          const usage = added.has(spec) ? null : await this.#traffic(client.email, op, ctx);
          const remote = toRemoteClient(ref, client, usage ?? { up: 0, down: 0, enable: client.enable, lastOnline: 0 }, now);
          if (this.deps.links.showInfo) return remote;
          const links = {
            subscriptionUrl: await subscriptionUrl(this.deps, client.subId, ctx),
            shareLinks: this.#shareLinks(after, client, null),
          };
          return { ...remote, links };
        }),
      );
    });
  }

  /**
   * Puts `specs` on the inbound: the inbound as it is after, and the specs this call added (the others were there
   * already and are adopted). With a recent read of the inbound and a panel that refuses an email it holds, every
   * spec is sent with no read first; otherwise the inbound is read first and only the missing clients are sent (3x-ui
   * has no per-client read before v3.1). A `Duplicate email` (a retried batch sent without a read, or clients another
   * worker or replica added since the read) is resolved by a read: those on this inbound are adopted and the rest
   * added; when none of them is on it, the email is another inbound's and the refusal stands.
   */
  async #write(id: number, specs: readonly ClientSpec[], ctx: CallContext): Promise<{ after: Inbound; added: ReadonlySet<ClientSpec> }> {
    const op = 'createClients';
    const recent = this.deps.refusesDuplicateEmails() ? this.#recentInbound(id) : undefined;
    const inbound = recent ?? (await this.#inbound(id, op, ctx));
    const sent = recent === undefined ? specs.filter((spec) => !findClient(inbound, spec.identity.username)) : specs;
    if (sent.length === 0) return { after: inbound, added: new Set() };
    try {
      return { after: await this.#add(inbound, sent, ctx), added: new Set(sent) };
    } catch (error) {
      // Whatever went wrong (the inbound gone, its protocol changed), the next create reads it anew.
      if (recent !== undefined) this.#recent.delete(id);
      if (failureOf(error) !== 'duplicate') throw error;
      const fresh = await this.#inbound(id, op, ctx);
      const missing = sent.filter((spec) => !findClient(fresh, spec.identity.username));
      if (missing.length === sent.length) throw error;
      return { after: missing.length === 0 ? fresh : await this.#add(fresh, missing, ctx), added: new Set(missing) };
    }
  }

  /** This driver's read of the inbound, when it was made within {@link RECENT_INBOUND_MS}. */
  #recentInbound(id: number): Inbound | undefined {
    const kept = this.#recent.get(id);
    if (kept === undefined) return undefined;
    if (this.deps.clock.now().getTime() - kept.readAt < RECENT_INBOUND_MS) return kept.inbound;
    this.#recent.delete(id);
    return undefined;
  }

  /** Adds `missing` to `inbound` in one `addClient`; the inbound as it is after the write. An empty answer is read back. */
  async #add(inbound: Inbound, missing: readonly ClientSpec[], ctx: CallContext): Promise<Inbound> {
    const op = 'createClients';
    const facts = { protocol: inbound.protocol, ssMethod: inbound.settings.method, visionCapable: visionCapable(inbound) };
    const clients = missing.map((spec) => clientFromSpec(spec, facts));
    const result = await this.#api.call(
      { operation: op, method: 'POST', path: `${API}/addClient`, json: { id: inbound.id, settings: JSON.stringify({ clients }) } },
      z.unknown(),
      ctx,
    );
    if (result.empty) {
      const fresh = await this.#inbound(inbound.id, op, ctx).catch((readError: unknown) => {
        throw this.#unknown(op, readError);
      });
      if (!missing.every((spec) => findClient(fresh, spec.identity.username))) throw this.#unknown(op);
      return fresh;
    }
    // A client of the same email in a kept read is one since deleted (else the panel had refused it): the sent one stands.
    const sent = new Set(clients.map((c) => c.email.toLowerCase()));
    const kept = clientsOf(inbound).filter((c) => !sent.has(c.email.toLowerCase()));
    return { ...inbound, settings: { ...inbound.settings, clients: [...kept, ...clients] } };
  }

  async getClient(ref: ClientRef, ctx: CallContext): Promise<RemoteClient | null> {
    const inbound = await this.#inboundOrNull(inboundIdOf(ref.target), 'getClient', ctx);
    const client = inbound && findClient(inbound, ref.username);
    if (!inbound || !client) return null;
    const usage = await this.#traffic(client.email, 'getClient', ctx);
    return toRemoteClient(targetOf(inbound), client, usage, this.deps.clock.now());
  }

  updateClient(ref: ClientRef, patch: ClientPatch, ctx: CallContext): Promise<RemoteClient> {
    const id = inboundIdOf(ref.target);
    return this.#lock(id, async () => {
      const op = 'updateClient';
      const inbound = await this.#inboundOrNull(id, op, ctx);
      const client = inbound && findClient(inbound, ref.username);
      if (!inbound || !client) throw new PanelNotFoundError(`client ${ref.username} is not on inbound ${id}`, this.#api.context(op));
      const next = applyPatch(client, patch);
      const key = encodeURIComponent(clientKeyOf(inbound.protocol, client));
      const result = await this.#api.call(
        {
          operation: op,
          method: 'POST',
          path: `${API}/updateClient/${key}`,
          logPath: `${API}/updateClient/[client]`,
          json: { id, settings: JSON.stringify({ clients: [next] }) },
        },
        z.unknown(),
        ctx,
      );
      let stored = next;
      if (result.empty) {
        const back = await this.#inbound(id, op, ctx).catch((error: unknown) => {
          throw this.#unknown(op, error);
        });
        const found = findClient(back, ref.username);
        if (!found || !patchApplied(found, patch)) throw this.#unknown(op);
        stored = found;
      }
      const usage = await this.#traffic(ref.username, op, ctx);
      return toRemoteClient(targetOf(inbound), stored, usage, this.deps.clock.now());
    });
  }

  async resetUsage(ref: ClientRef, ctx: CallContext): Promise<void> {
    const id = inboundIdOf(ref.target);
    const op = 'resetUsage';
    const result = await this.#api.call(
      { operation: op, method: 'POST', path: `${API}/${id}/resetClientTraffic/${encodeURIComponent(ref.username)}` },
      z.unknown(),
      ctx,
    );
    if (!result.empty) return;
    const usage = await this.#traffic(ref.username, op, ctx).catch((error: unknown) => {
      throw this.#unknown(op, error);
    });
    if (!usage) throw new PanelNotFoundError(`client ${ref.username} has no traffic row`, this.#api.context(op));
    if (usage.up + usage.down !== 0) throw this.#unknown(op);
  }

  deleteClient(ref: ClientRef, ctx: CallContext): Promise<void> {
    const id = inboundIdOf(ref.target);
    return this.#lock(id, async () => {
      const op = 'deleteClient';
      const inbound = await this.#inboundOrNull(id, op, ctx);
      const client = inbound && findClient(inbound, ref.username);
      if (!inbound || !client) return;
      // The route carries the client's uuid or password: log lines show a placeholder instead.
      const path = `${API}/${id}/delClient/${encodeURIComponent(clientKeyOf(inbound.protocol, client))}`;
      const logPath = `${API}/${id}/delClient/[client]`;
      let result;
      try {
        result = await this.#api.call({ operation: op, method: 'POST', path, logPath }, z.unknown(), ctx);
      } catch (error) {
        if (failureOf(error) !== 'last_client') throw error;
        await this.#addPlaceholder(inbound, ctx);
        result = await this.#api.call({ operation: op, method: 'POST', path, logPath }, z.unknown(), ctx);
      }
      if (!result.empty) return;
      const back = await this.#inboundOrNull(id, op, ctx).catch((error: unknown) => {
        throw this.#unknown(op, error);
      });
      if (back && findClient(back, ref.username)) throw this.#unknown(op);
    });
  }

  /** A disabled client with throwaway credentials that keeps an inbound from being empty. */
  async #addPlaceholder(inbound: Inbound, ctx: CallContext): Promise<void> {
    const email = `${PLACEHOLDER_PREFIX}${inbound.id}`;
    if (findClient(inbound, email)) return;
    const placeholder: XuiClient = {
      email,
      enable: false,
      expiryTime: 0,
      totalGB: 0,
      limitIp: 0,
      subId: '',
      tgId: 0,
      comment: 'keeps this inbound non-empty (panelkit)',
      reset: 0,
      ...(inbound.protocol === 'trojan' ? { password: randomBytes(16).toString('hex') } : {}),
      ...(inbound.protocol === 'shadowsocks' ? { password: randomBytes(32).toString('base64'), method: '' } : {}),
      ...(inbound.protocol === 'vless' || inbound.protocol === 'vmess' ? { id: randomUUID() } : {}),
    };
    const result = await this.#api.call(
      {
        operation: 'deleteClient',
        method: 'POST',
        path: `${API}/addClient`,
        json: { id: inbound.id, settings: JSON.stringify({ clients: [placeholder] }) },
      },
      z.unknown(),
      ctx,
    );
    if (result.empty) {
      const back = await this.#inbound(inbound.id, 'deleteClient', ctx);
      if (!findClient(back, email)) throw this.#unknown('deleteClient');
    }
  }

  async listClients(request: { cursor?: string | null; limit?: number }, ctx: CallContext): Promise<ClientListPage> {
    const cursor = parseCursor(request.cursor);
    let snapshot = cursor ? this.#snapshots.get(cursor.snapshot) : undefined;
    if (!snapshot) {
      const inbounds = await this.#list('listClients', ctx);
      const now = this.deps.clock.now();
      const items: RemoteClient[] = [];
      for (const inbound of inbounds) {
        const stats = new Map((inbound.clientStats ?? []).map((row) => [row.email.toLowerCase(), row]));
        const target = targetOf(inbound);
        for (const client of clientsOf(inbound)) {
          if (client.email.startsWith(PLACEHOLDER_PREFIX)) continue;
          items.push(toRemoteClient(target, client, stats.get(client.email.toLowerCase()) ?? null, now));
        }
      }
      snapshot = this.#snapshots.put(items);
    }
    return pageOf(snapshot, cursor?.offset ?? 0, request.limit);
  }

  async links(ref: ClientRef, ctx: CallContext): Promise<ClientLinks> {
    const id = inboundIdOf(ref.target);
    const read = () => this.#inboundOrNull(id, 'links', ctx);
    const shared = this.#linkReads.get(id, read);
    let inbound = shared.joined ? await shared.value.catch(() => undefined) : await shared.value;
    // A joined read failed (another call's abort, say) or began before this client existed: read anew.
    if (shared.joined && (inbound === undefined || (inbound !== null && !findClient(inbound, ref.username)))) inbound = await read();
    const client = inbound && findClient(inbound, ref.username);
    if (!inbound || !client)
      throw new PanelNotFoundError(`client ${ref.username} is not on inbound ${ref.target.remoteRef}`, this.#api.context('links'));
    const stats = this.deps.links.showInfo ? await this.#traffic(client.email, 'links', ctx) : null;
    return { subscriptionUrl: await subscriptionUrl(this.deps, client.subId, ctx), shareLinks: this.#shareLinks(inbound, client, stats) };
  }

  /** The client's share links as the panel builds them from its inbound (with its traffic row for `showInfo`). */
  #shareLinks(inbound: Inbound, client: XuiClient, stats: ClientTraffic | null): string[] {
    const settings = this.deps.links;
    return buildShareLinks(
      {
        remark: inbound.remark,
        listen: inbound.listen,
        port: inbound.port,
        protocol: inbound.protocol,
        settings: inbound.settings,
        streamSettings: inbound.streamSettings ?? {},
      },
      client,
      {
        style: 'v2',
        host: settings.host,
        remarkModel: settings.remarkModel,
        showInfo: settings.showInfo,
        now: this.deps.clock.now(),
        stats: stats ?? undefined,
      },
    );
  }
}
