/**
 * Gen B driver (3x-ui v3.1+): a global client table under `/panel/api/clients/*`, the email as
 * identity. Creates go through `clients/add` (one) or `clients/bulkCreate` (several, one call);
 * the panel forces `enable:true` on create, so clients that should start disabled get one
 * `bulkDisable` after. Updates are read-modify-write (`clients/update` replaces every scalar, an
 * omitted `enable` means false). Usage comes from `clients/list/paged` (≤ 200 per page, sorted by
 * email so pages are stable). Links come from the panel itself (`clients/links/:email`, built by
 * its subscription service), with the create: they are not a function of what one read of the inbound
 * gives (see `createClients`), so they are not built here.
 */
import { PanelConflictError, PanelNotFoundError, PanelOutcomeUnknownError, PanelUnsupportedError, ValidationError } from '@panelkit/sdk';
import {
  isClientList,
  type CallContext,
  type ClientAddressReading,
  type ClientAddressScope,
  type ClientLinks,
  type ClientListPage,
  type ClientPatch,
  type ClientRef,
  type ClientSpec,
  type CreatedClient,
  type RemoteClient,
  type RemoteTarget,
  type TargetRef,
} from '@panelkit/sdk/adapter';
import { z } from 'zod';
import { ClientIpsSchema, OnlinesSchema, xuiReadings } from './client-addresses.js';
import { classifyMessage, envelopeError, failureOf, type XuiApi } from './api.js';
import { inboundIdOf, subscriptionUrl, type DriverDeps, type ResetMemo, type XuiDriver } from './driver.js';
import { pageSizeOf } from './listing.js';
import {
  addressesOf,
  checkAdoptable,
  kindCreateFields,
  kindOfProtocol,
  kindReadFields,
  kindsOfVersion,
  type KindRecord,
  parsePanelVersion,
  versionAtLeast,
  XUI_DEFAULT_FAKE_TLS_DOMAIN,
} from './kinds.js';
import { applyPatch, clientFromSpec, patchApplied, toRemoteClient } from './mapping.js';
import { wireguardPool } from './wireguard-pool.js';
import {
  BulkCreateSchema,
  ClientGetSchema,
  ClientPageSchema,
  InboundOptionsSchema,
  InboundSchema,
  LinksSchema,
  ServerStatusSchema,
  type ClientGet,
  type ClientRecord,
  type PagedClient,
  type XuiClient,
} from './schemas.js';

const API = 'panel/api/clients';
const PAGE_MAX = 200;

type InboundOption = z.infer<typeof InboundOptionsSchema>[number];

/** A paged item's traffic counters, as `toRemoteClient` takes them. */
function usageOf(item: PagedClient): Parameters<typeof toRemoteClient>[2] {
  return item.traffic ? { up: item.traffic.up, down: item.traffic.down, enable: item.traffic.enable } : null;
}

/** A client found by a create's read-back, with the subId its subscription URL is made of. */
interface ReadBack {
  readonly client: RemoteClient;
  readonly subId: string | undefined;
  /** The full record, when the read-back fetched it (what a kind's adoption is checked against). */
  readonly record?: ClientRecord;
}

/** The write-lock key of one client (emails are case-insensitive on the panel). */
function clientKey(email: string): string {
  return `client:${email.toLowerCase()}`;
}

function recordAsClient(record: ClientRecord): XuiClient & Record<string, unknown> {
  // The record calls the UUID `uuid` and its numeric database key `id`; the update body wants
  // the UUID in `id`. Everything else is sent back as read so that nothing is reset (WireGuard keys
  // and an MTProto secret included), but `allowedIPs`: CSV in a record, a JSON array in a client.
  const { allowedIPs, ...rest } = record;
  const addresses = addressesOf(allowedIPs);
  return { ...rest, id: record.uuid, ...(addresses.length > 0 ? { allowedIPs: addresses } : {}) };
}

/** Whether the inbound's kind is provisioned: the version has it, and MTProto runs only on the panel's own inbounds. */
function provisions(option: InboundOption, kinds: ReturnType<typeof kindsOfVersion>): boolean {
  const kind = kindOfProtocol(option.protocol);
  return kinds[kind] !== undefined && !(kind === 'mtproto' && option.nodeId != null);
}

