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
import { createHash } from 'node:crypto';
import { goEncodeQuery, goFragmentEscape, goFragmentEscapeV3, goMarshalIndent, goQueryEscape } from './go-format.js';
import { linkRemark, type RemarkOptions, type RemarkStats } from './remark.js';

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

export interface ShareLinkOptions extends RemarkOptions {
  readonly style: LinkStyle;
  /** The address used when the inbound listens on all interfaces (the subscription request's host). */
  readonly host: string;
  /** The client's traffic row, for `showInfo` remarks (v2). */
  readonly stats?: RemarkStats | undefined;
}

type Obj = Record<string, unknown>;

const ANY_ADDRESS = new Set(['', '0.0.0.0', '::', '::0']);
const SEQ_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function obj(value: unknown): Obj | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : undefined;
}
function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Go `searchKey`: depth-first lookup of a key anywhere under `data`. */
function searchKey(data: unknown, key: string): { found: boolean; value: unknown } {
  if (Array.isArray(data)) {
    for (const item of data) {
      const hit = searchKey(item, key);
      if (hit.found) return hit;
    }
  } else if (obj(data)) {
    for (const [k, v] of Object.entries(data as Obj)) {
      if (k === key) return { found: true, value: v };
      const hit = searchKey(v, key);
      if (hit.found) return hit;
    }
  }
  return { found: false, value: undefined };
}

/** Go `searchHost`: the first `host` header (case-insensitive), first element when a list. */
function searchHost(headers: unknown): string {
  for (const [k, v] of Object.entries(obj(headers) ?? {})) {
    if (k.toLowerCase() !== 'host') continue;
    if (Array.isArray(v)) return str(v[0]) ?? '';
    return str(v) ?? '';
  }
  return '';
}

function stableIndex(seed: string, salt: string, length: number): number {
  const digest = createHash('sha256').update(`${salt}|${seed}`).digest();
  return digest.readUInt32BE(0) % length;
}

function pick(values: unknown, seed: string, salt: string): string | undefined {
  if (!Array.isArray(values) || values.length === 0) return undefined;
  return str(values[stableIndex(seed, salt, values.length)]) ?? '';
}

function stableSeq(seed: string, length: number): string {
  const digest = createHash('sha256').update(`spx|${seed}`).digest();
  let out = '';
  for (let i = 0; i < length; i++) out += SEQ_ALPHABET[digest[i]! % SEQ_ALPHABET.length];
  return out;
}

/** `path`/`host` of ws, httpupgrade and xhttp settings. */
function pathAndHost(settings: Obj | undefined, into: Map<string, string>): void {
  into.set('path', str(settings?.path) ?? '');
  const host = str(settings?.host);
  into.set('host', host !== undefined && host.length > 0 ? host : searchHost(settings?.headers));
}

function networkParams(stream: Obj, network: string, params: Map<string, string>, style: LinkStyle): void {
  switch (network) {
    case 'tcp': {
      const header = obj(obj(stream.tcpSettings)?.header);
      if (str(header?.type) === 'http') {
        const request = obj(header?.request);
        const paths = request?.path;
        if (Array.isArray(paths) && paths.length > 0) params.set('path', str(paths[0]) ?? '');
        let host = '';
        if (style === 'v3') host = searchHost(obj(obj(header?.response)?.headers));
        if (host === '') host = searchHost(request?.headers);
        params.set('host', host);
        params.set('headerType', 'http');
      }
      break;
    }
    case 'kcp': {
      const kcp = obj(stream.kcpSettings);
      params.set('headerType', str(obj(kcp?.header)?.type) ?? '');
      params.set('seed', str(kcp?.seed) ?? '');
      break;
    }
    case 'ws':
      pathAndHost(obj(stream.wsSettings), params);
      break;
    case 'grpc': {
      const grpc = obj(stream.grpcSettings);
      params.set('serviceName', str(grpc?.serviceName) ?? '');
      params.set('authority', str(grpc?.authority) ?? '');
      if (grpc?.multiMode === true) params.set('mode', 'multi');
      break;
    }
    case 'httpupgrade':
      pathAndHost(obj(stream.httpupgradeSettings), params);
      break;
    case 'xhttp': {
      const xhttp = obj(stream.xhttpSettings);
      pathAndHost(xhttp, params);
      params.set('mode', str(xhttp?.mode) ?? '');
      break;
    }
  }
}

