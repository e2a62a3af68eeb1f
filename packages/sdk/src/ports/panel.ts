import type { JsonObject } from '../domain/common.js';
import type { EntitlementKind, MtprotoSecretForm } from '../domain/entitlement.js';
import type { RemoteIdentity } from '../domain/remote-identity.js';
import type { Logger } from './logger.js';
import type { ClientAddressReading, ClientAddressScope, ClientAddressesCapability } from './panel-client-addresses.js';

export type { ClientAddress, ClientAddressReading, ClientAddressScope, ClientAddressesCapability } from './panel-client-addresses.js';
export { isClientList } from './panel-client-addresses.js';

/**
 * The version of the {@link PanelAdapter} contract this SDK expects; an adapter reports the one it
 * implements as `apiVersion`.
 */
export const PANEL_ADAPTER_API_VERSION = 1 as const;

/** What the panel can do; the engine and the conformance suite branch on these, never on `kind`. */
export interface PanelCapabilities {
  /** `createClients` makes several clients in one panel call. */
  readonly batchCreate: boolean;
  /** `updateClient` changes expiry, limit and enabled in place, keeping credentials and links. */
  readonly inPlaceUpdate: boolean;
  /** `listClients` returns many clients' usage per call (otherwise one call per client). */
  readonly bulkUsage: boolean;
  /** The panel can hold a client's period until first use (`after_first_use` expiry). */
  readonly startOnFirstUse: boolean;
  /** The panel disables a client itself when it expires. */
  readonly enforcesExpiry: boolean;
  /** The panel disables a client itself when it reaches its traffic limit. */
  readonly enforcesTrafficLimit: boolean;
  /** `resetUsage` is supported. */
  readonly resetUsage: boolean;
  /** The panel can limit simultaneous devices/IPs. */
  readonly deviceLimit: boolean;
  /**
   * `listDevices` reads the devices (hardware ids) the panel registered for a client on its own subscription
   * link (PasarGuard, Remnawave): the kit counts and lists them with its registry's. Absent means false.
   */
  readonly deviceList?: boolean;
  /**
   * `removeDevice` and `resetDevices` make the panel forget devices it registered for a client (PasarGuard,
   * Remnawave), so a slot the kit frees is free on the panel too. Absent means false.
   */
  readonly deviceRemoval?: boolean;
  /**
   * `listClientAddresses` reads the source addresses the panel reports per client (3x-ui v3.4.1+, PasarGuard v5+,
   * Remnawave 3.x), and how (see {@link ClientAddressesCapability}). Absent: the panel reports none (Marzban,
   * Marzneshin, S-UI, 3x-ui before v3.4.1).
   */
  readonly clientAddresses?: ClientAddressesCapability;
  /** How many calls the panel takes at once without trouble; the engine's per-panel queue uses it. */
  readonly maxConcurrency: number;
  /**
   * Client writes (create, update, reset, delete) on one target must not overlap: the panel
   * rewrites the target's whole client list on each, so overlapping writes lose each other's
   * changes (3x-ui up to v3.0.x). The engine then gives every job that writes to a target the
   * serialisation key `panel:<panelId>|target:<remoteRef>`, so that one at a time runs in the whole
   * deployment (batches still go as one write). Absent means false.
   */
  readonly serialTargetWrites?: boolean;
  /**
   * `links` gives the same share links on every read while the client's credentials are unchanged.
   * False where the panel builds links afresh per read and picks among equivalent values at random
   * (Marzban's Reality `sid`/`sni`, host and address lists; 3x-ui v3.1+'s `sni`/`sid`): every read
   * then works, but two reads differ, so a stored snapshot must never be diffed to detect drift.
   */
  readonly stableShareLinks: boolean;
  /**
   * The kinds this adapter provisions (see `ENTITLEMENT_KINDS`), each with what differs from the panel-wide
   * capabilities for that kind's clients; absent means `{ xray: {} }`, an Xray-only adapter as before kinds. Read a
   * kind's capabilities with `capabilitiesFor`.
   */
  readonly kinds?: Readonly<Partial<Record<EntitlementKind, KindCapabilities>>>;
}

