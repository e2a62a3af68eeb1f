/**
 * Share links for one client on one 3x-ui inbound, built from the inbound's stream settings the
 * way the panel's own subscription service builds them:
 *
 * - `v2` follows `sub/subService.go` of v2.x (genVlessLink, genVmessLink, genTrojanLink,
 *   genShadowsocksLink, genRemark with `remarkModel`/`subShowInfo`); query keys sorted by
 *   `url.Values.Encode`; Shadowsocks userinfo is StdEncoding base64.
 * - `v3` follows `internal/sub/service.go` of v3.x for the same four protocols: SIP022 userinfo
 *   for 2022 ciphers, percent-encoded trojan passwords, `spx` derived per client, the remark
 *   `inbound-extra-email`, and external-proxy TLS overrides.
 *
 * The panel picks the Reality `sni`/`sid` (and in v2 `spx`) at random per request. Links stored by
 * a shop should not change every time they are read, so the choice here is a stable function of
 * the client's subId and email: still one of the values the panel itself could have picked.
 */
import { goEncodeQuery, goFragmentEscape, goFragmentEscapeV3, goMarshalIndent, goQueryEscape } from './go-format.js';
import { linkRemark, type RemarkOptions, type RemarkStats } from './remark.js';
import {
  externalProxies,
  networkParams,
  obj,
  proxyParams,
  realityParams,
  str,
  tlsParams,
  type ExternalProxy,
  type Obj,
} from './stream-params.js';

/**
 * How share links are built: `v2` as 3x-ui v2.x's subscription service does, `v3` as v3.x does (IPv6
 * in brackets, remark joined with `-`). Exported as `XuiLinkStyle`.
 */
export type LinkStyle = 'v2' | 'v3';

/** The inbound fields link building reads (settings and streamSettings as objects). */
export interface LinkInbound {
  readonly remark: string;
  readonly listen: string;
  readonly port: number;
  readonly protocol: string;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly streamSettings: Readonly<Record<string, unknown>>;
}

/** The client fields link building reads. */
export interface LinkClient {
  readonly email: string;
  readonly id?: string | undefined;
  readonly password?: string | undefined;
  readonly flow?: string | undefined;
  readonly security?: string | undefined;
  readonly subId?: string | undefined;
}

/** How 3x-ui share links are built (exported as `XuiShareLinkOptions`): the remark's options, and the host to put in links. */
export interface ShareLinkOptions extends RemarkOptions {
  readonly style: LinkStyle;
  /** The address used when the inbound listens on all interfaces (the subscription request's host). */
  readonly host: string;
  /** The client's traffic row, for `showInfo` remarks (v2). */
  readonly stats?: RemarkStats | undefined;
}

const ANY_ADDRESS = new Set(['', '0.0.0.0', '::', '::0']);

function addressOf(inbound: LinkInbound, host: string): string {
  return ANY_ADDRESS.has(inbound.listen) ? host : inbound.listen;
}

function url(style: LinkStyle, base: string, params: Map<string, string>, remark: string): string {
  const query = params.size > 0 ? `?${goEncodeQuery(params)}` : '';
  const fragment = remark === '' ? '' : `#${style === 'v2' ? goFragmentEscape(remark) : goFragmentEscapeV3(remark)}`;
  return `${base}${query}${fragment}`;
}

function hostPort(host: string, port: number, style: LinkStyle): string {
  if (style === 'v3' && host.includes(':')) return `[${host.replace(/^\[|\]$/g, '')}]:${port}`;
  return `${host}:${port}`;
}

/** `encodeUserinfo` (v3): `url.QueryEscape` with `%20` for spaces. */
function encodeUserinfo(text: string): string {
  return goFragmentEscapeV3(text);
}

function base64Url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/**
 * The client's share links on this inbound (several when the inbound has external proxies), or
 * an empty list for a protocol the subscription service does not share.
 */