function tlsParams(stream: Obj, params: Map<string, string>, style: LinkStyle): void {
  params.set('security', 'tls');
  const tls = obj(stream.tlsSettings);
  const alpn = (Array.isArray(tls?.alpn) ? tls.alpn : []).filter((a): a is string => typeof a === 'string');
  if (alpn.length > 0) params.set('alpn', alpn.join(','));
  const sni = searchKey(tls, 'serverName');
  if (sni.found) params.set('sni', str(sni.value) ?? '');
  if (tls) {
    const inner = searchKey(tls, 'settings').value;
    const fp = searchKey(inner, 'fingerprint');
    if (fp.found) params.set('fp', str(fp.value) ?? '');
    if (style === 'v3') {
      const ech = str(searchKey(inner, 'echConfigList').value);
      if (ech) params.set('ech', ech);
      const pins = searchKey(inner, 'pinnedPeerCertSha256').value;
      if (Array.isArray(pins)) {
        const list = pins.filter((p): p is string => typeof p === 'string' && p !== '');
        if (list.length > 0) params.set('pcs', list.join(','));
      }
    }
  }
}

function realityParams(stream: Obj, params: Map<string, string>, seed: string, style: LinkStyle): void {
  params.set('security', 'reality');
  const reality = obj(stream.realitySettings);
  if (!reality) return;
  const inner = searchKey(reality, 'settings').value;
  const sni = pick(searchKey(reality, 'serverNames').value, seed, 'sni');
  if (sni !== undefined) params.set('sni', sni);
  const pbk = searchKey(inner, 'publicKey');
  if (pbk.found) params.set('pbk', str(pbk.value) ?? '');
  const sid = pick(searchKey(reality, 'shortIds').value, seed, 'sid');
  if (sid !== undefined) params.set('sid', sid);
  const fp = str(searchKey(inner, 'fingerprint').value);
  if (fp) params.set('fp', fp);
  const pqv = str(searchKey(inner, 'mldsa65Verify').value);
  if (pqv) params.set('pqv', pqv);
  if (style === 'v2') {
    params.set('spx', `/${stableSeq(seed, 15)}`);
  } else {
    const spiderX = str(searchKey(inner, 'spiderX').value) ?? '';
    params.set('spx', `/${createHash('sha256').update(`${spiderX}|${seed}`).digest('hex').slice(0, 15)}`);
  }
}

function addressOf(inbound: LinkInbound, host: string): string {
  return ANY_ADDRESS.has(inbound.listen) ? host : inbound.listen;
}

interface ExternalProxy {
  forceTls: string;
  dest: string;
  port: number;
  remark: string;
  raw: Obj;
}

function externalProxies(stream: Obj): ExternalProxy[] {
  const list = Array.isArray(stream.externalProxy) ? stream.externalProxy : [];
  return list.map((entry) => {
    const ep = obj(entry) ?? {};
    return { forceTls: str(ep.forceTls) ?? '', dest: str(ep.dest) ?? '', port: Number(ep.port ?? 0), remark: str(ep.remark) ?? '', raw: ep };
  });
}

const TLS_HINTS = new Set(['alpn', 'sni', 'fp', 'pcs']);

/** Query parameters for one external proxy, as each generation rewrites them. */
function proxyParams(base: Map<string, string>, ep: ExternalProxy, baseSecurity: string, style: LinkStyle): Map<string, string> {
  const security = ep.forceTls === 'same' ? baseSecurity : ep.forceTls;
  const out = new Map<string, string>();
  for (const [k, v] of base) {
    if (ep.forceTls === 'none' && (style === 'v3' ? TLS_HINTS.has(k) : k === 'alpn' || k === 'sni' || k === 'fp')) continue;
    out.set(k, v);
  }
  out.set('security', security);
  if (style === 'v3' && security === 'tls') {
    const sni = str(ep.raw.sni);
    if (sni) out.set('sni', sni);
    const fp = str(ep.raw.fingerprint);
    if (fp) out.set('fp', fp);
    const alpn = ep.raw.alpn;
    if (typeof alpn === 'string' && alpn) out.set('alpn', alpn);
    if (Array.isArray(alpn) && alpn.length > 0) out.set('alpn', alpn.map(String).join(','));
    const pins = ep.raw.pinnedPeerCertSha256;
    if (Array.isArray(pins) && pins.length > 0) out.set('pcs', pins.map(String).join(','));
  }
  return out;
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
    userinfo = style === 'v3' ? encodeUserinfo(client.password ?? '') : client.password ?? '';
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
      return url(style, `${scheme}://${userinfo}@${hostPort(ep.dest, ep.port, style)}`, proxyParams(base, ep, security, style), externalRemark(inbound, client, ep, options, remarkFor));
    });
  }
  return [url(style, `${scheme}://${userinfo}@${hostPort(address, inbound.port, style)}`, params, remarkFor(''))];
}

function externalRemark(inbound: LinkInbound, client: LinkClient, ep: ExternalProxy, options: ShareLinkOptions, remarkFor: (extra: string) => string): string {
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