/**
 * What differs for one kind's clients from the panel-wide {@link PanelCapabilities}: each field present overrides
 * the panel-wide one. A WireGuard peer or a Telegram proxy secret cannot be device-limited (`deviceLimit` is never
 * true for them), and a kind whose clients the panel cannot hold disabled removes them instead (`canDisable: false`).
 */
export interface KindCapabilities {
  readonly inPlaceUpdate?: boolean;
  readonly startOnFirstUse?: boolean;
  readonly enforcesExpiry?: boolean;
  readonly enforcesTrafficLimit?: boolean;
  readonly resetUsage?: boolean;
  readonly deviceLimit?: false;
  readonly serialTargetWrites?: boolean;
  readonly stableShareLinks?: boolean;
  /** `listClients` reports this kind's clients' traffic; false: it is sold unlimited and never topped up. Absent means true. */
  readonly countsTraffic?: boolean;
  /** Telegram proxies: the secret forms the panel writes (3x-ui: `ee` only); the adapter never sends another. */
  readonly mtproto?: { readonly secretForms: readonly MtprotoSecretForm[] };
}

/** The capabilities of a panel's clients of one kind, once a kind's overrides are applied (see {@link capabilitiesFor}). */
export interface ResolvedCapabilities extends Omit<PanelCapabilities, 'kinds'> {
  /** Whether `listClients` reports this kind's clients' traffic. */
  readonly countsTraffic: boolean;
  /** For `mtproto`, the secret forms the panel writes. */
  readonly mtproto?: { readonly secretForms: readonly MtprotoSecretForm[] };
}

/** The kinds an adapter provisions: its declared `capabilities.kinds`, or `['xray']` for an adapter that declares none. */
export function kindsOf(capabilities: PanelCapabilities): EntitlementKind[] {
  return capabilities.kinds === undefined ? ['xray'] : (Object.keys(capabilities.kinds) as EntitlementKind[]);
}

/**
 * The capabilities of a panel's `kind` clients: the panel-wide ones with the kind's overrides, and no device limit
 * for a kind whose devices cannot be counted. `null` when the adapter does not provision the kind. Every engine read
 * of capabilities for a subscription goes through this, so no code branches on a kind's name. Only Xray clients have
 * `clientAddresses`.
 */
export function capabilitiesFor(capabilities: PanelCapabilities, kind: EntitlementKind = 'xray'): ResolvedCapabilities | null {
  const { kinds, ...panelWide } = capabilities;
  const overrides = kinds === undefined ? (kind === 'xray' ? {} : undefined) : kinds[kind];
  if (overrides === undefined) return null;
  const resolved: ResolvedCapabilities = { ...panelWide, countsTraffic: true, ...overrides };
  if (kind === 'xray') return resolved;
  // A WireGuard peer roams to its latest packet's source and no panel reports a proxy secret's addresses: no reading.
  const { clientAddresses: _none, ...rest } = resolved;
  return { ...rest, deviceLimit: false, deviceList: false, deviceRemoval: false };
}

/** Given to every call. */
export interface CallContext {
  /** Aborts the call (timeout, shutdown, lease lost). */
  readonly signal: AbortSignal;
  /** Stable across all retries of one logical operation. */
  readonly idempotencyKey: string;
  /** 1 for the first try. */
  readonly attempt?: number;
  readonly logger?: Logger;
}

/** When a client stops working. */
export type Expiry =
  | { readonly type: 'never' }
  | { readonly type: 'at'; readonly at: Date }
  /** The period starts at first connection and lasts `durationMs`. */
  | { readonly type: 'after_first_use'; readonly durationMs: number };

/** An inbound (3x-ui, S-UI), inbound set (Marzban) or service (Marzneshin) clients are put on. */
export interface RemoteTarget {
  readonly remoteRef: string;
  readonly name: string;
  readonly protocol: string;
  readonly enabled: boolean;
  /** Clients on it now, when the panel tells. */
  readonly clientCount: number | null;
  /** What `TargetRef.remoteMeta` should hold for this target. */
  readonly remoteMeta: JsonObject;
  /**
   * The kinds a client placed here gets (absent: `['xray']`). A target that hands out several (a PasarGuard group
   * reaching an Xray inbound and a WireGuard core) reports them all; placement puts a non-Xray part only on a target
   * that serves that kind alone.
   */
  readonly kinds?: readonly EntitlementKind[];
  /** A WireGuard target's address pool, where the panel tells: addresses in all and still free. */
  readonly pool?: { readonly capacity: number; readonly free: number };
}