/** The FakeTLS domain an MTProto inbound's secrets end in: its own, else the panel's default. */
function fakeTlsDomainOf(option: InboundOption | undefined): string {
  const domain = option?.mtprotoDomain?.trim() ?? '';
  return domain === '' ? XUI_DEFAULT_FAKE_TLS_DOMAIN : domain;
}

export class GenBDriver implements XuiDriver {
  readonly generation = 'B' as const;
  version: string | null = null;
  readonly #api: XuiApi;
  #inbounds: Map<number, InboundOption> | undefined;
  /** The panel's version once read (null: it did not say). */
  #version: ReturnType<typeof parsePanelVersion> | undefined;

  constructor(private readonly deps: DriverDeps) {
    this.#api = deps.api;
  }

  async health(ctx: CallContext): Promise<{ xrayState: string | null; version: string | null }> {
    const status = await this.#api.read({ operation: 'health', method: 'GET', path: 'panel/api/server/status' }, ServerStatusSchema, ctx);
    this.version = status.panelVersion ?? null;
    this.#learnVersion(this.version);
    return { xrayState: status.xray?.state ?? null, version: this.version };
  }

  #learnVersion(version: string | null): void {
    this.#version = parsePanelVersion(version);
    this.deps.declareKinds(kindsOfVersion(this.#version));
    this.deps.declareClientAddresses(versionAtLeast(this.#version, 3, 4, 1));
  }

  /** The kinds this panel's version provisions (reads `server/status` once: every v3.1+ reports `panelVersion`). */
  async #kinds(ctx: CallContext): Promise<ReturnType<typeof kindsOfVersion>> {
    if (this.#version === undefined) {
      const status = await this.#api.read(
        { operation: 'version', method: 'GET', path: 'panel/api/server/status' },
        ServerStatusSchema,
        ctx,
      );
      this.#learnVersion(status.panelVersion ?? null);
    }
    return kindsOfVersion(this.#version ?? null);
  }

  async #options(ctx: CallContext, refresh = false): Promise<Map<number, InboundOption>> {
    if (!this.#inbounds || refresh) {
      const list = await this.#api.read(
        { operation: 'listTargets', method: 'GET', path: 'panel/api/inbounds/options' },
        InboundOptionsSchema,
        ctx,
      );
      this.#inbounds = new Map(list.map((ib) => [ib.id, ib]));
    }
    return this.#inbounds;
  }

