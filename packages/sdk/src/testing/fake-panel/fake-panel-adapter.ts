import { createHash } from 'node:crypto';
import { wireGuardKeyPairOf } from '../../domain/entitlement.js';
import type { EntitlementKind } from '../../domain/entitlement.js';
import {
  PanelAuthError,
  PanelConnectionError,
  PanelNotFoundError,
  PanelOutcomeUnknownError,
  PanelPoolExhaustedError,
  PanelUnsupportedError,
  toPanelkitError,
} from '../../errors.js';
import type { PanelkitError } from '../../errors.js';
import type { Clock } from '../../ports/clock.js';
import { systemClock } from '../../ports/clock.js';
import { PANEL_ADAPTER_API_VERSION, capabilitiesFor, isClientList } from '../../ports/panel.js';
import type {
  RemoteDevice,
  CallContext,
  ClientAddressReading,
  ClientAddressScope,
  ClientLinks,
  ClientListPage,
  ClientPatch,
  ClientRef,
  ClientSpec,
  PanelAdapter,
  PanelCapabilities,
  PanelHealthReport,
  CreatedClient,
  KindCapabilities,
  RemoteClient,
  RemoteTarget,
  TargetRef,
} from '../../ports/panel.js';
import { abortableSleep, type RetryPolicy } from '../../retry.js';
import type { PanelFault, PanelTestControls } from '../panel/harness.js';
import { FaultPlan } from './faults.js';
import type { FakeFault, FakePanelOperation } from './faults.js';
import { WireFaults, failAttempt, lostAnswer, lostConnection } from './wire-faults.js';
import { allocate } from './address-pool.js';
import { FakeAddresses } from './fake-addresses.js';
import type { FakeClient } from './fake-client.js';
import { defaultTargets, fakeTarget } from './fake-targets.js';
import type { FakeTarget, FakeTargetOptions } from './fake-targets.js';
import { checkAdoptable, credentialsFor, linksOf } from './kind-credentials.js';
import type { KindCredentials } from './kind-credentials.js';

export type { FakeClient } from './fake-client.js';

/** Options of `FakePanelAdapter`: a whole panel in memory, for engine tests without a network. */
export interface FakePanelOptions {
  /** The adapter's `kind`; default `fake`. */
  kind?: string;
  /** Overrides of the default capabilities (everything on, `maxConcurrency` 4). */
  capabilities?: Partial<PanelCapabilities>;
  /**
   * Targets the panel has, each with the kinds its clients may be (default `['xray']`) and, for WireGuard, its
   * address pool (`pool: '10.8.0.0/29'`). Default: one `vless` inbound with `remoteRef` `1`, and with `kinds` one
   * target per kind (`1`, `wg`, `awg`, `mtproto`).
   */
  targets?: readonly FakeTargetOptions[];
  /**
   * The kinds the fake provisions (`capabilities.kinds`, each with no overrides; `mtproto` writes `ee` secrets).
   * Default: the kinds its targets serve, which is Xray only (no `capabilities.kinds`) unless a target says otherwise.
   * `capabilities.kinds` overrides what this builds.
   */
  kinds?: readonly EntitlementKind[];
  /** Time inside the panel (expiry enforcement, first use); default the system clock. */
  clock?: Clock;
  /** Added to every call; default 0 (no wait at all). */
  latencyMs?: number;
  /** How latency is waited for; inject to control it. Default a real timer. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Largest page `listClients` returns. Default 100. */
  maxPageSize?: number;
  /**
   * @deprecated Ignored: like a real adapter, the fake makes one attempt per call and throws the error of a
   * wire fault (`injectFault`) as it is; the engine retries.
   */
  retry?: RetryPolicy;
  /** How long an injected `timeout` fault holds the call at most, if its signal does not end it first. Default 15 s. */
  timeoutMs?: number;
  /**
   * Whether `createClients` returns each client's links (as Marzban's create answer does), so the
   * engine needs no `links` call; default true. False makes it an adapter that must be asked.
   */
  linksWithCreate?: boolean;
}

const DEFAULT_CAPABILITIES: PanelCapabilities = Object.freeze({
  stableShareLinks: true,
  batchCreate: true,
  inPlaceUpdate: true,
  bulkUsage: true,
  startOnFirstUse: true,
  enforcesExpiry: true,
  enforcesTrafficLimit: true,
  resetUsage: true,
  deviceLimit: true,
  maxConcurrency: 4,
});

