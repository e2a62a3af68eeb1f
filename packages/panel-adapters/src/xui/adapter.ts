/**
 * The 3x-ui adapter: one `PanelHttp` (cookie jar with `lang=en-US`, `X-Requested-With` so old
 * panels answer 401 instead of redirecting), a session strategy for passwords (CSRF-aware) or
 * Bearer tokens, and one of two drivers chosen by a probe on first use (see `probe.ts`).
 */
import { ConfigurationError, PanelUnsupportedError, systemClock, type Clock } from '@panelkit/sdk';
import {
  PANEL_ADAPTER_API_VERSION,
  type CallContext,
  type ClientAddressReading,
  type ClientAddressScope,
  type ClientLinks,
  type ClientListPage,
  type ClientPatch,
  type ClientRef,
  type ClientSpec,
  type CreatedClient,
  type PanelAdapter,
  type PanelCapabilities,
  type PanelHealthReport,
  type RemoteClient,
  type RemoteTarget,
  type TargetRef,
} from '@panelkit/sdk/adapter';
import { connectionHttpOptions, type PanelConnectionOptions } from '../http/connection-options.js';
import { isPanelAuth } from '../http/credentials.js';
import { measureHealth } from '../http/health.js';
import { AttemptMemos } from '../http/attempt-memos.js';
import { KeyedMutex, PanelHttp } from '../http/index.js';
import { XuiApi } from './api.js';
import type { DriverDeps, ResetMemo, XuiDriver, XuiLinkSettings } from './driver.js';
import { GenADriver } from './gen-a.js';
import { GenBDriver } from './gen-b.js';
import { XuiSubscriptionSettings } from './sub-settings.js';
import { XUI_ALL_KINDS } from './kinds.js';
import { XUI_CLIENT_ADDRESSES } from './client-addresses.js';
import { detectGeneration, type XuiGeneration } from './probe.js';
import { XuiSession, type XuiAuth } from './session.js';

/**
 * How to reach a 3x-ui panel (v2.x, Gen A, and v3.x, Gen B): its full URL with the base path, a login or
 * an API token, and how its share links are written when the panel's own subscription settings are not read.
 */
export interface XuiAdapterOptions extends PanelConnectionOptions {
  /** The panel's full URL including its (usually random) base path: `https://host:2053/Xk3vR9pQ2mW7/`. */
  readonly baseUrl: string;
  /** A panel login (v2.x and v3.x), or a v3.0+ API token (sent as `Authorization: Bearer`). */
  readonly auth: XuiAuth;
  /** Time for expiry status and link remarks. Default: the system clock. */
  readonly clock?: Clock;
  /** Skip the probe when the generation is known: `A` = v2.x – v3.0.x, `B` = v3.1+. Default `auto`. */
  readonly generation?: 'auto' | XuiGeneration;
  readonly links?: {
    /** Address in share links when an inbound listens on all interfaces. Default: the base URL's host name. */
    readonly host?: string;
    /**
     * The subscription base URL; the subId is appended. Default: the `subURI` the panel reports
     * (`defaultSettings`, built from its `subURI`, `subDomain`, `subPort`, `subPath` and TLS settings),
     * or no subscription URL when the panel's subscription service is off. Set it when the
     * subscription is served behind a proxy, or with an API token on v3.0 – v3.2 (which show their
     * settings only to a password login).
     */
    readonly subscriptionBaseUrl?: string;
    /** The panel's `remarkModel` (Gen A links). Default `-ieo`. */
    readonly remarkModel?: string;
    /** The panel's `subShowInfo` (Gen A links: traffic/days left in the remark). Default false. */
    readonly showInfo?: boolean;
  };
}

const CAPABILITIES_BASE = {
  batchCreate: true,
  inPlaceUpdate: true,
  bulkUsage: true,
  startOnFirstUse: true,
  enforcesExpiry: true,
  enforcesTrafficLimit: true,
  resetUsage: true,
  deviceLimit: true,
} as const;