export function buildShareLinks(inbound: LinkInbound, client: LinkClient, options: ShareLinkOptions): string[] {
  const { style } = options;
  const stream = inbound.streamSettings as Obj;
  const network = str(stream.network) ?? '';
  const security = str(stream.security) ?? '';
  const seed = `${client.subId ?? ''}|${client.email}`;
  const remarkFor = (extra: string): string => linkRemark(inbound.remark, client.email, extra, options);
  const address = addressOf(inbound, options.host);
  const proxies = externalProxies(stream);

  if (inbound.protocol === 'vmess') return vmessLinks(inbound, client, options, stream, network, security, address, proxies, remarkFor);

  const params = new Map<string, string>();
  let userinfo: string;
  if (inbound.protocol === 'vless') {
    params.set('type', network);
    const encryption = str(inbound.settings.encryption);
    if (encryption !== undefined) params.set('encryption', encryption);
    networkParams(stream, network, params, style);
    if (security === 'tls') tlsParams(stream, params, style);
    else if (security === 'reality') realityParams(stream, params, seed, style);
    else params.set('security', 'none');
    const flow = client.flow ?? '';
    if (flow !== '' && network === 'tcp' && (security === 'tls' || security === 'reality')) params.set('flow', flow);
    userinfo = client.id ?? '';
  } else if (inbound.protocol === 'trojan') {
    params.set('type', network);
    networkParams(stream, network, params, style);
    if (security === 'tls') tlsParams(stream, params, style);
    else if (security === 'reality') {
      realityParams(stream, params, seed, style);
      if (network === 'tcp' && (client.flow ?? '') !== '') params.set('flow', client.flow ?? '');
    } else params.set('security', 'none');
    userinfo = style === 'v3' ? encodeUserinfo(client.password ?? '') : (client.password ?? '');
  } else if (inbound.protocol === 'shadowsocks') {
    params.set('type', network);
    networkParams(stream, network, params, style);
    if (security === 'tls') tlsParams(stream, params, style);
    const method = str(inbound.settings.method) ?? '';
    const serverKey = str(inbound.settings.password) ?? '';
    const password = client.password ?? '';
    if (style === 'v2') {
      const part = method.startsWith('2') ? `${method}:${serverKey}:${password}` : `${method}:${password}`;
      userinfo = Buffer.from(part, 'utf8').toString('base64');
    } else {
      if (network === 'tcp' && params.get('headerType') === 'http') {
        const host = params.get('host') ?? '';
        for (const key of ['type', 'headerType', 'host', 'path']) params.delete(key);
        params.set('plugin', `obfs-local;obfs=http;obfs-host=${host}`);
      }
      userinfo = method.startsWith('2022')
        ? `${goQueryEscape(method)}:${goQueryEscape(serverKey)}:${goQueryEscape(password)}`
        : base64Url(`${method}:${password}`);
    }
  } else {
    return [];
  }

  const scheme = inbound.protocol === 'shadowsocks' ? 'ss' : inbound.protocol;
  if (proxies.length > 0) {
    return proxies.map((ep) => {
      const base = inbound.protocol === 'shadowsocks' && style === 'v3' ? new Map([...params, ['security', security]]) : params;
      return url(
        style,
        `${scheme}://${userinfo}@${hostPort(ep.dest, ep.port, style)}`,
        proxyParams(base, ep, security, style),
        externalRemark(inbound, client, ep, options, remarkFor),
      );
    });
  }
  return [url(style, `${scheme}://${userinfo}@${hostPort(address, inbound.port, style)}`, params, remarkFor(''))];
}

function externalRemark(
  inbound: LinkInbound,
  client: LinkClient,
  ep: ExternalProxy,
  options: ShareLinkOptions,
  remarkFor: (extra: string) => string,
): string {
  if (options.style === 'v2') return remarkFor(ep.remark);
  return [inbound.remark, ep.remark, client.email].filter((p) => p !== '').join('-');
}

function vmessLinks(
  inbound: LinkInbound,
  client: LinkClient,
  options: ShareLinkOptions,
  stream: Obj,
  network: string,
  security: string,
  address: string,
  proxies: ExternalProxy[],
  remarkFor: (extra: string) => string,
): string[] {
  const { style } = options;
  const o: Obj = { v: '2', add: address, port: inbound.port, type: 'none', net: network };
  const params = new Map<string, string>();
  networkParams(stream, network, params, style);
  // The vmess JSON uses the same values under its own keys.
  if (network === 'tcp') {
    o.type = str(obj(obj(stream.tcpSettings)?.header)?.type) ?? '';
    if (params.has('path')) o.path = params.get('path');
    if (params.has('host')) o.host = params.get('host');
  } else if (network === 'kcp') {
    o.type = params.get('headerType') ?? '';
    o.path = params.get('seed') ?? '';
  } else if (network === 'grpc') {
    o.path = params.get('serviceName') ?? '';
    o.authority = params.get('authority') ?? '';
    if (params.get('mode') === 'multi') o.type = 'multi';
  } else if (network === 'ws' || network === 'httpupgrade' || network === 'xhttp') {
    o.path = params.get('path') ?? '';
    o.host = params.get('host') ?? '';
    if (network === 'xhttp') o.mode = params.get('mode') ?? '';
  }
  o.tls = security;
  if (security === 'tls') {
    const tls = new Map<string, string>();
    tlsParams(stream, tls, style);
    for (const key of ['alpn', 'sni', 'fp', 'ech', 'pcs']) if (tls.has(key)) o[key] = tls.get(key);
  }
  o.id = client.id ?? '';
  const scy = client.security ?? '';
  o.scy = style === 'v3' && (scy === '' || scy === 'none' || scy === 'zero') ? 'auto' : scy;
  const encode = (value: Obj): string => `vmess://${Buffer.from(goMarshalIndent(value), 'utf8').toString('base64')}`;
  if (proxies.length > 0) {
    return proxies.map((ep) => {
      const copy: Obj = {};
      for (const [k, v] of Object.entries(o)) {
        if (ep.forceTls === 'none' && (k === 'alpn' || k === 'sni' || k === 'fp' || (style === 'v3' && k === 'pcs'))) continue;
        copy[k] = v;
      }
      copy.ps = style === 'v2' ? remarkFor(ep.remark) : externalRemark(inbound, client, ep, options, remarkFor);
      copy.add = ep.dest;
      copy.port = ep.port;
      if (ep.forceTls !== 'same') copy.tls = ep.forceTls;
      if (style === 'v3' && copy.tls === 'tls') {
        const sni = str(ep.raw.sni);
        if (sni) copy.sni = sni;
        const fp = str(ep.raw.fingerprint);
        if (fp) copy.fp = fp;
      }
      return encode(copy);
    });
  }
  o.ps = remarkFor('');
  return [encode(o)];
}
