/**
 * Reading a share link (`vless://`, `vmess://`, `trojan://`, `ss://`, `hysteria2://`/`hy2://`,
 * `tuic://`, `wireguard://`/`wg://`) into its parts: who to reach, with which credential, over
 * which transport. Accepts the shapes the panels print (3x-ui v2 and v3, S-UI, Marzban,
 * Marzneshin, PasarGuard): URL-style links with a query, VMess as base64 JSON, Shadowsocks as
 * SIP002 (base64 or percent-encoded userinfo) or the legacy all-base64 form.
 */
import { ValidationError, type PanelkitErrorOptions } from '@panelkit/sdk';

/** A share link that cannot be read: unknown scheme, bad base64/JSON, missing host, port or credential. Nothing was changed. */
export class ShareLinkError extends ValidationError {
  static override readonly errorName: string = 'ShareLinkError';
  constructor(message: string, field: string, options: PanelkitErrorOptions = {}) {
    super(`share link: ${message}`, [{ path: field, message }], options);
  }
}

/** The protocols a share link can name. */
export type ShareLinkProtocol = 'vless' | 'vmess' | 'trojan' | 'shadowsocks' | 'hysteria2' | 'tuic' | 'wireguard';

/** A share link's parts, with transport and TLS parameters under the URL query's names. */
export interface ParsedShareLink {
  readonly protocol: ShareLinkProtocol;
  readonly address: string;
  readonly port: number;
  /**
   * VLESS/VMess uuid, Trojan password, Shadowsocks password (`serverKey:userKey` for SIP022), Hysteria2 auth
   * (`user:password` in the userpass form), TUIC `uuid:password`, or the WireGuard client's private key (its keys,
   * `publickey` and `presharedkey` included, are checked to be 32 bytes of base64).
   */
  readonly secret: string;
  /** Shadowsocks cipher; VMess `scy`; empty otherwise. */
  readonly method: string;
  /** The fragment, decoded (or VMess `ps`). */
  readonly remark: string;
  /**
   * `type`, `security`, `path`, `host`, `sni`, `alpn`, `fp`, `pbk`, `sid`, `spx`, `flow`, `serviceName`, `headerType`,
   * `mode`, `extra`…; Hysteria2 `obfs`, `obfs-password`, `insecure`, `pinSHA256`, `mport`; TUIC `congestion_control`,
   * `udp_relay_mode`; WireGuard `publickey`, `address`, `presharedkey`, `mtu`, `reserved`, `keepalive`, `allowedips`.
   */
  readonly params: ReadonlyMap<string, string>;
}

const SCHEMES: Record<string, ShareLinkProtocol> = {
  vless: 'vless',
  vmess: 'vmess',
  trojan: 'trojan',
  ss: 'shadowsocks',
  hysteria2: 'hysteria2',
  hy2: 'hysteria2',
  tuic: 'tuic',
  wireguard: 'wireguard',
  wg: 'wireguard',
};

/** What a credential is called in an error, per protocol. */
const CREDENTIAL: Partial<Record<ShareLinkProtocol, string>> = {
  vless: 'uuid',
  hysteria2: 'auth',
  tuic: 'uuid:password',
  wireguard: 'private key',
};

/** Parses a share link; throws {@link ShareLinkError} for anything it cannot read. */
export function parseShareLink(link: string): ParsedShareLink {
  const trimmed = link.trim();
  const scheme = /^([a-z0-9]+):\/\//i.exec(trimmed)?.[1]?.toLowerCase();
  const protocol = scheme === undefined ? undefined : SCHEMES[scheme];
  if (protocol === undefined)
    throw new ShareLinkError(
      `unknown scheme in "${trimmed.slice(0, 16)}…" (expected vless, vmess, trojan, ss, hysteria2, hy2, tuic, wireguard or wg)`,
      'scheme',
    );
  if (protocol === 'vmess') return parseVmess(trimmed.slice('vmess://'.length));
  if (protocol === 'shadowsocks') return parseShadowsocks(trimmed);
  const url = parseUrl(trimmed);
  const secret = decode(url.username, 'credential') + (url.password === '' ? '' : `:${decode(url.password, 'credential')}`);
  if (secret === '') throw new ShareLinkError(`no ${CREDENTIAL[protocol] ?? 'password'} before "@"`, 'credential');
  if (protocol === 'vless' && !UUID.test(secret)) throw new ShareLinkError('the VLESS id is not a uuid', 'credential');
  if (protocol === 'tuic' && !TUIC_USERINFO.test(secret)) throw new ShareLinkError('the TUIC userinfo is not uuid:password', 'credential');
  const params = queryOf(url);
  if (protocol === 'wireguard') checkWireGuardKeys(secret, params);
  // The Hysteria2 URI scheme makes the port optional (443); every other scheme needs one.
  const where = endpoint(url, protocol === 'hysteria2' ? 443 : undefined);
  return { protocol, ...where, secret, method: '', remark: remarkOf(url), params };
}

/** A WireGuard key: 32 bytes in padded base64 (`wg genkey`), the last character carrying 4 bits. */
const WIREGUARD_KEY = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

