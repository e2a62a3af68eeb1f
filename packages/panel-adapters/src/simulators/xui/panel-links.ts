/**
 * Share links as the simulated 3x-ui's own subscription service builds them, written from the panel's Go
 * source and kept apart from the adapter's builder (`src/xui/links/`) on purpose: were the simulator to
 * reuse it, a bug there would show on both sides of every test and no test could see it.
 *
 * - `v2`: `sub/subService.go` of v2.8.x (`genVlessLink`, `genVmessLink`, `genTrojanLink`, `genShadowsocksLink`,
 *   `genRemark` with `remarkModel` and `showInfo`). REALITY `sni`/`sid` are picked at random from their lists
 *   and `spx` is `/` + 15 random characters, per call, as the panel does.
 * - `v3`: `internal/sub/service.go` of v3.x: IPv6 hosts in brackets, trojan passwords and the remark
 *   percent-encoded (`url.QueryEscape`, spaces as `%20`), SIP022 userinfo for 2022 ciphers, vmess `scy`
 *   `auto` for `""`/`none`/`zero`, `spx` derived from the inbound's `spiderX` and the client's subId, the
 *   remark `inbound-extra-email`.
 *
 * Protocols: VLESS, VMess, Trojan, Shadowsocks; transports tcp (plain or HTTP header), ws, grpc,
 * httpupgrade, xhttp (path, host, mode), kcp; security none, tls, reality; external proxies.
 */
import { createHash } from 'node:crypto';

/** Which generation of the panel's subscription service to follow. */
export type PanelLinkStyle = 'v2' | 'v3';

type Json = Record<string, unknown>;

/** What the panel reads for one client's links on one inbound. */
export interface PanelLinkInput {
  readonly inbound: {
    readonly remark: string;
    readonly listen: string;
    readonly port: number;
    readonly protocol: string;
    readonly settings: Json;
    readonly streamSettings: Json;
  };
  readonly client: { email: string; id?: string; password?: string; flow?: string; security?: string; subId?: string };
  /** The host the subscription was requested on (used when the inbound listens on every interface). */
  readonly host: string;
  readonly style: PanelLinkStyle;
  /** v2 `remarkModel` (separator then the order of i, e, o). Default `-ieo`. */
  readonly remarkModel?: string;
  /** v2 `subShowInfo`: remaining traffic and time in the remark. */
  readonly showInfo?: boolean;
  /** The client's traffic row, for `showInfo`. */
  readonly stats?: { enable: boolean; up: number; down: number; total: number; expiryTime: number };
  /** For `showInfo`'s remaining time. */
  readonly nowMs?: number;
  /** The panel's `random.Num` source; default `Math.random`. */
  readonly random?: () => number;
}

// ------------------------------------------------------------------ Go's net/url and encoding/json, as the panel uses them

const UNRESERVED = /[A-Za-z0-9\-_.~]/;

function percent(byte: number): string {
  return `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
}

/** `url.QueryEscape`: unreserved characters kept, space as `+`, every other byte `%XX`. */
export function queryEscape(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    if (byte < 0x80 && UNRESERVED.test(char)) out += char;
    else if (char === ' ') out += '+';
    else out += percent(byte);
  }
  return out;
}

/** `url.URL.String()`'s fragment: sub-delimiters, `:`, `/`, `?`, `@` and `!()*` kept. */
function fragmentEscape(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    if (byte < 0x80 && (UNRESERVED.test(char) || "$&+,/:;=?@!()*'".includes(char))) out += char;
    else out += percent(byte);
  }
  return out;
}

/** `url.Values.Encode`: keys sorted, keys and values query-escaped. */
export function encodeValues(params: ReadonlyMap<string, string>): string {
  return [...params.keys()]
    .sort()
    .map((key) => `${queryEscape(key)}=${queryEscape(params.get(key)!)}`)
    .join('&');
}

/** `json.MarshalIndent(v, "", "  ")`: map keys sorted, `<`, `>`, `&` escaped. */
function marshalIndent(value: unknown, depth = 0): string {
  const pad = '  '.repeat(depth + 1);
  const end = '  '.repeat(depth);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((item) => pad + marshalIndent(item, depth + 1)).join(',\n')}\n${end}]`;
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    if (keys.length === 0) return '{}';
    return `{\n${keys.map((key) => `${pad}${JSON.stringify(key)}: ${marshalIndent((value as Json)[key], depth + 1)}`).join(',\n')}\n${end}}`;
  }
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

