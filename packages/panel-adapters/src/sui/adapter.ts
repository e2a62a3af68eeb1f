/**
 * The S-UI adapter (alireza0/s-ui v1.2.0 … v1.5.x) over the token API. See `docs/s-ui.md`.
 *
 * Every client write goes through `save` and is serialised per panel: the name-uniqueness check
 * (the backend has none) and the create must not interleave, and each save restarts sing-box
 * inbounds anyway. Writes are idempotent (a create adopts a client of the same name, a delete of
 * a missing client succeeds), so a whole operation is retried as a unit, and a write whose answer
 * was lost is resolved by reading the panel back.
 */
import { PanelNotFoundError, PanelOutcomeUnknownError, PanelUnsupportedError, PanelkitError, ValidationError } from '@panelkit/sdk';
import {
  PANEL_ADAPTER_API_VERSION,
  type CallContext,
  type ClientLinks,
  type ClientListPage,
  type ClientPatch,
  type ClientRef,
  type ClientSpec,
  type CreatedClient,
  type Expiry,
  type PanelAdapter,
  type PanelCapabilities,
  type PanelHealthReport,
  type RemoteClient,
  type RemoteTarget,
  type TargetRef,
} from '@panelkit/sdk/adapter';
import { connectionHttpOptions } from '../http/connection-options.js';
import { requireToken } from '../http/credentials.js';
import { measureHealth } from '../http/health.js';
import { KeyedMutex, PanelHttp } from '../http/index.js';
import { SuiApi, isRecordNotFound } from './api.js';
import { allNamed, byName, fullRowFor, fullRows, listRows, resolveHeld } from './client-reads.js';
import { SUI_USER_INBOUND_TYPES } from './credentials.js';
import { ListSnapshots, decodeCursor, encodeCursor, pageAfter } from './list-snapshots.js';
import { delayDays, editedClientBody, newClientBody, toRemoteClient, type SuiClientBody } from './mapping.js';
import type { SuiAdapterOptions } from './options.js';
import { SuiInboundListSchema, SuiLoadSchema, SuiStatusSchema, type SuiClientRow, type SuiFullClient } from './schemas.js';
import { featuresOf, type SuiFeatures } from './version.js';

const KIND = 's-ui';
const WRITES = 'clients';
const DEFAULT_PAGE = 1000;
const MAX_PAGE = 10_000;

/** The S-UI adapter: clients placed on inbounds, batch creates, in-place updates, bulk usage. Create it with {@link createSuiAdapter}. */
export class SuiAdapter implements PanelAdapter {
  readonly kind = KIND;
  readonly apiVersion = PANEL_ADAPTER_API_VERSION;
  readonly capabilities: PanelCapabilities;
  readonly #http: PanelHttp;
  readonly #api: SuiApi;
  readonly #writes = new KeyedMutex();
  readonly #snapshots = new ListSnapshots();
  readonly #subscriptionBase: string | undefined;
  #features: Promise<SuiFeatures> | undefined;
  #subURI: Promise<string> | undefined;

  constructor(options: SuiAdapterOptions) {
    const maxConcurrency = options.maxConcurrency ?? 4;
    const { token } = requireToken(KIND, options.auth);
    this.#http = new PanelHttp({ ...connectionHttpOptions(KIND, options), headers: { token } });
    this.#api = new SuiApi(this.#http);
    this.#subscriptionBase = options.subscriptionBaseUrl;
    if (options.version !== undefined) this.#features = Promise.resolve(featuresOf(options.version));
    this.capabilities = Object.freeze({
      batchCreate: true,
      inPlaceUpdate: true,
      bulkUsage: true,
      // Known only when the version is configured; otherwise probed when first needed (v1.4+).
      startOnFirstUse: options.version === undefined ? true : featuresOf(options.version).delayStart,
      enforcesExpiry: true,
      enforcesTrafficLimit: true,
      resetUsage: true,
      deviceLimit: false,
      maxConcurrency,
      // The server writes a client's local links when it is saved; reads return them as stored.
      stableShareLinks: true,
    });
  }