/** `capabilities.kinds` for a fake that provisions `kinds`: none for Xray alone (an adapter as before kinds). */
function kindCapabilities(kinds: readonly EntitlementKind[]): Partial<PanelCapabilities> {
  if (kinds.length === 1 && kinds[0] === 'xray') return {};
  const each = (kind: EntitlementKind): KindCapabilities => (kind === 'mtproto' ? { mtproto: { secretForms: ['ee'] } } : {});
  return { kinds: Object.fromEntries(kinds.map((kind) => [kind, each(kind)])) };
}

/**
 * An in-process, stateful `PanelAdapter` for tests and benchmarks. It honours the port's contract
 * (create adopts an existing username, deleting a missing client succeeds, updating one is
 * `PanelNotFoundError`, `listClients` pages every client in stable order), and lets a test set
 * capabilities, latency and faults, feed traffic, and count calls.
 */
export class FakePanelAdapter implements PanelAdapter {
  readonly kind: string;
  readonly apiVersion = PANEL_ADAPTER_API_VERSION;
  readonly capabilities: PanelCapabilities;
  /**
   * Calls received per operation, failed ones included. (Like a real adapter, one without
   * `batchCreate` still takes several specs in one `createClients`; the engine sends it one.)
   */
  readonly calls: Record<FakePanelOperation, number> = {
    health: 0,
    listTargets: 0,
    createClients: 0,
    getClient: 0,
    updateClient: 0,
    resetUsage: 0,
    deleteClient: 0,
    listClients: 0,
    listDevices: 0,
    removeDevice: 0,
    resetDevices: 0,
    listClientAddresses: 0,
    links: 0,
  };
  /** Clients actually made (adoptions excluded), ever. */
  created = 0;
  /** Clients actually removed, ever. */
  deleted = 0;
  /** Largest number of calls in flight at once. */
  peakConcurrency = 0;

  readonly #clients = new Map<string, FakeClient>();
  readonly #devices = new Map<string, RemoteDevice[]>();
  readonly #addresses = new FakeAddresses();
  readonly #targets: FakeTarget[];
  readonly #faults = new FaultPlan();
  readonly #wire = new WireFaults();
  readonly #timeoutMs: number;
  readonly #linksWithCreate: boolean;
  #revoked = false;
  readonly #clock: Clock;
  readonly #sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly #maxPageSize: number;
  #latencyMs: number;
  #down = false;
  #inFlight = 0;
  #nextId = 1;

  constructor(options: FakePanelOptions = {}) {
    this.kind = options.kind ?? 'fake';
    const declared = options.targets?.flatMap((t): readonly EntitlementKind[] => t.kinds ?? ['xray']);
    const kinds: EntitlementKind[] = [...new Set<EntitlementKind>(options.kinds ?? declared ?? ['xray'])];
    this.#targets = (options.targets ?? (options.kinds === undefined ? [{ remoteRef: '1' }] : defaultTargets(kinds))).map(fakeTarget);
    this.capabilities = Object.freeze({ ...DEFAULT_CAPABILITIES, ...kindCapabilities(kinds), ...options.capabilities });
    this.#clock = options.clock ?? systemClock;
    this.#latencyMs = options.latencyMs ?? 0;
    this.#sleep = options.sleep ?? abortableSleep;
    this.#maxPageSize = options.maxPageSize ?? 100;
    this.#timeoutMs = options.timeoutMs ?? 15_000;
    this.#linksWithCreate = options.linksWithCreate ?? true;
  }

  // ---- test controls --------------------------------------------------------------------------

  /** The next `times` calls of `operation` fail with `error` before doing anything. */
  failNext(operation: FakePanelOperation, error: () => PanelkitError, times = 1): void {
    this.#faults.add(operation, { type: 'fail', error }, times);
  }

  /** The next `times` calls of `operation` are applied, then throw (a lost response). */
  loseResponseNext(operation: FakePanelOperation, times = 1, error?: () => PanelkitError): void {
    const make = error ?? (() => new PanelOutcomeUnknownError('the response was lost', { panelKind: this.kind, operation }));
    this.#faults.add(operation, { type: 'lose_response', error: make }, times);
  }