  #target(option: InboundOption | undefined, id: number): TargetRef {
    const kind = kindOfProtocol(option?.protocol ?? '');
    return {
      remoteRef: String(id),
      protocol: option?.protocol ?? 'unknown',
      remoteMeta: {
        inboundId: id,
        port: option?.port ?? 0,
        tag: option?.tag ?? '',
        remark: option?.remark ?? '',
        ...(kind === 'wireguard' && option?.wgPublicKey ? { wgPublicKey: option.wgPublicKey } : {}),
        ...(kind === 'mtproto' ? { fakeTlsDomain: fakeTlsDomainOf(option) } : {}),
      },
    };
  }

  /**
   * One target per inbound with the kind its clients are (`wireguard`, `mtproto`, else `xray`); an inbound of a kind
   * this version cannot provision (or an MTProto inbound on a node) reports no kind. A WireGuard inbound's pool is
   * counted from its clients (one `inbounds/get` each).
   */
  async listTargets(ctx: CallContext): Promise<RemoteTarget[]> {
    const options = await this.#options(ctx, true);
    const kinds = [...options.values()].some((ib) => kindOfProtocol(ib.protocol) !== 'xray')
      ? await this.#kinds(ctx)
      : kindsOfVersion(null);
    const targets: RemoteTarget[] = [];
    for (const ib of options.values()) {
      const kind = kindOfProtocol(ib.protocol);
      const served = provisions(ib, kinds);
      const pool = kind === 'wireguard' && served ? await this.#pool(ib.id, ctx) : undefined;
      targets.push({
        remoteRef: String(ib.id),
        name: ib.remark,
        protocol: ib.protocol,
        enabled: ib.enable,
        clientCount: null,
        remoteMeta: this.#target(ib, ib.id).remoteMeta,
        kinds: served ? [kind] : [],
        ...(pool ? { pool } : {}),
      });
    }
    return targets;
  }

  async #pool(inboundId: number, ctx: CallContext): Promise<{ capacity: number; free: number }> {
    const inbound = await this.#api.read(
      { operation: 'listTargets', method: 'GET', path: `panel/api/inbounds/get/${inboundId}` },
      InboundSchema,
      ctx,
    );
    const addresses = (inbound.settings.clients ?? []).flatMap((client) => {
      const value = (client as { allowedIPs?: unknown }).allowedIPs;
      return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
    });
    return wireguardPool(addresses, versionAtLeast(this.#version ?? null, 3, 6));
  }

  async #get(email: string, operation: string, ctx: CallContext): Promise<ClientGet | null> {
    try {
      return await this.#api.read({ operation, method: 'GET', path: `${API}/get/${encodeURIComponent(email)}` }, ClientGetSchema, ctx);
    } catch (error) {
      if (failureOf(error) === 'not_found') return null;
      throw error;
    }
  }

  #remote(target: TargetRef, got: ClientGet): RemoteClient {
    const client = toRemoteClient(target, recordAsClient(got.client), null, this.deps.clock.now(), got.usedTraffic ?? 0);
    const kind = kindOfProtocol(target.protocol);
    return kind === 'xray' ? client : { ...client, ...kindReadFields(kind, got.client) };
  }

  #unknown(operation: string, cause?: unknown): PanelOutcomeUnknownError {
    return new PanelOutcomeUnknownError(
      '3x-ui did not confirm the write when it was read back (an empty answer, or a lost update)',
      this.#api.context(operation),
      cause === undefined ? {} : { cause },
    );
  }

  /**
   * One `clients/add` (one spec) or `clients/bulkCreate` (several) for every spec, with no read
   * first: the panel itself adopts a client whose email and subId are both ours (it attaches it to
   * the inbound, reusing its credentials) and refuses an email held by another subId. Then one
   * `bulkDisable` for the specs that start disabled, and a read-back: `clients/get` for one client,
   * otherwise pages of this inbound's clients, most recently updated first, until every email is
   * seen (usually ⌈n / 200⌉ pages, so 500 clients cost about six requests, not a thousand).
   *
   * On a first attempt each client comes with its links: one `clients/links` a client (no `clients/get`: the
   * read-back gave its subId). They cannot be built from the inbound as Gen A's are: the panel's link depends
   * on more than the inbound and the client (its remark template, its subscription and web domains, the
   * inbound's node, share-address strategy and fallback master), picks a Reality `sni`/`sid` at random, and
   * its builder changed from release to release of v3.x. The requests of one call go one at a time under the
   * call's one timeout, so a big batch on a slow panel could time out on its links after the write: a later
   * attempt (which may follow just that) returns the clients without links, and the engine asks `links` for
   * each in a call of its own.
   */
  async createClients(target: TargetRef, specs: readonly ClientSpec[], ctx: CallContext): Promise<CreatedClient[]> {
    const op = 'createClients';
    const inboundId = inboundIdOf(target);
    const option = (await this.#options(ctx)).get(inboundId) ?? (await this.#options(ctx, true)).get(inboundId);
    if (!option) throw new PanelNotFoundError(`inbound ${target.remoteRef} does not exist`, this.#api.context(op));
    const kind = kindOfProtocol(option.protocol);
    const payloads = specs.map((spec) => ({ client: this.#createBody(spec, option, kind), inboundIds: [inboundId] }));
    if (kind !== 'xray' && !provisions(option, await this.#kinds(ctx)))
      throw new PanelUnsupportedError(`this 3x-ui panel cannot hold ${kind} clients on inbound ${inboundId}`, this.#api.context(op));
    // Either answer may be an empty body: the read-back below decides the outcome.
    if (payloads.length === 1) {
      await this.#api.call({ operation: op, method: 'POST', path: `${API}/add`, json: payloads[0] }, z.unknown(), ctx);
    } else {
      const result = await this.#api.call(
        { operation: op, method: 'POST', path: `${API}/bulkCreate`, json: payloads },
        BulkCreateSchema,
        ctx,
      );
      const skipped = result.empty ? [] : (result.obj.skipped ?? []);
      const refused = skipped.find((s) => /already in use/.test(s.reason));
      if (refused) throw new PanelConflictError(`3x-ui refused: ${refused.reason.slice(0, 200)}`, this.#api.context(op));
      // A WireGuard or MTProto refusal (no address left, a taken or bad allowedIPs, a bad ad tag) is the panel's answer.
      const kindRefusal = skipped.find((s) => /^(wireguard|mtproto)/.test(s.reason.trim()));
      if (kindRefusal)
        throw envelopeError(classifyMessage(kindRefusal.reason), kindRefusal.reason, { ...this.#api.context(op), status: 200 });
    }
    const toDisable = specs.filter((spec) => !spec.enabled).map((spec) => spec.identity.username);
    if (toDisable.length > 0)
      await this.#api.call({ operation: op, method: 'POST', path: `${API}/bulkDisable`, json: { emails: toDisable } }, z.unknown(), ctx);
    const found = await this.#readBack(
      target,
      specs.map((spec) => spec.identity.username),
      ctx,
      kind !== 'xray',
    );
    const confirmed = specs.map((spec) => {
      const hit = found.get(spec.identity.username.toLowerCase());
      if (!hit || hit.client.enabled !== spec.enabled) throw this.#unknown(op);
      if (hit.record) checkAdoptable(spec, hit.record, this.#api.context(op));
      return hit;
    });
    if ((ctx.attempt ?? 1) > 1) return confirmed.map(({ client }) => client);
    const created: CreatedClient[] = [];
    for (const { client, subId } of confirmed) created.push({ ...client, links: await this.#linksOf(client.ref.username, subId, op, ctx) });
    return created;
  }

  /** The body of one `clients/add` (enable forced on by the panel anyway); a kind's client carries its credentials only. */
  #createBody(spec: ClientSpec, option: InboundOption, kind: ReturnType<typeof kindOfProtocol>): Record<string, unknown> {
    const facts = { protocol: option.protocol, ssMethod: option.ssMethod, visionCapable: option.tlsFlowCapable };
    const extra = kindCreateFields(spec, kind, fakeTlsDomainOf(option));
    if (kind === 'xray') return { ...clientFromSpec(spec, facts), enable: true };
    const { id: _id, password: _password, ...base } = clientFromSpec(spec, facts);
    return { ...base, limitIp: 0, enable: true, ...extra };
  }

  /**
   * The clients with these emails on the target's inbound (and their subIds), by lower-cased email; absent ones are
   * missing. `oneByOne` reads each with `clients/get` (a record carries the keys and secret a kind's adoption checks).
   */
  async #readBack(target: TargetRef, emails: readonly string[], ctx: CallContext, oneByOne = false): Promise<Map<string, ReadBack>> {
    const op = 'createClients';
    const found = new Map<string, ReadBack>();
    if (emails.length === 1 || oneByOne) {
      for (const email of emails) {
        const got = await this.#get(email, op, ctx);
        if (got && (got.inboundIds ?? []).includes(inboundIdOf(target)))
          found.set(email.toLowerCase(), { client: this.#remote(target, got), subId: got.client.subId, record: got.client });
      }
      return found;
    }
    const wanted = new Set(emails.map((email) => email.toLowerCase()));
    const now = this.deps.clock.now();
    for (let page = 1; found.size < wanted.size; page++) {
      const query = { page, pageSize: PAGE_MAX, inbound: inboundIdOf(target), sort: 'updatedAt', order: 'descend' };
      const result = await this.#api.read({ operation: op, method: 'GET', path: `${API}/list/paged`, query }, ClientPageSchema, ctx);
      const items = result.items ?? [];
      for (const item of items) {
        const email = item.email.toLowerCase();
        if (wanted.has(email)) found.set(email, { client: toRemoteClient(target, item, usageOf(item), now), subId: item.subId });
      }
      if (items.length === 0 || page * PAGE_MAX >= (result.filtered ?? result.total)) break;
    }
    return found;
  }

  async getClient(ref: ClientRef, ctx: CallContext): Promise<RemoteClient | null> {
    const got = await this.#get(ref.username, 'getClient', ctx);
    return got ? this.#remote(ref.target, got) : null;
  }

  updateClient(ref: ClientRef, patch: ClientPatch, ctx: CallContext): Promise<RemoteClient> {
    return this.deps.writes.run(clientKey(ref.username), () => this.#update(ref, patch, ctx));
  }

  async #update(ref: ClientRef, patch: ClientPatch, ctx: CallContext): Promise<RemoteClient> {
    const op = 'updateClient';
    const got = await this.#get(ref.username, op, ctx);
    if (!got) throw new PanelNotFoundError(`client ${ref.username} does not exist`, this.#api.context(op));
    const body = applyPatch(recordAsClient(got.client), patch);
    const result = await this.#api.call(
      { operation: op, method: 'POST', path: `${API}/update/${encodeURIComponent(got.client.email)}`, json: body },
      z.unknown(),
      ctx,
    );
    const back = await this.#get(ref.username, op, ctx).catch((error: unknown) => {
      if (result.empty) throw this.#unknown(op, error);
      throw error;
    });
    if (!back || (result.empty && !patchApplied(recordAsClient(back.client), patch))) throw this.#unknown(op);
    return this.#remote(ref.target, back);
  }

  /**
   * `clients/resetTraffic` also sets `enable = true` (`ResetTrafficByEmail` re-enables a disabled
   * client), so a client that was off before the first attempt is turned off again. One reset or
   * update per client at a time in this adapter, so an update cannot land between the two writes.
   */
  resetUsage(ref: ClientRef, ctx: CallContext, memo: ResetMemo): Promise<void> {
    return this.deps.writes.run(clientKey(ref.username), () => this.#reset(ref, ctx, memo));
  }

  async #reset(ref: ClientRef, ctx: CallContext, memo: ResetMemo): Promise<void> {
    const op = 'resetUsage';
    if (memo.enabledBefore === undefined) {
      const before = await this.#get(ref.username, op, ctx);
      if (!before) throw new PanelNotFoundError(`client ${ref.username} does not exist`, this.#api.context(op));
      memo.enabledBefore = before.client.enable;
    }
    const result = await this.#api.call(
      { operation: op, method: 'POST', path: `${API}/resetTraffic/${encodeURIComponent(ref.username)}` },
      z.unknown(),
      ctx,
    );
    if (result.empty) {
      const back = await this.#get(ref.username, op, ctx).catch((error: unknown) => {
        throw this.#unknown(op, error);
      });
      if (!back) throw new PanelNotFoundError(`client ${ref.username} does not exist`, this.#api.context(op));
      if ((back.usedTraffic ?? 0) !== 0) throw this.#unknown(op);
    }
    if (!memo.enabledBefore) {
      await this.#api.call(
        { operation: op, method: 'POST', path: `${API}/bulkDisable`, json: { emails: [ref.username] } },
        z.unknown(),
        ctx,
      );
    }
  }

  async deleteClient(ref: ClientRef, ctx: CallContext): Promise<void> {
    const op = 'deleteClient';
    let result;
    try {
      result = await this.#api.call(
        { operation: op, method: 'POST', path: `${API}/del/${encodeURIComponent(ref.username)}` },
        z.unknown(),
        ctx,
      );
    } catch (error) {
      if (failureOf(error) === 'not_found') return;
      throw error;
    }
    if (!result.empty) return;
    const back = await this.#get(ref.username, op, ctx).catch((error: unknown) => {
      throw this.#unknown(op, error);
    });
    if (back) throw this.#unknown(op);
  }

  async listClients(request: { cursor?: string | null; limit?: number }, ctx: CallContext): Promise<ClientListPage> {
    const { page, size } = this.#cursor(request);
    const result = await this.#api.read(
      {
        operation: 'listClients',
        method: 'GET',
        path: `${API}/list/paged`,
        query: { page, pageSize: size, sort: 'email', order: 'ascend' },
      },
      ClientPageSchema,
      ctx,
    );
    let options = await this.#options(ctx);
    const items = result.items ?? [];
    if (items.some((item) => (item.inboundIds ?? []).some((id) => !options.has(id)))) options = await this.#options(ctx, true);
    const now = this.deps.clock.now();
    // A page carries no keys or secret: they come from each WireGuard or MTProto inbound on the page, one read each.
    const kindInbounds = new Set(
      items.map((item) => item.inboundIds?.[0] ?? 0).filter((id) => kindOfProtocol(options.get(id)?.protocol ?? '') !== 'xray'),
    );
    const credentials = await this.#kindCredentials([...kindInbounds], ctx);
    const clients = items.map((item): RemoteClient => {
      const inboundId = item.inboundIds?.[0] ?? 0;
      const target = this.#target(options.get(inboundId), inboundId);
      const client = toRemoteClient(target, item, usageOf(item), now);
      const kind = kindOfProtocol(target.protocol);
      return kind === 'xray' ? client : { ...client, ...kindReadFields(kind, credentials.get(item.email.toLowerCase()) ?? {}) };
    });
    return { items: clients, nextCursor: page * size < result.total && items.length > 0 ? `p${page + 1}.${size}` : null };
  }

  /** The keys, addresses and secrets of the clients of these inbounds, by lower-cased email (`settings.clients`). */
  async #kindCredentials(inboundIds: readonly number[], ctx: CallContext): Promise<Map<string, KindRecord>> {
    const out = new Map<string, KindRecord>();
    for (const id of inboundIds) {
      const inbound = await this.#api.read(
        { operation: 'listClients', method: 'GET', path: `panel/api/inbounds/get/${id}` },
        InboundSchema,
        ctx,
      );
      for (const client of inbound.settings.clients ?? []) {
        const raw = client as Record<string, unknown>;
        const addresses = Array.isArray(raw.allowedIPs) ? raw.allowedIPs.filter((a): a is string => typeof a === 'string') : [];
        out.set(client.email.toLowerCase(), {
          publicKey: typeof raw.publicKey === 'string' ? raw.publicKey : undefined,
          allowedIPs: addresses.join(','),
          secret: typeof raw.secret === 'string' ? raw.secret : undefined,
        });
      }
    }
    return out;
  }

  #cursor(request: { cursor?: string | null; limit?: number }): { page: number; size: number } {
    if (request.cursor) {
      const match = /^p(\d+)\.(\d+)$/.exec(request.cursor);
      if (!match) throw new ValidationError('not a cursor this adapter issued', [{ path: 'cursor', message: 'unrecognised cursor' }]);
      return { page: Number(match[1]), size: Number(match[2]) };
    }
    return { page: 1, size: pageSizeOf(request.limit, PAGE_MAX) };
  }

  /**
   * The recorded IPs of the target's clients (its inbound's `settings.clients`) or of the clients named: one
   * `server/clientIps` and one `clients/onlines` for the whole panel (see `client-addresses.ts`). Before v3.4.1 it is
   * a `PanelUnsupportedError`.
   */
  async listClientAddresses(scope: ClientAddressScope, ctx: CallContext): Promise<ClientAddressReading[]> {
    const op = 'listClientAddresses';
    await this.#kinds(ctx);
    if (!versionAtLeast(this.#version ?? null, 3, 4, 1))
      throw new PanelUnsupportedError('this 3x-ui panel records no client IPs the API gives (v3.4.1+ does)', this.#api.context(op));
    const emails = isClientList(scope) ? scope.map((ref) => ref.username) : await this.#emailsOf(inboundIdOf(scope), op, ctx);
    const rows = await this.#api.read({ operation: op, method: 'GET', path: 'panel/api/server/clientIps' }, ClientIpsSchema, ctx);
    const onlines = await this.#api.read({ operation: op, method: 'POST', path: `${API}/onlines` }, OnlinesSchema, ctx);
    return xuiReadings(emails, rows, onlines, this.deps.clock.now());
  }

  /** The emails of an inbound's clients (`inbounds/get`); a missing inbound is a `PanelNotFoundError`. */
  async #emailsOf(inboundId: number, operation: string, ctx: CallContext): Promise<string[]> {
    const inbound = await this.#api.read({ operation, method: 'GET', path: `panel/api/inbounds/get/${inboundId}` }, InboundSchema, ctx);
    return (inbound.settings.clients ?? []).map((client) => client.email);
  }

  async links(ref: ClientRef, ctx: CallContext): Promise<ClientLinks> {
    const got = await this.#get(ref.username, 'links', ctx);
    if (!got) throw new PanelNotFoundError(`client ${ref.username} does not exist`, this.#api.context('links'));
    return this.#linksOf(ref.username, got.client.subId, 'links', ctx);
  }

  /** The panel's share links for the client (`clients/links/:email`) and its subscription URL (the base and `subId`). */
  async #linksOf(email: string, subId: string | undefined, operation: string, ctx: CallContext): Promise<ClientLinks> {
    const shareLinks = await this.#api.read(
      { operation, method: 'GET', path: `${API}/links/${encodeURIComponent(email)}` },
      LinksSchema,
      ctx,
    );
    return { subscriptionUrl: await subscriptionUrl(this.deps, subId, ctx), shareLinks: shareLinks ?? [] };
  }
}
