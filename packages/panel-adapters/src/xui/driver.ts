/**
 * What both 3x-ui API generations implement for the adapter. A driver makes one attempt; the
 * adapter wraps each operation in the retry policy and, for Gen A, the per-inbound write lock.
 */
import type { Clock } from '@panelkit/sdk';
import type {
  CallContext,
  ClientAddressReading,
  ClientAddressScope,
  ClientLinks,
  ClientListPage,
  ClientPatch,
  ClientRef,
  ClientSpec,
  CreatedClient,
  PanelCapabilities,
  RemoteClient,
  RemoteTarget,
  TargetRef,
} from '@panelkit/sdk/adapter';
import type { KeyedMutex } from '../http/index.js';
import type { XuiApi } from './api.js';

/** How links and subscription URLs are made (see `XuiAdapterOptions.links`). */
export interface XuiLinkSettings {
  /** Address put in share links when an inbound listens on all interfaces. */
  readonly host: string;
  /** Subscription base URL as configured; the client's subId is appended. Unset: read from the panel. */
  readonly subscriptionBaseUrl: string | undefined;
  readonly remarkModel: string;
  readonly showInfo: boolean;
}

export interface DriverDeps {
  readonly api: XuiApi;
  readonly clock: Clock;
  /** Serialises writes per inbound (`inbound:<id>`, Gen A) and per client (`client:<email>`, Gen B). */
  readonly writes: KeyedMutex;
  readonly links: XuiLinkSettings;
  /** The subscription base URL: the configured one, else the panel's own (`null` when it serves none). */
  subscriptionBase(ctx: CallContext): Promise<string | null>;
  /**
   * Whether the panel is known to refuse an `addClient` of an email it already holds (`Duplicate email`): a v2.x
   * panel, known by its login asking no CSRF. v3.0.2 took duplicates (MHSanaei/3x-ui#4438), and a token login
   * tells no version: there, only a read before the write keeps a retried create from adding a client twice.
   */
  refusesDuplicateEmails(): boolean;
  /** Narrows the adapter's declared kinds once the panel's version is known (`undefined`: Xray only). */
  declareKinds(kinds: PanelCapabilities['kinds'] | undefined): void;
  /** Declares or withdraws `clientAddresses` once the panel's version is known (v3.4.1+ records client IPs). */
  declareClientAddresses(recorded: boolean): void;
}

/** What a reset learns on its first attempt and its retries must not read again (the reset itself changes it). */
export interface ResetMemo {
  /** The client's admin switch before the reset. */
  enabledBefore?: boolean;
}

export interface XuiDriver {
  readonly generation: 'A' | 'B';
  /** The panel version when the panel says it (v3.x status), for health reports. */
  readonly version: string | null;
  health(ctx: CallContext): Promise<{ xrayState: string | null; version: string | null }>;
  listTargets(ctx: CallContext): Promise<RemoteTarget[]>;
  createClients(target: TargetRef, specs: readonly ClientSpec[], ctx: CallContext): Promise<CreatedClient[]>;
  getClient(ref: ClientRef, ctx: CallContext): Promise<RemoteClient | null>;
  updateClient(ref: ClientRef, patch: ClientPatch, ctx: CallContext): Promise<RemoteClient>;
  /** `memo` lives across the retries of one reset (what the client was like before the first attempt). */
  resetUsage(ref: ClientRef, ctx: CallContext, memo: ResetMemo): Promise<void>;
  deleteClient(ref: ClientRef, ctx: CallContext): Promise<void>;
  listClients(request: { cursor?: string | null; limit?: number }, ctx: CallContext): Promise<ClientListPage>;
  links(ref: ClientRef, ctx: CallContext): Promise<ClientLinks>;
  /** The recorded client IPs (Gen B on v3.4.1+); absent on Gen A. */
  listClientAddresses?(scope: ClientAddressScope, ctx: CallContext): Promise<ClientAddressReading[]>;
}

/** A client's subscription URL: the base with its subId appended; `null` without either. */
export async function subscriptionUrl(deps: DriverDeps, subId: string | undefined, ctx: CallContext): Promise<string | null> {
  if (!subId) return null;
  const base = await deps.subscriptionBase(ctx);
  return base === null ? null : `${base}${encodeURIComponent(subId)}`;
}

export function inboundIdOf(target: TargetRef): number {
  const id = Number(target.remoteRef);
  return Number.isSafeInteger(id) && id > 0 ? id : NaN;
}