// ------------------------------------------------------------------ reading the inbound

function object(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

function string(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** `searchKey`: the first value under `key`, depth first. */
function searchKey(data: unknown, key: string): unknown {
  if (Array.isArray(data)) {
    for (const item of data) {
      const found = searchKey(item, key);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  const map = object(data);
  if (map === undefined) return undefined;
  if (key in map) return map[key];
  for (const value of Object.values(map)) {
    const found = searchKey(value, key);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** `searchHost`: the `Host` header, case-insensitively; its first value when a list. */
function searchHost(headers: unknown): string {
  for (const [name, value] of Object.entries(object(headers) ?? {})) {
    if (name.toLowerCase() !== 'host') continue;
    return Array.isArray(value) ? string(value[0]) : string(value);
  }
  return '';
}

function pathAndHost(settings: Json | undefined): [string, string] {
  const host = string(settings?.host);
  return [string(settings?.path), host !== '' ? host : searchHost(settings?.headers)];
}

/** The transport's query params (`type` is set by the caller). */
function networkParams(stream: Json, network: string, params: Map<string, string>): void {
  switch (network) {
    case 'tcp': {
      const header = object(object(stream.tcpSettings)?.header);
      if (string(header?.type) !== 'http') return;
      const request = object(header?.request);
      const paths = Array.isArray(request?.path) ? request.path : [];
      params.set('path', string(paths[0]));
      params.set('host', searchHost(request?.headers));
      params.set('headerType', 'http');
      return;
    }
    case 'kcp': {
      const kcp = object(stream.kcpSettings);
      params.set('headerType', string(object(kcp?.header)?.type));
      params.set('seed', string(kcp?.seed));
      return;
    }
    case 'ws':
    case 'httpupgrade': {
      const [path, host] = pathAndHost(object(stream[network === 'ws' ? 'wsSettings' : 'httpupgradeSettings']));
      params.set('path', path);
      params.set('host', host);
      return;
    }
    case 'grpc': {
      const grpc = object(stream.grpcSettings);
      params.set('serviceName', string(grpc?.serviceName));
      params.set('authority', string(grpc?.authority));
      if (grpc?.multiMode === true) params.set('mode', 'multi');
      return;
    }
    case 'xhttp': {
      const xhttp = object(stream.xhttpSettings);
      const [path, host] = pathAndHost(xhttp);
      params.set('path', path);
      params.set('host', host);
      params.set('mode', string(xhttp?.mode));
      return;
    }
  }
}

function tlsParams(stream: Json, params: Map<string, string>, style: PanelLinkStyle): void {
  params.set('security', 'tls');
  const tls = object(stream.tlsSettings);
  const alpn = (Array.isArray(tls?.alpn) ? tls.alpn : []).filter((item): item is string => typeof item === 'string');
  if (alpn.length > 0) params.set('alpn', alpn.join(','));
  const sni = searchKey(tls, 'serverName');
  if (sni !== undefined) params.set('sni', string(sni));
  if (tls === undefined) return;
  const client = searchKey(tls, 'settings');
  const fp = searchKey(client, 'fingerprint');
  if (fp !== undefined) params.set('fp', string(fp));
  if (style === 'v2') {
    if (searchKey(client, 'allowInsecure') === true) params.set('allowInsecure', '1');
    return;
  }
  const ech = string(searchKey(client, 'echConfigList'));
  if (ech !== '') params.set('ech', ech);
  const vcn = string(searchKey(client, 'verifyPeerCertByName')).trim();
  if (vcn !== '') params.set('vcn', vcn);
  const pins = searchKey(client, 'pinnedPeerCertSha256');
  const list = (Array.isArray(pins) ? pins : []).filter((pin): pin is string => typeof pin === 'string' && pin !== '');
  if (list.length > 0) params.set('pcs', list.join(','));
}

const SEQ_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function realityParams(stream: Json, params: Map<string, string>, input: PanelLinkInput): void {
  params.set('security', 'reality');
  const reality = object(stream.realitySettings);
  if (reality === undefined) return;
  const random = input.random ?? Math.random;
  const pick = (list: unknown): string | undefined => {
    const items = Array.isArray(list) ? list : [];
    return items.length === 0 ? undefined : string(items[Math.floor(random() * items.length)]);
  };
  const client = searchKey(reality, 'settings');
  const sni = pick(searchKey(reality, 'serverNames'));
  if (sni !== undefined) params.set('sni', sni);
  const pbk = searchKey(client, 'publicKey');
  if (pbk !== undefined) params.set('pbk', string(pbk));
  const sid = pick(searchKey(reality, 'shortIds'));
  if (sid !== undefined) params.set('sid', sid);
  const fp = string(searchKey(client, 'fingerprint'));
  if (fp !== '') params.set('fp', fp);
  const pqv = string(searchKey(client, 'mldsa65Verify'));
  if (pqv !== '') params.set('pqv', pqv);
  const randomSeq = () => `/${Array.from({ length: 15 }, () => SEQ_ALPHABET[Math.floor(random() * SEQ_ALPHABET.length)]).join('')}`;
  if (input.style === 'v2') {
    params.set('spx', randomSeq());
    return;
  }
  // deriveSpiderX: sha256(spiderX + "|" + subId-or-email), 15 hex digits.
  const seed = string(searchKey(client, 'spiderX'));
  const key = input.client.subId || input.client.email;
  params.set(
    'spx',
    seed === '' && key === '' ? randomSeq() : `/${createHash('sha256').update(`${seed}|${key}`).digest('hex').slice(0, 15)}`,
  );
}

// ------------------------------------------------------------------ remarks

function formatTraffic(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(2)}${units[unit]}`;
}

function timeLeft(seconds: number): string {
  const days = Math.trunc(seconds / 86400);
  const hours = Math.trunc((seconds % 86400) / 3600);
  const minutes = Math.trunc((seconds % 3600) / 60);
  if (days > 0) return hours > 0 ? `${days}D,${hours}H⏳` : `${days}D⏳`;
  return hours > 0 ? `${hours}H⏳` : `${minutes}M⏳`;
}

/** v2 `genRemark`; v3's default (no template) joins inbound remark, extra and email with `-`. */
function remarkOf(input: PanelLinkInput, extra: string): string {
  const { inbound, client } = input;
  if (input.style === 'v3') return [inbound.remark, extra, client.email].filter((part) => part !== '').join('-');
  const model = input.remarkModel ?? '-ieo';
  const separator = model[0] ?? '-';
  const parts: Record<string, string> = { i: inbound.remark, e: client.email, o: extra };
  const remark = [...model.slice(1)].map((char) => parts[char] ?? '').filter((part) => part !== '');
  const stats = input.stats;
  if (input.showInfo && stats !== undefined) {
    if (!stats.enable) return `⛔️N/A${separator}${remark.join(separator)}`;
    const left = stats.total - (stats.up + stats.down);
    if (left > 0) remark.push(`${formatTraffic(left)}📊`);
    const expiry = Math.trunc(stats.expiryTime / 1000);
    const now = Math.trunc((input.nowMs ?? Date.now()) / 1000);
    if (expiry > 0) remark.push(timeLeft(expiry - now));
    else if (expiry < 0) remark.push(timeLeft(-expiry));
  }
  return remark.join(separator);
}

// ------------------------------------------------------------------ links

function hostPort(host: string, port: number, style: PanelLinkStyle): string {
  if (style === 'v3' && host.replace(/^\[|\]$/g, '').includes(':')) return `[${host.replace(/^\[|\]$/g, '')}]:${port}`;
  return `${host}:${port}`;
}

function withQuery(base: string, params: ReadonlyMap<string, string>, remark: string, style: PanelLinkStyle): string {
  const query = params.size > 0 ? `?${encodeValues(params)}` : '';
  if (remark === '') return `${base}${query}`;
  return `${base}${query}#${style === 'v2' ? fragmentEscape(remark) : queryEscape(remark).replace(/\+/g, '%20')}`;
}

/** `applyExternalProxyTLSParams` (v3): the proxy's own sni, fp, alpn, pins, vcn and ech over the inbound's. */
function tlsOverrides(proxy: Json, params: Map<string, string>): void {
  const list = (value: unknown) =>
    (Array.isArray(value) ? value : typeof value === 'string' ? [value] : []).filter(
      (item): item is string => typeof item === 'string' && item !== '',
    );
  for (const [from, to] of [
    ['sni', 'sni'],
    ['fingerprint', 'fp'],
    ['verifyPeerCertByName', 'vcn'],
    ['echConfigList', 'ech'],
  ] as const) {
    if (string(proxy[from]) !== '') params.set(to, string(proxy[from]));
  }
  const alpn = list(proxy.alpn);
  if (alpn.length > 0) params.set('alpn', alpn.join(','));
  const pins = list(proxy.pinnedPeerCertSha256);
  if (pins.length > 0) params.set('pcs', pins.join(','));
}

const TLS_HINTS_V2 = ['alpn', 'sni', 'fp', 'allowInsecure'];
const TLS_HINTS_V3 = ['alpn', 'sni', 'fp', 'pcs'];

/** One link per external proxy: its address, `forceTls` (`same`, `none`, `tls`) and, in v3, its TLS overrides. */
function proxyLinks(
  input: PanelLinkInput,
  proxies: Json[],
  params: Map<string, string>,
  security: string,
  base: (dest: string, port: number) => string,
): string[] {
  return proxies.map((proxy) => {
    const force = string(proxy.forceTls);
    const applied = force === 'same' ? security : force;
    const next = new Map(params);
    next.set('security', applied);
    if (force === 'none') for (const key of input.style === 'v2' ? TLS_HINTS_V2 : TLS_HINTS_V3) next.delete(key);
    if (input.style === 'v3' && applied === 'tls') tlsOverrides(proxy, next);
    return withQuery(base(string(proxy.dest), Number(proxy.port)), next, remarkOf(input, string(proxy.remark)), input.style);
  });
}

function vmessLinks(input: PanelLinkInput, stream: Json, network: string, security: string, address: string, proxies: Json[]): string[] {
  const { inbound, client, style } = input;
  const o: Json = { v: '2', add: address, port: inbound.port, type: 'none', net: network };
  const params = new Map<string, string>();
  networkParams(stream, network, params);
  if (network === 'tcp') {
    o.type = string(object(object(stream.tcpSettings)?.header)?.type);
    if (params.has('path')) o.path = params.get('path');
    if (params.has('host')) o.host = params.get('host');
  } else if (network === 'kcp') {
    o.type = params.get('headerType');
    o.path = params.get('seed');
  } else if (network === 'grpc') {
    o.path = params.get('serviceName');
    o.authority = params.get('authority');
    if (params.get('mode') === 'multi') o.type = 'multi';
  } else if (['ws', 'httpupgrade', 'xhttp'].includes(network)) {
    o.path = params.get('path');
    o.host = params.get('host');
    if (network === 'xhttp') o.mode = params.get('mode');
  }
  o.tls = security;
  if (security === 'tls') {
    const tls = new Map<string, string>();
    tlsParams(stream, tls, style);
    for (const key of ['alpn', 'sni', 'fp', 'ech', 'vcn', 'pcs']) if (tls.has(key)) o[key] = tls.get(key);
    if (style === 'v2' && tls.has('allowInsecure')) o.allowInsecure = true;
  }
  o.id = client.id ?? '';
  const scy = client.security ?? '';
  o.scy = style === 'v3' && ['', 'none', 'zero'].includes(scy) ? 'auto' : scy;
  const encode = (value: Json) => `vmess://${Buffer.from(marshalIndent(value), 'utf8').toString('base64')}`;
  if (proxies.length === 0) return [encode({ ...o, ps: remarkOf(input, '') })];
  const hints = style === 'v2' ? TLS_HINTS_V2 : TLS_HINTS_V3;
  return proxies.map((proxy) => {
    const force = string(proxy.forceTls);
    const copy: Json = Object.fromEntries(Object.entries(o).filter(([key]) => !(force === 'none' && hints.includes(key))));
    copy.ps = remarkOf(input, string(proxy.remark));
    copy.add = string(proxy.dest);
    copy.port = Number(proxy.port);
    if (force !== 'same') copy.tls = force;
    if (style === 'v3' && copy.tls === 'tls') {
      const overrides = new Map<string, string>();
      tlsOverrides(proxy, overrides);
      for (const [key, value] of overrides) copy[key] = value;
    }
    return encode(copy);
  });
}

/** The client's links on the inbound, as the panel's subscription service answers them ([] for other protocols). */
export function panelShareLinks(input: PanelLinkInput): string[] {
  const { inbound, client, style } = input;
  const stream = inbound.streamSettings;
  const network = string(stream.network);
  const security = string(stream.security);
  const address = ['', '0.0.0.0', '::', '::0'].includes(inbound.listen) ? input.host : inbound.listen;
  const proxies = (Array.isArray(stream.externalProxy) ? stream.externalProxy : []).map((proxy) => object(proxy) ?? {});
  if (inbound.protocol === 'vmess') return vmessLinks(input, stream, network, security, address, proxies);

  const params = new Map<string, string>([['type', network]]);
  let scheme: string;
  let userinfo: string;
  const flow = client.flow ?? '';
  if (inbound.protocol === 'vless') {
    scheme = 'vless';
    if (typeof inbound.settings.encryption === 'string') params.set('encryption', inbound.settings.encryption);
    networkParams(stream, network, params);
    if (security === 'tls') tlsParams(stream, params, style);
    else if (security === 'reality') realityParams(stream, params, input);
    else params.set('security', 'none');
    if (flow !== '' && network === 'tcp' && (security === 'tls' || security === 'reality')) params.set('flow', flow);
    userinfo = client.id ?? '';
  } else if (inbound.protocol === 'trojan') {
    scheme = 'trojan';
    networkParams(stream, network, params);
    if (security === 'tls') tlsParams(stream, params, style);
    else if (security === 'reality') {
      realityParams(stream, params, input);
      if (network === 'tcp' && flow !== '') params.set('flow', flow);
    } else params.set('security', 'none');
    const password = client.password ?? '';
    userinfo = style === 'v3' ? queryEscape(password).replace(/\+/g, '%20') : password;
  } else if (inbound.protocol === 'shadowsocks') {
    scheme = 'ss';
    networkParams(stream, network, params);
    if (security === 'tls') tlsParams(stream, params, style);
    const method = string(inbound.settings.method);
    const serverKey = string(inbound.settings.password);
    const password = client.password ?? '';
    if (style === 'v2') {
      userinfo = Buffer.from(method.startsWith('2') ? `${method}:${serverKey}:${password}` : `${method}:${password}`).toString('base64');
    } else {
      if (network === 'tcp' && params.get('headerType') === 'http') {
        const host = params.get('host') ?? '';
        for (const key of ['type', 'headerType', 'host', 'path']) params.delete(key);
        params.set('plugin', `obfs-local;obfs=http;obfs-host=${host}`);
      }
      userinfo = method.startsWith('2022')
        ? `${queryEscape(method)}:${queryEscape(serverKey)}:${queryEscape(password)}`
        : Buffer.from(`${method}:${password}`).toString('base64url');
      if (proxies.length > 0) params.set('security', security);
    }
  } else {
    return [];
  }
  if (proxies.length > 0)
    return proxyLinks(input, proxies, params, security, (dest, port) => `${scheme}://${userinfo}@${hostPort(dest, port, style)}`);
  return [withQuery(`${scheme}://${userinfo}@${hostPort(address, inbound.port, style)}`, params, remarkOf(input, ''), style)];
}