  health(ctx: CallContext): Promise<PanelHealthReport> {
    return measureHealth(async () => {
      const status = await this.#api.get('health', 'status', { r: 'sys,sbd' }, SuiStatusSchema, ctx);
      const version = status.sys?.appVersion ?? null;
      if (version !== null && this.#features === undefined) this.#features = Promise.resolve(featuresOf(version));
      const running = status.sbd?.running !== false;
      return { ok: running, version, message: running ? null : 'sing-box is not running' };
    });
  }

  /** One target per inbound on the panel. */
  listTargets(ctx: CallContext): Promise<RemoteTarget[]> {
    return this.#http.attempt(ctx, async (attempt) => {
      const { inbounds } = await this.#api.get('listTargets', 'inbounds', {}, SuiInboundListSchema, attempt);
      return inbounds
        .filter((inbound) => SUI_USER_INBOUND_TYPES.has(inbound.type))
        .map((inbound) => ({
          remoteRef: String(inbound.id),
          name: inbound.tag,
          protocol: inbound.type,
          enabled: true,
          clientCount: inbound.users ? inbound.users.length : null,
          remoteMeta: { inboundId: inbound.id, tag: inbound.tag, type: inbound.type, listenPort: inbound.listen_port ?? null },
        }));
    });
  }

  async createClients(target: TargetRef, specs: readonly ClientSpec[], ctx: CallContext): Promise<CreatedClient[]> {
    const inboundId = inboundIdOf(target);
    const names = specs.map((spec) => spec.identity.username);
    if (new Set(names).size !== names.length) {
      throw new ValidationError('two specs share a username', [{ path: 'specs', message: 'usernames must be unique' }]);
    }
    if (specs.length === 0) return [];
    await this.#checkExpiries(
      specs.map((spec) => spec.expiry),
      'createClients',
      ctx,
    );
    return this.#http.attempt(ctx, (attempt) => this.#writes.run(WRITES, () => this.#create(target, inboundId, specs, attempt)));
  }

  async getClient(ref: ClientRef, ctx: CallContext): Promise<RemoteClient | null> {
    return this.#http.attempt(ctx, async (attempt) => {
      const full = await fullRowFor(this.#api, 'getClient', ref, attempt);
      return full ? toRemoteClient(full, ref.target, full) : null;
    });
  }

  async updateClient(ref: ClientRef, patch: ClientPatch, ctx: CallContext): Promise<RemoteClient> {
    if (patch.expiry !== undefined) await this.#checkExpiries([patch.expiry], 'updateClient', ctx);
    return this.#http.attempt(ctx, (attempt) =>
      this.#writes.run(WRITES, async () => {
        const full = await this.#requireFull(ref, 'updateClient', attempt);
        const body = editedClientBody(full, patch);
        if (sameSettings(full, body)) return toRemoteClient(full, ref.target, full);
        const row = await this.#edit('updateClient', body, attempt, (after) => sameSettings(after, body));
        return toRemoteClient(row, ref.target, body);
      }),
    );
  }

  async resetUsage(ref: ClientRef, ctx: CallContext): Promise<void> {
    await this.#http.attempt(ctx, (attempt) =>
      this.#writes.run(WRITES, async () => {
        const full = await this.#requireFull(ref, 'resetUsage', attempt);
        const used = full.up + full.down;
        if (used === 0) return;
        // As the panel's UI does: the period's counters move into the totals (v1.4+).
        const body: SuiClientBody = {
          ...editedClientBody(full, {}),
          up: 0,
          down: 0,
          totalUp: (full.totalUp ?? 0) + full.up,
          totalDown: (full.totalDown ?? 0) + full.down,
        };
        await this.#edit('resetUsage', body, attempt, (after) => after.up + after.down < used);
      }),
    );
  }

  async deleteClient(ref: ClientRef, ctx: CallContext): Promise<void> {
    await this.#http.attempt(ctx, (attempt) =>
      this.#writes.run(WRITES, async () => {
        const rows = allNamed(await listRows(this.#api, 'deleteClient', attempt), ref.username);
        for (const row of rows) await this.#delete(row.id, ref.username, attempt);
      }),
    );
  }

  async listClients(request: { cursor?: string | null; limit?: number }, ctx: CallContext): Promise<ClientListPage> {
    const limit = Math.min(MAX_PAGE, Math.max(1, Math.floor(request.limit ?? DEFAULT_PAGE)));
    const cursor = request.cursor ? decodeCursor(request.cursor) : null;
    return this.#http.attempt(ctx, async (attempt) => {
      let snapshot = cursor ? { id: cursor.snapshot, rows: this.#snapshots.get(cursor.snapshot) } : undefined;
      if (!snapshot?.rows) snapshot = this.#snapshots.hold(await listRows(this.#api, 'listClients', attempt));
      const rows = snapshot.rows!;
      const { page, more } = pageAfter(rows, cursor?.afterId ?? 0, limit);
      const held = await resolveHeld(this.#api, 'listClients', page, attempt);
      const items = page.map((row) => toRemoteClient(row, listTarget(row), held.get(row.id) ?? null));
      const last = page.at(-1);
      if (!more || !last) {
        this.#snapshots.release(snapshot.id);
        return { items, nextCursor: null };
      }
      return { items, nextCursor: encodeCursor({ snapshot: snapshot.id, afterId: last.id }) };
    });
  }

  async links(ref: ClientRef, ctx: CallContext): Promise<ClientLinks> {
    return this.#http.attempt(ctx, async (attempt) => {
      const full = await this.#requireFull(ref, 'links', attempt);
      return linksOf(full, await this.#subscriptionBaseUrl(attempt));
    });
  }

  // -------------------------------------------------------------------------------------------

  async #create(target: TargetRef, inboundId: number, specs: readonly ClientSpec[], ctx: CallContext): Promise<CreatedClient[]> {
    const existing = await listRows(this.#api, 'createClients', ctx);
    const missing = specs.filter((spec) => byName(existing, spec.identity.username) === undefined);
    let rows = existing;
    if (missing.length > 0) {
      const bodies = missing.map((spec) => newClientBody(spec, inboundId));
      // One inbound for the whole batch, so `addbulk` means the same before and after v1.5.
      const action = bodies.length === 1 ? 'new' : 'addbulk';
      const data = bodies.length === 1 ? bodies[0] : bodies;
      rows = await this.#write(
        'createClients',
        ctx,
        () => this.#api.saveClients('createClients', action, data, ctx).then((r) => r.clients),
        async () => {
          const after = await listRows(this.#api, 'createClients', ctx);
          return missing.every((spec) => byName(after, spec.identity.username) !== undefined) ? after : null;
        },
      );
    }
    const written = new Map(missing.map((spec) => [spec.identity.username, newClientBody(spec, inboundId)]));
    const found = specs.map((spec) => byName(rows, spec.identity.username));
    if (found.some((row) => row === undefined)) {
      throw new PanelOutcomeUnknownError('the panel accepted the clients but does not list them', this.#http.context('createClients'));
    }
    // One read of the batch's full rows (the list rows have no links, and an adopted client's held
    // fields read as zero there) gives every client its links, instead of a `links` call per client.
    const full = new Map(
      (
        await fullRows(
          this.#api,
          'createClients',
          found.map((row) => row!.id),
          ctx,
        )
      ).map((row) => [row.id, row]),
    );
    // Without a subscription base (the panel reports none) the clients go without links, all of them:
    // `links` then says why, as before.
    const base = await this.#subscriptionBaseUrl(ctx).catch(() => null);
    const withLinks = base !== null && found.every((row) => full.get(row!.id)?.name === row!.name);
    return found.map((row) => {
      const known = row!;
      const stored = full.get(known.id);
      const remote = toRemoteClient(known, target, written.get(known.name) ?? stored ?? null);
      return withLinks && stored !== undefined ? { ...remote, links: linksOf(stored, base) } : remote;
    });
  }

  /** `edit` with a full row; the answer's list row, or the row read back when the answer was lost. */
  async #edit(operation: string, body: SuiClientBody, ctx: CallContext, applied: (after: SuiFullClient) => boolean): Promise<SuiClientRow> {
    const id = body.id!;
    return this.#write(
      operation,
      ctx,
      async () => {
        const { clients } = await this.#api.saveClients(operation, 'edit', body, ctx);
        const row = clients.find((client) => client.id === id);
        if (!row) throw new PanelNotFoundError('the client vanished during the edit', this.#http.context(operation));
        return row;
      },
      async () => {
        const [after] = await fullRows(this.#api, operation, [id], ctx);
        return after && applied(after) ? after : null;
      },
    );
  }

  async #delete(id: number, name: string, ctx: CallContext): Promise<void> {
    try {
      await this.#write(
        'deleteClient',
        ctx,
        () => this.#api.saveClients('deleteClient', 'del', id, ctx).then(() => true),
        async () => {
          const [after] = await fullRows(this.#api, 'deleteClient', [id], ctx);
          return after === undefined || after.name !== name ? true : null;
        },
      );
    } catch (error) {
      if (!isRecordNotFound(error)) throw error;
    }
  }

  /**
   * Runs a write. When its outcome is unknown (no answer, a timeout, a 5xx, a body that is not the
   * panel's envelope), `readBack` decides: a value means the write took effect; `null` means it did
   * not, and the original error stands (retryable ones are retried by the caller's policy). A
   * failed read-back is an outcome-unknown error, which is retryable: the operation converges.
   */
  async #write<T>(operation: string, ctx: CallContext, write: () => Promise<T>, readBack: () => Promise<T | null>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (!outcomeUnknown(error) || ctx.signal.aborted) throw error;
      let resolved: T | null;
      try {
        resolved = await readBack();
      } catch (readError) {
        throw new PanelOutcomeUnknownError('the write may or may not have been applied', this.#http.context(operation), {
          cause: readError,
        });
      }
      if (resolved === null) throw error;
      return resolved;
    }
  }

  async #requireFull(ref: ClientRef, operation: string, ctx: CallContext): Promise<SuiFullClient> {
    const full = await fullRowFor(this.#api, operation, ref, ctx);
    if (!full) throw new PanelNotFoundError(`client ${ref.username} is not on the panel`, this.#http.context(operation));
    return full;
  }

  /** Start-on-first-use needs v1.4+ and whole days; refused before anything is written. */
  async #checkExpiries(expiries: readonly Expiry[], operation: string, ctx: CallContext): Promise<void> {
    const delayed = expiries.filter((expiry) => expiry.type === 'after_first_use');
    if (delayed.length === 0) return;
    for (const expiry of delayed) {
      if (delayDays(expiry.durationMs) === null) {
        throw new PanelUnsupportedError('S-UI holds start-on-first-use periods in whole days', this.#http.context(operation), {
          details: { durationMs: expiry.durationMs },
        });
      }
    }
    const features = await this.#featuresOf(ctx);
    if (!features.delayStart) {
      throw new PanelUnsupportedError(`S-UI ${features.version} has no start-on-first-use (v1.4.0+)`, this.#http.context(operation));
    }
  }

  #featuresOf(ctx: CallContext): Promise<SuiFeatures> {
    this.#features ??= this.#http
      .attempt(ctx, (attempt) => this.#api.get('version', 'status', { r: 'sys' }, SuiStatusSchema, attempt))
      .then((status) => featuresOf(status.sys?.appVersion ?? ''));
    const pending = this.#features;
    pending.catch(() => {
      if (this.#features === pending) this.#features = undefined;
    });
    return pending;
  }

  #subscriptionBaseUrl(ctx: CallContext): Promise<string> {
    if (this.#subscriptionBase !== undefined) return Promise.resolve(withSlash(this.#subscriptionBase));
    this.#subURI ??= this.#api.get('links', 'load', {}, SuiLoadSchema, ctx).then((load) => {
      if (!load.subURI)
        throw new PanelUnsupportedError('the panel reports no subscription URL; set subscriptionBaseUrl', this.#http.context('links'));
      return withSlash(load.subURI);
    });
    const pending = this.#subURI;
    pending.catch(() => {
      if (this.#subURI === pending) this.#subURI = undefined;
    });
    return pending;
  }
}

