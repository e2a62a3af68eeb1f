/**
 * What a 3x-ui version changes for an API client, as the simulator needs it (the version map in
 * the contract notes, §1.1). Versions are `major.minor.patch`; a trailing `x` means the newest
 * patch of that line (`'2.8.x'` behaves as v2.8.11 does).
 */

export interface XuiVersionTraits {
  readonly version: string;
  /** v3.1+: global clients under `/panel/api/clients/*`, inbound JSON fields as objects. */
  readonly genB: boolean;
  /** v3.0+: `GET csrf-token`, `X-CSRF-Token` on login and every unsafe request. */
  readonly csrf: boolean;
  /** v3.0+: `Authorization: Bearer` API tokens. */
  readonly bearer: boolean;
  /** How an unauthenticated API call is answered. */
  readonly unauthenticated: 'redirect-or-401-json' | '404-empty' | '404-or-401-empty';
  /** v2.1 – v3.0.x refuse to delete an inbound's last client. */
  readonly lastClientGuard: boolean;
  /** v2.8.3+: `getClientTraffics` answers `success:false` for an unknown email (before: `obj:null`). */
  readonly trafficUnknownIsError: boolean;
  /** v2.8.0+: `/:id/delClientByEmail/:email`. */
  readonly delByEmail: boolean;
  /** Session cookie name: `session` before v2.3.8. */
  readonly cookieName: '3x-ui' | 'session';
  /** v2.6.0+ messages (bare success text, `msg (err)` on failure). */
  readonly modernMessages: boolean;
  /** Login success text (leading space in v2). */
  readonly loginOk: string;
  /** v3.3+: settings under `/panel/api/setting/*` (session or token); before, `/panel/setting/*` (UI login only). */
  readonly settingsUnderApi: boolean;
  /** v3.3+: `mtproto` inbounds (an mtg sidecar per inbound, on the local panel only). */
  readonly mtprotoInbounds: boolean;
  /** v3.5+: each MTProto client has its own `secret` (before: one inbound-level secret, no client can be added). */
  readonly mtprotoClientSecrets: boolean;
  /** v3.4.2+: WireGuard peers are ordinary clients (keys and `allowedIPs` on the client; before: `settings.peers`). */
  readonly wireguardClients: boolean;
  /** v3.3+: `GET /panel/api/server/clientIps` answers the IP job's rows (`ips` as a JSON array). */
  readonly clientIpsApi: boolean;
  /** v3.6.0+: a full /24 widens the WireGuard allocation to its /16 (#6089); before, the /24 is the pool. */
  readonly wireguardPoolWidens: boolean;
}

type Triple = readonly [number, number, number];

/** `'2.8.x'` → [2, 8, 99] (the newest patch of that line); `'3.0.2'` → [3, 0, 2]. */
export function parseVersion(version: string): readonly [major: number, minor: number, patch: number] {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+|x))?$/.exec(version.trim());
  if (!match) throw new Error(`unrecognised 3x-ui version ${version}`);
  const patch = match[3] === undefined || match[3] === 'x' ? 99 : Number(match[3]);
  return [Number(match[1]), Number(match[2]), patch];
}

function atLeast(v: Triple, major: number, minor: number, patch = 0): boolean {
  if (v[0] !== major) return v[0] > major;
  if (v[1] !== minor) return v[1] > minor;
  return v[2] >= patch;
}

/** What a 3x-ui version does differently (API generation, CSRF and Bearer support, how it answers unauthenticated requests, cookie name, messages); exported as `xuiVersionTraits`. */
export function traitsOf(version: string): XuiVersionTraits {
  const v = parseVersion(version);
  if (!atLeast(v, 2, 0)) throw new Error('the simulator models 3x-ui v2.0 and later');
  const genB = atLeast(v, 3, 1);
  return {
    version,
    genB,
    csrf: atLeast(v, 3, 0),
    bearer: atLeast(v, 3, 0),
    unauthenticated: genB ? '404-or-401-empty' : atLeast(v, 2, 8, 4) ? '404-empty' : 'redirect-or-401-json',
    lastClientGuard: atLeast(v, 2, 1) && !genB,
    trafficUnknownIsError: atLeast(v, 2, 8, 3),
    delByEmail: atLeast(v, 2, 8, 0),
    cookieName: atLeast(v, 2, 3, 8) ? '3x-ui' : 'session',
    modernMessages: atLeast(v, 2, 6, 0),
    loginOk: atLeast(v, 3, 0) ? 'You have successfully logged into your account.' : ' You have successfully logged into your account.',
    settingsUnderApi: atLeast(v, 3, 3),
    mtprotoInbounds: atLeast(v, 3, 3),
    mtprotoClientSecrets: atLeast(v, 3, 5),
    wireguardClients: atLeast(v, 3, 4, 2),
    wireguardPoolWidens: atLeast(v, 3, 6),
    clientIpsApi: atLeast(v, 3, 3),
  };
}