/** Where a client lives, as the adapter needs it. */
export interface TargetRef {
  readonly remoteRef: string;
  readonly protocol: string;
  readonly remoteMeta: JsonObject;
}

/** A device the panel registered for a client (an app that fetched the panel's own subscription link). */
export interface RemoteDevice {
  /** The hardware id the app sent (`X-HWID`), as the panel keeps it. */
  readonly hwid: string;
  /** The operating system the app named (`X-Device-OS`), as the panel keeps it; `null` when unknown. */
  readonly platform: string | null;
  /** `X-Ver-OS`; `null` when unknown. */
  readonly osVersion: string | null;
  /** `X-Device-Model`; `null` when unknown. */
  readonly model: string | null;
  /** The app's `User-Agent`, where the panel keeps it (Remnawave); `null` otherwise. */
  readonly userAgent: string | null;
  /** When the panel registered it; `null` when the panel does not say. */
  readonly firstSeenAt: Date | null;
  /** The panel's last fetch from it (PasarGuard's `last_used_at`, Remnawave's `updatedAt`); `null` when not said. */
  readonly lastSeenAt: Date | null;
}

/** Names one client: its target and username (and the panel's own id once known). */
export interface ClientRef {
  readonly target: TargetRef;
  readonly username: string;
  /** The panel's own id for the client, once known. */
  readonly remoteClientId?: string | null;
}

/** A client to create: its derived identity and limits. */
export interface ClientSpec {
  /** Username, uuid, password, subId and key from `deriveRemoteIdentity`. */
  readonly identity: RemoteIdentity;
  /** When it stops working. */
  readonly expiry: Expiry;
  /** `null` is unlimited. */
  readonly trafficLimitBytes: number | null;
  /** Simultaneous devices/IPs; `null` is unlimited (ignored where `capabilities.deviceLimit` is false). */
  readonly deviceLimit: number | null;
  /** Whether the client may connect from the start. */
  readonly enabled: boolean;
  /** Free text shown in the panel (e.g. the shop's subscription id); adapters may drop it. */
  readonly note?: string;
  /** The kind of client to make (absent: `xray`); its credentials are in `identity` (`wireguard`, `mtproto`). */
  readonly kind?: EntitlementKind;
  /**
   * A WireGuard peer's addresses to ask for (a re-created peer asks for the ones it had); a panel that allocates
   * from its own pool without taking a wish ignores it.
   */
  readonly wireguard?: { readonly preferredAddresses?: readonly string[] };
}

/** The fields of a client `updateClient` changes; absent fields stay as they are. */
export interface ClientPatch {
  readonly expiry?: Expiry;
  readonly trafficLimitBytes?: number | null;
  readonly deviceLimit?: number | null;
  readonly enabled?: boolean;
}

/** A client as the panel has it now. */
export interface RemoteClient {
  readonly ref: ClientRef;
  /**
   * Whether the panel lets the client connect now: false when it was disabled, and also when the
   * panel's own job stopped it for being expired or out of traffic (its admin switch may still be
   * on). Reconciliation relies on this to tell a panel that enforced a limit from drift.
   */
  readonly enabled: boolean;
  readonly expiry: Expiry;
  readonly trafficLimitBytes: number | null;
  /** Cumulative upload + download in the current period. */
  readonly usedBytes: number;
  readonly uploadBytes: number | null;
  readonly downloadBytes: number | null;
  readonly deviceLimit: number | null;
  /** The panel's own status word (`active`, `limited`, `on_hold`…), for reports. */
  readonly panelStatus: string | null;
  readonly lastOnlineAt: Date | null;
  /** The client's kind (absent: `xray`). */
  readonly kind?: EntitlementKind;
  /** A WireGuard peer's public key and the addresses the panel gave it. */
  readonly wireguard?: { readonly publicKey: string; readonly addresses: readonly string[] };
  /** A Telegram proxy client's secret as the panel holds it (hex, in the panel's form). */
  readonly mtproto?: { readonly secret: string };
}