function validate(options: XuiAdapterOptions): URL {
  let url: URL;
  try {
    url = new URL(options.baseUrl);
  } catch {
    throw new ConfigurationError('3x-ui baseUrl is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigurationError('3x-ui baseUrl must be http or https');
  if (!isPanelAuth(options.auth)) throw new ConfigurationError('3x-ui auth needs { username, password } or { token }');
  return url;
}

/**
 * The 3x-ui adapter (v2.x–v3.x; the API generation is probed on first use): clients placed on
 * inbounds. Create it with {@link createXuiAdapter}.
 */
export class XuiAdapter implements PanelAdapter {
  readonly kind = '3x-ui';
  readonly apiVersion = PANEL_ADAPTER_API_VERSION;
  #capabilities: PanelCapabilities;
  readonly #http: PanelHttp;
  /** What a reset knew before its first attempt, across the engine's attempts (see `AttemptMemos`). */
  readonly #resets = new AttemptMemos<ResetMemo>();
  readonly #session: XuiSession;
  readonly #deps: DriverDeps;
  readonly #forced: XuiGeneration | undefined;
  #driver: Promise<XuiDriver> | undefined;

  constructor(options: XuiAdapterOptions) {
    const url = validate(options);
    const maxConcurrency = options.maxConcurrency ?? 4;
    // Gen A rewrites an inbound's whole settings on every client write. Until the probe has said
    // Gen B, assume Gen A: serialising writes a panel could take in parallel only costs speed.
    // Gen A links are built here, as a stable choice among the panel's values; Gen B asks the panel,
    // which picks a Reality sni/sid at random per read. Only a configured Gen A promises stable links.
    this.#capabilities = {
      ...CAPABILITIES_BASE,
      maxConcurrency,
      serialTargetWrites: options.generation !== 'B',
      stableShareLinks: options.generation === 'A',
      // Gen A panels (≤ v3.0.2) hold Xray users only; otherwise what v3.5+ provisions, until the version is read.
      ...(options.generation === 'A' ? {} : { kinds: XUI_ALL_KINDS, clientAddresses: XUI_CLIENT_ADDRESSES }),
    };
    this.#session = new XuiSession(options.auth, () => this.#http);
    this.#http = new PanelHttp(
      {
        ...connectionHttpOptions(this.kind, options),
        cookies: true,
        initialCookies: ['lang=en-US'],
        headers: { 'x-requested-with': 'XMLHttpRequest' },
      },
      this.#session,
    );
    const links: XuiLinkSettings = {
      host: options.links?.host ?? url.hostname,
      subscriptionBaseUrl: options.links?.subscriptionBaseUrl === undefined ? undefined : withSlash(options.links.subscriptionBaseUrl),
      remarkModel: options.links?.remarkModel ?? '-ieo',
      showInfo: options.links?.showInfo ?? false,
    };
    const api = new XuiApi(this.#http);
    const clock = options.clock ?? systemClock;
    const fromPanel = new XuiSubscriptionSettings(api, clock, () => this.#session.usesToken, options.logger);
    const configured = links.subscriptionBaseUrl;
    const subscriptionBase = (ctx: CallContext) => (configured === undefined ? fromPanel.base(ctx) : Promise.resolve(configured));
    this.#deps = {
      api,
      clock,
      writes: new KeyedMutex(),
      links,
      subscriptionBase,
      refusesDuplicateEmails: () => this.#session.csrfPanel === false,
      declareKinds: (kinds) => {
        const { kinds: _previous, ...rest } = this.#capabilities;
        this.#capabilities = kinds === undefined ? rest : { ...rest, kinds };
      },
      declareClientAddresses: (recorded) => {
        const { clientAddresses: _previous, ...rest } = this.#capabilities;
        this.#capabilities = recorded ? { ...rest, clientAddresses: XUI_CLIENT_ADDRESSES } : rest;
      },
    };
    this.#forced = options.generation === 'auto' ? undefined : options.generation;
  }

  /**
   * What the panel can do; `serialTargetWrites` turns false once the panel is known to be Gen B. `kinds` starts as
   * everything a v3.5+ panel provisions (`xray`; `wireguard` and `mtproto`, neither with a device limit, MTProto with
   * `ee` secrets only and no start on first use) and narrows to the panel's version once a call has read it (Gen A:
   * Xray only; v3.4.2: WireGuard; v3.5+: both). Before that, `listTargets` reports no kind an older panel lacks and
   * `createClients` refuses one with `PanelUnsupportedError`.
   */
  get capabilities(): PanelCapabilities {
    return this.#capabilities;
  }

  /** Which API generation the panel speaks (probes on first use). */
  async generation(ctx: CallContext): Promise<XuiGeneration> {
    return (await this.#ensure(ctx)).generation;
  }

  #ensure(ctx: CallContext): Promise<XuiDriver> {
    if (!this.#driver) {
      const pending = (async () => {
        const generation = this.#forced ?? (await detectGeneration(this.#deps.api, this.#session, ctx));
        this.#capabilities = { ...this.#capabilities, serialTargetWrites: generation === 'A' };
        if (generation === 'A') {
          this.#deps.declareKinds(undefined);
          this.#deps.declareClientAddresses(false);
        }
        return generation === 'B' ? new GenBDriver(this.#deps) : new GenADriver(this.#deps);
      })();
      this.#driver = pending;
      pending.catch(() => {
        if (this.#driver === pending) this.#driver = undefined;
      });
    }
    return this.#driver;
  }

  #run<T>(ctx: CallContext, operation: (driver: XuiDriver, ctx: CallContext) => Promise<T>): Promise<T> {
    return this.#http.attempt(ctx, async (attemptCtx) => operation(await this.#ensure(attemptCtx), attemptCtx));
  }

  health(ctx: CallContext): Promise<PanelHealthReport> {
    return measureHealth(async () => {
      const status = await this.#run(ctx, (driver, c) => driver.health(c));
      const ok = status.xrayState === null || status.xrayState === 'running';
      return { ok, version: status.version, message: ok ? null : `xray is ${status.xrayState}` };
    });
  }

  /** One target per inbound on the panel, with its protocol and client count. */
  listTargets(ctx: CallContext): Promise<RemoteTarget[]> {
    return this.#run(ctx, (driver, c) => driver.listTargets(c));
  }

  createClients(target: TargetRef, specs: readonly ClientSpec[], ctx: CallContext): Promise<CreatedClient[]> {
    if (specs.length === 0) return Promise.resolve([]);
    return this.#run(ctx, (driver, c) => driver.createClients(target, specs, c));
  }

  getClient(ref: ClientRef, ctx: CallContext): Promise<RemoteClient | null> {
    return this.#run(ctx, (driver, c) => driver.getClient(ref, c));
  }

  updateClient(ref: ClientRef, patch: ClientPatch, ctx: CallContext): Promise<RemoteClient> {
    return this.#run(ctx, (driver, c) => driver.updateClient(ref, patch, c));
  }

  /** Zeroes usage only: Gen B's reset also turns a disabled client on, and the driver turns it off again. */
  resetUsage(ref: ClientRef, ctx: CallContext): Promise<void> {
    return this.#resets.run(
      ctx,
      (): ResetMemo => ({}),
      (memo) => this.#run(ctx, (driver, c) => driver.resetUsage(ref, c, memo)),
    );
  }

  deleteClient(ref: ClientRef, ctx: CallContext): Promise<void> {
    return this.#run(ctx, (driver, c) => driver.deleteClient(ref, c));
  }

  listClients(request: { cursor?: string | null; limit?: number }, ctx: CallContext): Promise<ClientListPage> {
    return this.#run(ctx, (driver, c) => driver.listClients(request, c));
  }

  links(ref: ClientRef, ctx: CallContext): Promise<ClientLinks> {
    return this.#run(ctx, (driver, c) => driver.links(ref, c));
  }

  /**
   * The client IPs 3x-ui v3.4.1+ records (`server/clientIps`, with `clients/onlines`: two calls a panel, whatever the
   * scope): an online client reads the IPs the panel's IP job last wrote (its live connections, or with an IP limit
   * those of the last 30 minutes), `null` when it wrote none (fail2ban off, `XUI_ENABLE_FAIL2BAN` not `true`, or the
   * core's API down); an offline client reads `[]`. Older panels: `PanelUnsupportedError`.
   */
  listClientAddresses(scope: ClientAddressScope, ctx: CallContext): Promise<ClientAddressReading[]> {
    return this.#run(ctx, (driver, c) => {
      if (driver.listClientAddresses === undefined)
        throw new PanelUnsupportedError(
          '3x-ui before v3.1 gives no client IPs this adapter reads',
          this.#http.context('listClientAddresses'),
        );
      return driver.listClientAddresses(scope, c);
    });
  }
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** A 3x-ui adapter (v2.x – v3.x; the API generation is probed on first use). */
export function createXuiAdapter(options: XuiAdapterOptions): XuiAdapter {
  return new XuiAdapter(options);
}
