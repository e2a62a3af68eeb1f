import type { EntitlementKind } from '../../domain/entitlement.js';
import type { Logger } from '../../ports/logger.js';
import type { PanelAdapter, TargetRef } from '../../ports/panel.js';
import type { ManualClock } from '../manual-clock.js';

/**
 * A fault the panel under test produces on a later request. Faults are consumed in the order they
 * were injected; each applies to the next request that matches `on` (login and session requests
 * never match, so a fault always lands on the API call the adapter makes).
 */
export type PanelFault =
  /** Answer with this HTTP status and the panel's usual error body for it; the request is not applied. */
  | { readonly kind: 'status'; readonly status: number; readonly on?: FaultScope }
  /** 429 with `Retry-After` in seconds; the request is not applied. */
  | { readonly kind: 'rate_limit'; readonly retryAfterSeconds: number; readonly on?: FaultScope }
  /** Never answer (until the adapter gives up); the request is not applied. */
  | { readonly kind: 'timeout'; readonly on?: FaultScope }
  /** 200 with a body that is not valid JSON; the request is not applied. */
  | { readonly kind: 'malformed'; readonly on?: FaultScope }
  /**
   * The panel applies the request, then the answer is lost: the adapter sees the panel's
   * "outcome unknown" signal for that kind (an empty 200 body, a 500 after commit, …).
   */
  | { readonly kind: 'lost_response'; readonly on?: FaultScope }
  /**
   * The panel reads the request in full and applies it, then the connection closes without a byte of the
   * answer (a reset after the write). Nothing tells the adapter whether the request was applied: it must not
   * send a write again at once as if it never arrived, and it settles the outcome by reading back (or fails
   * retryably, so the next attempt adopts what the first one made).
   */
  | { readonly kind: 'lost_connection'; readonly on?: FaultScope };

/** Which requests a fault may land on: any API call, reads (GET) only, or writes only. */
export type FaultScope = 'any' | 'read' | 'write';

/** A device as an app describes it to a panel's own subscription link (`X-HWID`, `X-Device-OS`, `X-Ver-OS`, …). */
export interface PanelTestDevice {
  readonly hwid: string;
  readonly platform: string;
  readonly osVersion: string;
  readonly model: string;
  readonly userAgent: string;
}

/** What the conformance suite may do to the panel behind the adapter. */
export interface PanelTestControls {
  /** Adds traffic to a client as if it had been used (cumulative counters grow). */
  addTraffic(username: string, uploadBytes: number, downloadBytes: number): Promise<void>;
  /** Queues a fault for a later request. */
  injectFault(fault: PanelFault): void;
  /** Drops every pending fault. */
  clearFaults(): void;
  /**
   * How many injected faults have not landed on a request yet. Optional: when given, the suite checks that the
   * fault a test injected was met, so that a panel which ignores a fault kind cannot pass that test unchecked.
   */
  pendingFaults?(): number;
  /** Invalidates the adapter's session or token on the panel's side (the next call must log in again). */
  expireSession(): void;
  /** How many clients with this username the panel holds, across all targets (duplicates show as > 1). */
  countClients(username: string): Promise<number>;
  /** How many logins the panel has accepted so far. */
  loginCount(): number;
  /**
   * Fetches the client's subscription from the panel's own link as an app on `device` would (its hardware id and
   * description in the request's headers), so that a panel that keeps devices registers it. Optional: without it
   * the device-list cases are skipped.
   */
  fetchSubscriptionAs?(username: string, device: PanelTestDevice): Promise<void>;
  /**
   * Makes the panel report these source addresses for the client from now on (as if it connected from each; `[]`: it
   * is connected from nowhere). Optional: without it the client-address cases are skipped.
   */
  setClientAddresses?(username: string, addresses: readonly string[]): Promise<void>;
  /**
   * While `silent`, the panel gives no address reading: its node does not answer (PasarGuard, Remnawave) or it records
   * nothing (3x-ui without fail2ban). Optional: without it the no-reading case is skipped.
   */
  silenceClientAddresses?(silent: boolean): Promise<void>;
  /**
   * Leaves exactly `free` addresses free in the WireGuard pool of `target`, taking the others with peers the panel
   * makes itself (and giving back ones it took that way before, where more must be free). Optional: without it the
   * pool-exhaustion cases of the per-kind suite are skipped.
   */
  fillPool?(target: TargetRef, free: number): Promise<void>;
  /**
   * Every peer address the panel has handed out on `target` now, one entry per peer and address (an address given
   * twice shows twice), e.g. `10.8.0.2/32`. Optional: without it the per-kind cases count peers by username only.
   */
  peerAddresses?(target: TargetRef): Promise<readonly string[]>;
  /**
   * Whether the client could open a connection now (a WireGuard peer the server has, a proxy secret it accepts).
   * Optional: without it the per-kind lifecycle cases read the client's `enabled` only.
   */
  canConnect?(username: string): Promise<boolean>;
}

/** What the suite gives your panel factory for each test: a clock for the simulated panel, the test's name and a recording logger. */
export interface PanelFactoryContext {
  /** A fresh clock for this test; the simulated panel takes its time from it. */
  clock: ManualClock;
  /** The running test's full name, e.g. to name a panel or user per test. */
  testName: string;
  /**
   * A logger that records every line; pass it to the adapter (its `logger` option) so the suite can
   * check that nothing logged holds a secret. The suite also passes it in every `CallContext`.
   */
  logger: Logger;
}

/**
 * How the adapter authenticates: `login` (a session or token it obtains with credentials and
 * renews by logging in again) or `static-token` (a token given in its options, which it cannot
 * renew: an invalidated token is a `PanelAuthError`).
 */
export type PanelSessionKind = 'login' | 'static-token';

/** One adapter wired to one fresh panel, as the suite needs it. */
export interface PanelUnderTest {
  adapter: PanelAdapter;
  /** A target on that panel that clients can be created on: the `xray` one, or the only kind's where the adapter declares one. */
  target: TargetRef;
  /**
   * A target per kind the adapter declares besides `xray` (`capabilities.kinds`), for the per-kind cases: e.g.
   * `{ wireguard: wgTarget, mtproto: mtTarget }`. A declared kind with no target here fails its cases.
   */
  targets?: Partial<Record<EntitlementKind, TargetRef>>;
  /**
   * Whether a WireGuard create gets the `ClientSpec.wireguard.preferredAddresses` it asks for when they are free
   * (3x-ui does; PasarGuard allocates the lowest free address whatever is asked). Default false: that case is skipped.
   */
  honoursPreferredAddresses?: boolean;
  controls: PanelTestControls;
  /** Called after the test. */
  cleanup?: () => Promise<void>;
  /**
   * Strings that must never appear in an error or a log line: the panel password, API tokens,
   * secret base paths. The credentials of the clients the suite creates are checked as well.
   */
  secrets?: readonly string[];
  /** Default `login`. */
  sessionKind?: PanelSessionKind;
  /**
   * Whether `links` must give a subscription URL for this panel as configured. Left out, a URL is
   * only checked for shape when one is given.
   */
  hasSubscriptionUrl?: boolean;
}