  /** While down, every call fails with `PanelConnectionError` and health reports not ok. */
  setDown(down: boolean): void {
    this.#down = down;
  }

  /** Changes the wait added to every call from now on, in milliseconds. */
  setLatency(ms: number): void {
    this.#latencyMs = ms;
  }

  /** Drops every pending fault, of `failNext`, `loseResponseNext` and `injectFault` alike. */
  clearFaults(): void {
    this.#faults.clear();
    this.#wire.clear();
  }

  /**
   * The conformance suite's view of this panel (`describePanelAdapter`): wire faults, traffic in
   * both directions, and its static token, which `expireSession` revokes for good (every call is
   * then a `PanelAuthError`; the fake never logs in, so `loginCount` is 0).
   */
  readonly controls: PanelTestControls = {
    addTraffic: async (username, uploadBytes, downloadBytes) => {
      this.addTraffic(username, uploadBytes, 'up');
      this.addTraffic(username, downloadBytes, 'down');
    },
    injectFault: (fault: PanelFault) => this.#wire.push(fault),
    clearFaults: () => this.clearFaults(),
    pendingFaults: () => this.#wire.size,
    expireSession: () => {
      this.#revoked = true;
    },
    countClients: async (username) => (this.#clients.has(username) ? 1 : 0),
    loginCount: () => 0,
    fillPool: async (target, free) => this.fillPool(target.remoteRef, free),
    peerAddresses: async (target) => this.peerAddresses(target.remoteRef),
    setClientAddresses: async (username, addresses) => this.setClientAddresses(username, addresses),
    silenceClientAddresses: async (silent) => this.silenceClientAddresses(silent),
    canConnect: async (username) => {
      const client = this.#clients.get(username);
      return client !== undefined && this.#remote(client).enabled;
    },
  };

  /**
   * Leaves exactly `free` addresses free in a WireGuard target's pool, taking the others with peers of the panel's
   * own (`filler_<n>`, not counted in `created`); fillers it added before are given back first, so a larger `free`
   * frees them again.
   */
  fillPool(remoteRef: string, free: number): void {
    const target = this.#target(remoteRef);
    if (target?.pool == null) throw new Error(`target ${remoteRef} of the fake panel has no WireGuard pool`);
    for (const [name, client] of this.#clients)
      if (name.startsWith('filler_') && client.targetRef === remoteRef) this.#clients.delete(name);
    const kind = target.kinds.find((k) => capabilitiesFor(this.capabilities, k) !== null && k !== 'xray') ?? 'wireguard';
    while (target.pool.hosts.length - this.peerAddresses(remoteRef).length > free) {
      const name = `filler_${this.#nextId}`;
      const keys = wireGuardKeyPairOf(createHash('sha256').update(name).digest());
      const identity = {
        username: name,
        uuid: name,
        password: name,
        subId: name,
        ssKey: name,
        generation: 0,
        adopted: true,
        wireguard: keys,
      };
      const spec: ClientSpec = { identity, kind, expiry: { type: 'never' }, trafficLimitBytes: null, deviceLimit: null, enabled: true };
      const credentials = { kind, wireguard: keys };
      this.#store(target, spec, credentials, this.#addressFor(target, spec, credentials, new Set()), remoteRef, false);
    }
  }

  /** Every address the peers on a target hold now (one entry per peer and address). */
  peerAddresses(remoteRef: string): string[] {
    return [...this.#clients.values()].filter((c) => c.targetRef === remoteRef).flatMap((c) => c.wireguard?.addresses ?? []);
  }

  /** Feeds traffic to a client, as if its user browsed. Starts an `after_first_use` period. */
  addTraffic(username: string, bytes: number, direction: 'up' | 'down' = 'down'): void {
    const client = this.#clients.get(username);
    if (client === undefined) throw new Error(`no client ${username} on the fake panel`);
    const now = this.#clock.now();
    if (direction === 'up') client.uploadBytes += bytes;
    else client.downloadBytes += bytes;
    client.lastOnlineAt = now;
    if (client.expiry.type === 'after_first_use' && bytes > 0) {
      client.expiry = { type: 'at', at: new Date(now.getTime() + client.expiry.durationMs) };
    }
    this.#enforce(client);
  }

  /** The stored client, or undefined; a copy. */
  client(username: string): FakeClient | undefined {
    const client = this.#clients.get(username);
    if (client === undefined) return undefined;
    const { wireguard, mtproto } = client;
    return {
      ...client,
      identity: { ...client.identity },
      ...(wireguard === undefined ? {} : { wireguard: { ...wireguard, addresses: [...wireguard.addresses] } }),
      ...(mtproto === undefined ? {} : { mtproto: { ...mtproto } }),
    };
  }

  /** How many clients the fake panel holds now, on every target. */
  clientCount(): number {
    return this.#clients.size;
  }

  /** Adds a client behind the shop's back (an orphan for reconciliation tests); a WireGuard peer takes an address. */
  plant(spec: ClientSpec, targetRef = this.#targets[0]?.remoteRef ?? '1'): void {
    const target = this.#target(targetRef);
    if (target === undefined) {
      this.#store(undefined, spec, { kind: spec.kind ?? 'xray' }, null, targetRef);
      return;
    }
    const context = { panelKind: this.kind, operation: 'createClients' };
    const credentials = credentialsFor(target, spec, context);
    this.#store(target, spec, credentials, this.#addressFor(target, spec, credentials, new Set()));
  }

  /** Removes a client behind the shop's back. */
  remove(username: string): void {
    this.#clients.delete(username);
  }

  /** Changes a client behind the shop's back (drift). */
  tamper(username: string, change: Partial<Pick<FakeClient, 'enabled' | 'trafficLimitBytes' | 'expiry' | 'wireguard' | 'mtproto'>>): void {
    const client = this.#clients.get(username);
    if (client === undefined) throw new Error(`no client ${username} on the fake panel`);
    Object.assign(client, change);
  }

  // ---- the port ---------------------------------------------------------------------------------

  async health(ctx: CallContext): Promise<PanelHealthReport> {
    this.calls.health++;
    if (this.#down) return { ok: false, latencyMs: 0, version: null, message: 'connection refused' };
    try {
      return await this.#call('health', ctx, () => ({ ok: true, latencyMs: this.#latencyMs, version: 'fake-1', message: null }));
    } catch (error) {
      return { ok: false, latencyMs: 0, version: null, message: toPanelkitError(error).message };
    }
  }

  /** The configured targets, each with its current client count, and (where the fake declares kinds) its kinds and pool. */
  async listTargets(ctx: CallContext): Promise<RemoteTarget[]> {
    return this.#call('listTargets', ctx, () => this.#targets.map((t) => this.#remoteTarget(t)));
  }

  async createClients(target: TargetRef, specs: readonly ClientSpec[], ctx: CallContext): Promise<CreatedClient[]> {
    return this.#call('createClients', ctx, () => {
      const held = this.#target(target.remoteRef);
      const context = { panelKind: this.kind, operation: 'createClients' };
      if (held === undefined) throw new PanelNotFoundError(`inbound ${target.remoteRef} not found`, context);
      // Every spec is checked and every address found before the first client is made: a refusal changes nothing.
      const planned = new Map<string, { spec: ClientSpec; credentials: KindCredentials; address: string | null }>();
      const taken = new Set<string>();
      for (const spec of specs) {
        const credentials = credentialsFor(held, spec, context);
        const existing = this.#clients.get(spec.identity.username);
        if (existing !== undefined) checkAdoptable(existing, credentials, context);
        if (existing !== undefined || planned.has(spec.identity.username)) continue;
        const address = this.#addressFor(held, spec, credentials, taken);
        if (address !== null) taken.add(address);
        planned.set(spec.identity.username, { spec, credentials, address });
      }
      for (const { spec, credentials, address } of planned.values()) this.#store(held, spec, credentials, address, held.remoteRef, true);
      return specs.map((spec): CreatedClient => {
        const client = this.#clients.get(spec.identity.username)!;
        return this.#linksWithCreate ? { ...this.#remote(client), links: this.#linksOf(client) } : this.#remote(client);
      });
    });
  }

  async getClient(ref: ClientRef, ctx: CallContext): Promise<RemoteClient | null> {
    return this.#call('getClient', ctx, () => {
      const client = this.#clients.get(ref.username);
      return client === undefined ? null : this.#remote(client);
    });
  }