function checkWireGuardKeys(privateKey: string, params: ReadonlyMap<string, string>): void {
  if (!WIREGUARD_KEY.test(privateKey)) throw new ShareLinkError('the private key is not a WireGuard key (32 bytes, base64)', 'credential');
  for (const name of ['publickey', 'presharedkey']) {
    const value = params.get(name);
    if (value !== undefined && value !== '' && !WIREGUARD_KEY.test(value))
      throw new ShareLinkError(`"${name}" is not a WireGuard key (32 bytes, base64)`, name);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TUIC_USERINFO = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:.+$/is;

function parseUrl(link: string): URL {
  try {
    // One non-special scheme for all: WHATWG URL splits userinfo, host and port alike and keeps every port (80, 443).
    return new URL(`link://${link.slice(link.indexOf('://') + 3)}`);
  } catch (cause) {
    throw new ShareLinkError('not a URL', 'link', { cause });
  }
}

function endpoint(url: URL, defaultPort?: number): { address: string; port: number } {
  const address = url.hostname.replace(/^\[|\]$/g, '');
  if (address === '') throw new ShareLinkError('no host', 'address');
  return { address, port: url.port === '' && defaultPort !== undefined ? defaultPort : portOf(url.port) };
}

function portOf(value: unknown): number {
  const port = typeof value === 'number' ? value : Number.parseInt(String(value ?? ''), 10);
  if (!Number.isInteger(port) || port < 1 || port > 65_535 || (typeof value === 'string' && !/^\d+$/.test(value))) {
    throw new ShareLinkError(`port "${String(value ?? '')}" is not 1-65535`, 'port');
  }
  return port;
}

function decode(text: string, field: string): string {
  try {
    return decodeURIComponent(text);
  } catch (cause) {
    throw new ShareLinkError(`bad percent-encoding in the ${field}`, field, { cause });
  }
}

function remarkOf(url: URL): string {
  return url.hash === '' ? '' : decode(url.hash.slice(1), 'remark');
}

function queryOf(url: URL): Map<string, string> {
  return new Map(url.searchParams.entries());
}

function fromBase64(text: string, field: string): string {
  const clean = text.replace(/\s+/g, '');
  if (clean === '' || !/^[A-Za-z0-9+/_-]+=*$/.test(clean)) throw new ShareLinkError(`the ${field} is not base64`, field);
  return Buffer.from(clean, clean.includes('-') || clean.includes('_') ? 'base64url' : 'base64').toString('utf8');
}

function parseVmess(body: string): ParsedShareLink {
  const hash = body.indexOf('#');
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(fromBase64(hash >= 0 ? body.slice(0, hash) : body, 'VMess body')) as Record<string, unknown>;
  } catch (cause) {
    if (cause instanceof ShareLinkError) throw cause;
    throw new ShareLinkError('the VMess body is not base64 JSON', 'body', { cause });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new ShareLinkError('the VMess body is not a JSON object', 'body');
  const field = (name: string): string => (json[name] === undefined || json[name] === null ? '' : String(json[name]));
  const address = field('add');
  if (address === '') throw new ShareLinkError('no "add" (host)', 'address');
  const secret = field('id');
  if (!UUID.test(secret)) throw new ShareLinkError('the VMess id is not a uuid', 'credential');
  const params = new Map<string, string>();
  const net = field('net') || 'tcp';
  params.set('type', net);
  const tls = field('tls');
  params.set('security', tls === '' ? 'none' : tls);
  if (field('aid') !== '') params.set('aid', field('aid'));
  for (const name of ['path', 'host', 'sni', 'alpn', 'fp']) if (field(name) !== '') params.set(name, field(name));
  if (net === 'grpc' && field('path') !== '') params.set('serviceName', field('path'));
  if (field('type') !== '' && field('type') !== 'none') params.set(net === 'grpc' ? 'mode' : 'headerType', field('type'));
  return { protocol: 'vmess', address, port: portOf(json.port), secret, method: field('scy') || 'auto', remark: field('ps'), params };
}

function parseShadowsocks(link: string): ParsedShareLink {
  let rest = link.slice('ss://'.length);
  // Legacy form: ss://base64(method:password@host:port)#remark
  if (!rest.split('#')[0]!.includes('@')) {
    const hash = rest.indexOf('#');
    const inner = fromBase64(hash >= 0 ? rest.slice(0, hash) : rest, 'Shadowsocks body');
    const at = inner.lastIndexOf('@');
    rest = `${encodeURIComponent(inner.slice(0, at))}${inner.slice(at)}${hash >= 0 ? rest.slice(hash) : ''}`;
  }
  const url = parseUrl(`ss://${rest}`);
  const userinfo = decode(url.username, 'userinfo') + (url.password === '' ? '' : `:${decode(url.password, 'userinfo')}`);
  // SIP002: base64url(method:password), or (SIP022) percent-encoded method:password in the clear.
  const plain = userinfo.includes(':') ? userinfo : fromBase64(userinfo, 'userinfo');
  const colon = plain.indexOf(':');
  if (colon <= 0 || colon === plain.length - 1) throw new ShareLinkError('the userinfo is not method:password', 'userinfo');
  return {
    protocol: 'shadowsocks',
    ...endpoint(url),
    secret: plain.slice(colon + 1),
    method: plain.slice(0, colon),
    remark: remarkOf(url),
    params: queryOf(url),
  };
}