/** Builds an adapter for one S-UI panel. */
export function createSuiAdapter(options: SuiAdapterOptions): SuiAdapter {
  return new SuiAdapter(options);
}

function inboundIdOf(target: TargetRef): number {
  const id = Number(target.remoteRef);
  if (!Number.isSafeInteger(id) || id <= 0) {
    throw new ValidationError('an S-UI target is an inbound id', [{ path: 'target.remoteRef', message: 'expected a positive integer' }]);
  }
  return id;
}

/** A list row's target: its first inbound (the protocol is not in the list answer). */
function listTarget(row: SuiClientRow): TargetRef {
  return { remoteRef: String(row.inbounds[0] ?? ''), protocol: '', remoteMeta: { inboundIds: row.inbounds } };
}

/** The settings an adapter edit changes, compared between the panel's row and the body sent. */
function sameSettings(row: SuiFullClient | SuiClientBody, body: SuiClientBody): boolean {
  return (
    row.enable === body.enable &&
    row.volume === body.volume &&
    row.expiry === body.expiry &&
    (row.delayStart ?? false) === body.delayStart &&
    (body.delayStart ? (row.resetDays ?? 0) === body.resetDays : true)
  );
}

/** Errors after which the panel may or may not have applied a write. */
function outcomeUnknown(error: unknown): boolean {
  if (!PanelkitError.is(error)) return false;
  return (
    ['PANEL_TIMEOUT', 'PANEL_CONNECTION', 'PANEL_BAD_RESPONSE', 'PANEL_OUTCOME_UNKNOWN'].includes(error.code) ||
    (error.code === 'PANEL_SERVER' && error.retryable)
  );
}

/** A client's links from its full row: the local and external share links the panel stores, and its subscription. */
function linksOf(full: SuiFullClient, base: string): ClientLinks {
  const shareLinks = full.links.filter((link) => link.type === 'local' || link.type === 'external').map((link) => link.uri);
  return { subscriptionUrl: `${base}${encodeURIComponent(full.name)}`, shareLinks };
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