  /**
   * The devices the fake panel registered for a client (set with `setDevices`); answered only when the fake declares
   * `capabilities.deviceList`, as a real adapter without the capability has no such method to call.
   */
  async listDevices(ref: ClientRef, ctx: CallContext): Promise<RemoteDevice[]> {
    return this.#call('listDevices', ctx, () => (this.#devices.get(ref.username) ?? []).map((d) => ({ ...d })));
  }

  /**
   * Forgets one device of a client (called only where the fake declares `capabilities.deviceRemoval`); one it does
   * not hold is success.
   */
  async removeDevice(ref: ClientRef, hwid: string, ctx: CallContext): Promise<void> {
    return this.#call('removeDevice', ctx, () => {
      const devices = this.#devices.get(ref.username);
      if (devices !== undefined)
        this.#devices.set(
          ref.username,
          devices.filter((d) => d.hwid !== hwid),
        );
    });
  }

  /** Forgets every device of a client (where the fake declares `capabilities.deviceRemoval`). */
  async resetDevices(ref: ClientRef, ctx: CallContext): Promise<void> {
    return this.#call('resetDevices', ctx, () => {
      this.#devices.delete(ref.username);
    });
  }

  /** The devices the fake panel holds for a client now (for assertions; `setDevices` sets them). */
  devicesOf(username: string): RemoteDevice[] {
    return (this.#devices.get(username) ?? []).map((d) => ({ ...d }));
  }

  /** Sets the devices the fake panel reports for a client (as if its apps fetched the panel's own link). */
  setDevices(username: string, devices: readonly RemoteDevice[]): void {
    this.#devices.set(
      username,
      devices.map((d) => ({ ...d })),
    );
  }

  /**
   * The addresses the fake panel reports per client (`setClientAddresses`; `null` for every client while
   * `silenceClientAddresses(true)`), as the port promises: a target only where `capabilities.clientAddresses.bulk`,
   * and nothing at all (`PanelUnsupportedError`) where the fake does not declare `clientAddresses`.
   */
  async listClientAddresses(scope: ClientAddressScope, ctx: CallContext): Promise<ClientAddressReading[]> {
    return this.#call('listClientAddresses', ctx, () => {
      const capability = this.capabilities.clientAddresses;
      const context = { panelKind: this.kind, operation: 'listClientAddresses' };
      if (capability === undefined) throw new PanelUnsupportedError('this fake panel reports no client addresses', context);
      if (!isClientList(scope) && !capability.bulk)
        throw new PanelUnsupportedError('this fake panel reads client addresses one client at a time', context);
      const names = isClientList(scope)
        ? scope.map((ref) => ref.username)
        : [...this.#clients.values()].filter((c) => c.targetRef === scope.remoteRef).map((c) => c.identity.username);
      const at = this.#clock.now();
      return names.map((name) =>
        this.#clients.has(name)
          ? this.#addresses.read(name, at, capability.liveCounts)
          : { username: name, at, addresses: [], silentNodes: [] },
      );
    });
  }

  /** The client connects from these source addresses from now on, as `listClientAddresses` reports them (`[]`: none). */
  setClientAddresses(username: string, addresses: readonly string[]): void {
    this.#addresses.set(username, addresses);
  }

  /** While silent, `listClientAddresses` reads `null` for every client: a node that does not answer, a panel not recording. */
  silenceClientAddresses(silent: boolean): void {
    this.#addresses.silence(silent);
  }

  async updateClient(ref: ClientRef, patch: ClientPatch, ctx: CallContext): Promise<RemoteClient> {
    return this.#call('updateClient', ctx, () => {
      const client = this.#require(ref, 'updateClient');
      if (patch.expiry !== undefined) client.expiry = patch.expiry;
      if (patch.trafficLimitBytes !== undefined) client.trafficLimitBytes = patch.trafficLimitBytes;
      if (patch.deviceLimit !== undefined) client.deviceLimit = patch.deviceLimit;
      if (patch.enabled !== undefined) client.enabled = patch.enabled;
      this.#enforce(client);
      return this.#remote(client);
    });
  }

  async resetUsage(ref: ClientRef, ctx: CallContext): Promise<void> {
    return this.#call('resetUsage', ctx, () => {
      const client = this.#require(ref, 'resetUsage');
      client.uploadBytes = 0;
      client.downloadBytes = 0;
    });
  }

  async deleteClient(ref: ClientRef, ctx: CallContext): Promise<void> {
    return this.#call('deleteClient', ctx, () => {
      if (this.#clients.delete(ref.username)) this.deleted++;
      this.#addresses.forget(ref.username);
    });
  }

  async listClients(request: { cursor?: string | null; limit?: number }, ctx: CallContext): Promise<ClientListPage> {
    return this.#call('listClients', ctx, () => {
      const limit = Math.min(request.limit ?? this.#maxPageSize, this.#maxPageSize);
      const names = [...this.#clients.keys()].sort();
      const after = request.cursor ?? null;
      const start = after === null ? 0 : names.findIndex((n) => n > after);
      const slice = start < 0 ? [] : names.slice(start, start + limit);
      const last = slice.at(-1);
      const more = start >= 0 && start + limit < names.length;
      return { items: slice.map((n) => this.#remote(this.#clients.get(n)!)), nextCursor: more && last !== undefined ? last : null };
    });
  }

  async links(ref: ClientRef, ctx: CallContext): Promise<ClientLinks> {
    return this.#call('links', ctx, () => this.#linksOf(this.#require(ref, 'links')));
  }

  // ---- internals --------------------------------------------------------------------------------

  #linksOf(client: FakeClient): ClientLinks {
    return linksOf(client, this.#target(client.targetRef));
  }

  #target(remoteRef: string): FakeTarget | undefined {
    return this.#targets.find((t) => t.remoteRef === remoteRef);
  }

  #remoteTarget(target: FakeTarget): RemoteTarget {
    const clientCount = [...this.#clients.values()].filter((c) => c.targetRef === target.remoteRef).length;
    const { remoteRef, name, protocol, remoteMeta, pool } = target;
    const capacity = pool?.hosts.length ?? 0;
    return {
      remoteRef,
      name,
      protocol,
      enabled: true,
      clientCount,
      remoteMeta: { ...remoteMeta },
      ...(this.capabilities.kinds === undefined ? {} : { kinds: [...target.kinds] }),
      ...(pool === null ? {} : { pool: { capacity, free: capacity - this.peerAddresses(remoteRef).length } }),
    };
  }

  /**
   * The address a new WireGuard peer gets on `target` (none for other kinds): a free preferred one, else the lowest
   * free, counting `taken` as held; `PanelPoolExhaustedError` when none is left.
   */
  #addressFor(target: FakeTarget, spec: ClientSpec, credentials: KindCredentials, taken: ReadonlySet<string>): string | null {
    if (target.pool === null || credentials.wireguard === undefined) return null;
    const held = new Set([...this.peerAddresses(target.remoteRef), ...taken]);
    const address = allocate(target.pool, held, spec.wireguard?.preferredAddresses);
    if (address !== null) return address;
    throw new PanelPoolExhaustedError(
      `WireGuard subnet ${target.pool.cidr} has no free addresses`,
      { panelKind: this.kind, operation: 'createClients' },
      { details: { remoteRef: target.remoteRef } },
    );
  }

  async #call<T>(operation: FakePanelOperation, ctx: CallContext, apply: () => T): Promise<T> {
    if (operation !== 'health') this.calls[operation]++;
    this.#inFlight++;
    this.peakConcurrency = Math.max(this.peakConcurrency, this.#inFlight);
    try {
      if (this.#latencyMs > 0) await this.#sleep(this.#latencyMs, ctx.signal);
      if (ctx.signal.aborted) throw ctx.signal.reason;
      if (this.#down) throw new PanelConnectionError('connection refused', { panelKind: this.kind, operation });
      if (this.#revoked) throw new PanelAuthError('the API token was revoked', { panelKind: this.kind, operation, status: 401 });
      const fault: FakeFault | undefined = this.#faults.take(operation);
      if (fault?.type === 'fail') throw fault.error();
      const result = await this.#attempt(operation, ctx, apply);
      if (fault?.type === 'lose_response') throw fault.error();
      return result;
    } finally {
      this.#inFlight--;
    }
  }

  /** One attempt on the wire: an injected fault stops it, or loses its answer after it applied. */
  async #attempt<T>(operation: FakePanelOperation, ctx: CallContext, apply: () => T): Promise<T> {
    const context = { panelKind: this.kind, operation };
    const fault = this.#wire.take(operation);
    if (fault !== undefined && fault.kind !== 'lost_response' && fault.kind !== 'lost_connection') {
      await failAttempt(fault, context, this.#timeoutMs, ctx.signal);
    }
    const result = apply();
    if (fault?.kind === 'lost_response') throw lostAnswer(context);
    if (fault?.kind === 'lost_connection') throw lostConnection(context);
    return result;
  }

  /** Stores a new client; `counted` adds it to `created` (the panel's own fillers are not). */
  #store(
    target: FakeTarget | undefined,
    spec: ClientSpec,
    credentials: KindCredentials,
    address: string | null,
    targetRef = target?.remoteRef ?? '1',
    counted = true,
  ): FakeClient {
    const client: FakeClient = {
      id: String(this.#nextId++),
      targetRef,
      identity: { ...spec.identity },
      expiry: spec.expiry,
      trafficLimitBytes: spec.trafficLimitBytes,
      deviceLimit: spec.deviceLimit,
      enabled: spec.enabled,
      uploadBytes: 0,
      downloadBytes: 0,
      lastOnlineAt: null,
      note: spec.note ?? null,
      kind: credentials.kind,
      ...(credentials.wireguard === undefined
        ? {}
        : { wireguard: { ...credentials.wireguard, addresses: address === null ? [] : [address] } }),
      ...(credentials.mtproto === undefined ? {} : { mtproto: { ...credentials.mtproto } }),
    };
    this.#clients.set(spec.identity.username, client);
    if (counted) this.created++;
    return client;
  }

  #require(ref: ClientRef, operation: FakePanelOperation): FakeClient {
    const client = this.#clients.get(ref.username);
    if (client === undefined) throw new PanelNotFoundError(`client ${ref.username} not found`, { panelKind: this.kind, operation });
    return client;
  }

  /** What a panel that enforces limits does on its own. */
  #enforce(client: FakeClient): void {
    const caps = capabilitiesFor(this.capabilities, client.kind) ?? this.capabilities;
    const used = client.uploadBytes + client.downloadBytes;
    if (caps.enforcesTrafficLimit && client.trafficLimitBytes !== null && used >= client.trafficLimitBytes) client.enabled = false;
    if (caps.enforcesExpiry && client.expiry.type === 'at' && client.expiry.at.getTime() <= this.#clock.now().getTime()) {
      client.enabled = false;
    }
  }

  #status(client: FakeClient): string {
    if (client.expiry.type === 'after_first_use') return 'on_hold';
    if (client.expiry.type === 'at' && client.expiry.at.getTime() <= this.#clock.now().getTime()) return 'expired';
    const used = client.uploadBytes + client.downloadBytes;
    if (client.trafficLimitBytes !== null && used >= client.trafficLimitBytes) return 'limited';
    return client.enabled ? 'active' : 'disabled';
  }

  #remote(client: FakeClient): RemoteClient {
    this.#enforce(client);
    const target = this.#target(client.targetRef);
    const counts = capabilitiesFor(this.capabilities, client.kind)?.countsTraffic ?? true;
    return {
      ref: {
        target: { remoteRef: client.targetRef, protocol: target?.protocol ?? 'vless', remoteMeta: { ...target?.remoteMeta } },
        username: client.identity.username,
        remoteClientId: client.id,
      },
      enabled: client.enabled,
      expiry: client.expiry,
      trafficLimitBytes: client.trafficLimitBytes,
      usedBytes: counts ? client.uploadBytes + client.downloadBytes : 0,
      uploadBytes: counts ? client.uploadBytes : null,
      downloadBytes: counts ? client.downloadBytes : null,
      deviceLimit: client.deviceLimit,
      panelStatus: this.#status(client),
      lastOnlineAt: client.lastOnlineAt,
      ...(this.capabilities.kinds === undefined ? {} : { kind: client.kind }),
      ...(client.wireguard === undefined
        ? {}
        : { wireguard: { publicKey: client.wireguard.publicKey, addresses: [...client.wireguard.addresses] } }),
      ...(client.mtproto === undefined ? {} : { mtproto: { secret: client.mtproto.secret } }),
    };
  }
}