/**
 * What a shop stores and shows for a client: the subscription URL is the thing to hand a buyer
 * (apps refresh the links from it); the share links are a snapshot of one read.
 *
 * - Every `subscriptionUrl` an adapter returns keeps working until the client's credentials are
 *   rotated, even where the panel mints a new one per read (Marzban signs a fresh token each time;
 *   older ones stay valid), so replacing a stored URL with a newer read is harmless.
 * - `shareLinks` are valid for the client now. Where `capabilities.stableShareLinks` is false they
 *   may differ from read to read (equivalent addresses, SNIs, short ids): store the latest snapshot,
 *   and compare credentials, not link text.
 */
export interface ClientLinks {
  /** The panel's subscription URL for this client, when it has one; absolute. */
  readonly subscriptionUrl: string | null;
  /** Ready-to-import links (`vless://…`, `vmess://…`, …), as of this read. */
  readonly shareLinks: readonly string[];
}

/**
 * A client as `createClients` returns it: a {@link RemoteClient}, with its links where the create's own
 * answer gave them (Marzban's `UserResponse` carries `links` and `subscription_url`) or they are a pure
 * function of what the adapter read for the create. The engine then stores them without a `links` call;
 * without them it calls `links` once per client, as before. When present they are what `links` would
 * give for the client now (`describePanelAdapter` checks it); return them for every client of a batch or
 * for none.
 */
export interface CreatedClient extends RemoteClient {
  /** The client's links as of the create, or absent where the adapter would need another call for them. */
  readonly links?: ClientLinks;
}

/** What `health` found. Never thrown: a failure is `ok: false` with a message. */
export interface PanelHealthReport {
  /** Whether the panel logged in and answered a real API call. */
  readonly ok: boolean;
  /** How long the check took, in milliseconds. */
  readonly latencyMs: number;
  /** The panel's version when it tells, else `null`. */
  readonly version: string | null;
  /** A safe, short description when not ok. */
  readonly message: string | null;
}

/**
 * A client the panel holds but cannot return: every read of it fails on the panel's side (a
 * Marzban user created without proxies makes each `GET /api/users` page that holds it answer 500).
 * The adapter skips it so the rest keep syncing, and says where it is so an admin can repair it.
 */
export interface UnreadableClient {
  /** Its username, when the panel tells it some other way; often unknown. */
  readonly username: string | null;
  /** Its 0-based position in the adapter's listing order (e.g. creation order). */
  readonly position: number;
  /** The nearest readable clients before and after it in that order, to find it by. */
  readonly after: string | null;
  readonly before: string | null;
  /** What the panel answered, short and safe to show. */
  readonly message: string;
}

/** One page of `listClients`. */
export interface ClientListPage {
  readonly items: readonly RemoteClient[];
  /** Pass back to get the next page; `null` on the last page. */
  readonly nextCursor: string | null;
  /** Clients in this page's range that the panel fails to return (absent or empty: none). */
  readonly unreadable?: readonly UnreadableClient[];
}

/**
 * The panel port: one adapter per panel kind (3x-ui, S-UI, Marzban, Marzneshin…), speaking that
 * panel's real protocol and converting its units at the edge. Every adapter passes
 * `describePanelAdapter` from `@panelkit/sdk/testing`.
 *
 * Errors are always panelkit `PanelError`s with `retryable` set right; a body that fails its
 * schema is a `PanelResponseError`; a write whose outcome is unknown and could not be read back is
 * a `PanelOutcomeUnknownError`. Nothing thrown carries credentials.
 *
 * Every call takes a {@link CallContext}: honour its `signal`, and keep writes idempotent under
 * its `idempotencyKey` (the engine retries with the same key). Units are converted at the adapter's
 * edge: bytes, milliseconds and `Date`s on this side. The guide is
 * `docs/guides/writing-a-panel-adapter.md`.
 */
