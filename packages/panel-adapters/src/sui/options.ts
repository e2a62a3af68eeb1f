import type { PanelConnectionOptions } from '../http/connection-options.js';
import type { PanelToken } from '../http/credentials.js';

/** How to reach one S-UI panel (v1.2.0 … v1.5.x) through its token API. */
export interface SuiAdapterOptions extends PanelConnectionOptions {
  /**
   * The panel URL with its web path, e.g. `https://vpn.example.com:2095/app/` (the default web
   * path is `/app/`). Call the panel through the hostname users connect to, or set `addrs` on
   * its inbounds: S-UI bakes the API request's host into the share links it generates.
   */
  readonly baseUrl: string;
  /** An API token (S-UI UI → Admin → API Token): `{ token }`. Sent as the `Token` header, never logged. */
  readonly auth: PanelToken;
  /**
   * Where subscriptions are served, ending in the path, e.g. `https://vpn.example.com:2096/sub/`.
   * Default: the `subURI` the panel reports (`GET apiv2/load`), which always carries a port, even
   * 80 or 443 (a bug in `GetFinalSubURI`), and the API call's host unless `subDomain` is set.
   */
  readonly subscriptionBaseUrl?: string;
  /** The panel's version, when known; otherwise it is read from `GET apiv2/status?r=sys` when needed. */
  readonly version?: string;
  /** Calls in flight at once. Default 4 (every save restarts sing-box inbounds; be gentle). */
  readonly maxConcurrency?: number;
}