export interface PanelAdapter {
  /** The panel kind it speaks (`3x-ui`, `s-ui`, `marzban`, `marzneshin`, or your own); matches `Panel.kind`. */
  readonly kind: string;
  /** The contract version implemented; must equal {@link PANEL_ADAPTER_API_VERSION}. */
  readonly apiVersion: typeof PANEL_ADAPTER_API_VERSION;
  /** What the panel can do; declared data, fixed for the adapter's life. */
  readonly capabilities: PanelCapabilities;

  /** Logs in if needed and makes one real API call; a failure is reported, not thrown. */
  health(ctx: CallContext): Promise<PanelHealthReport>;
  /** Every inbound/service clients can be placed on, enabled or not; what target sync reads. */
  listTargets(ctx: CallContext): Promise<RemoteTarget[]>;
  /**
   * Creates clients on one target, in one call where the panel can. Idempotent: a client that
   * already exists with the same username is adopted (returned as it is), never duplicated.
   * Returns one client per spec, in order, each with its links where the adapter has them without
   * another call (see {@link CreatedClient}).
   */
  createClients(target: TargetRef, specs: readonly ClientSpec[], ctx: CallContext): Promise<CreatedClient[]>;
  /** `null` when the client does not exist. */
  getClient(ref: ClientRef, ctx: CallContext): Promise<RemoteClient | null>;
  /**
   * The devices the panel registered for the client (where `capabilities.deviceList`); empty for a client
   * without devices or one that does not exist.
   */
  listDevices?(ref: ClientRef, ctx: CallContext): Promise<RemoteDevice[]>;
  /**
   * Makes the panel forget one device of the client, by its hardware id (where `capabilities.deviceRemoval`).
   * Idempotent: a device the panel does not hold, or a client that does not exist, is success.
   */
  removeDevice?(ref: ClientRef, hwid: string, ctx: CallContext): Promise<void>;
  /**
   * Makes the panel forget every device of the client (where `capabilities.deviceRemoval`). Idempotent: a
   * client without devices, or one that does not exist, is success.
   */
  resetDevices?(ref: ClientRef, ctx: CallContext): Promise<void>;
  /**
   * The source addresses the panel reports for each client of `scope` (where `capabilities.clientAddresses`): a
   * target (only where `clientAddresses.bulk`; one reading per client the target holds) or a list of clients (one
   * reading per ref, in order; a client the panel does not hold reads `[]`). A reading's `addresses` is `null` when the
   * panel gave none for the client (a silent node, a panel not recording): never `[]` for that. A target scope on an
   * adapter without `bulk` is a `PanelUnsupportedError`, as is a panel version without the route. Reads only.
   */
  listClientAddresses?(scope: ClientAddressScope, ctx: CallContext): Promise<ClientAddressReading[]>;
  /** Applies the fields present in `patch`; throws `PanelNotFoundError` when the client is missing. */
  updateClient(ref: ClientRef, patch: ClientPatch, ctx: CallContext): Promise<RemoteClient>;
  /**
   * Sets the client's used traffic to zero, and changes nothing else: enabled or disabled, waiting
   * for first use, expiry, limit and whatever else the panel keeps for the client (Marzban's
   * `next_plan`) are as before. Several panels' own reset also re-enables the client (3x-ui v3.1+,
   * Marzban) or drops panel-side plans (Marzban); the adapter puts those back before it returns.
   */
  resetUsage(ref: ClientRef, ctx: CallContext): Promise<void>;
  /** Removes the client; a client that is already gone is success. */
  deleteClient(ref: ClientRef, ctx: CallContext): Promise<void>;
  /**
   * Every client on the panel (all targets), a page at a time, with cumulative usage. Pages are
   * stable under a fixed panel state. Used for usage sync and reconciliation.
   *
   * `cursor` is `null` (or absent) for the first page, then the previous page's `nextCursor`.
   * `limit` is a maximum page size, not a promise: a page may hold fewer clients (the panel's own
   * page cap, the adapter's default when absent) and only a `null` `nextCursor` ends the listing.
   */
  listClients(request: { cursor?: string | null; limit?: number }, ctx: CallContext): Promise<ClientListPage>;
  /** The client's subscription URL and share links as the panel gives them now (see `ClientLinks`). */
  links(ref: ClientRef, ctx: CallContext): Promise<ClientLinks>;
}
