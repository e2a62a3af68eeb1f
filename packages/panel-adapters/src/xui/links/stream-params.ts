/**
 * Reading an inbound's stream settings into share-link parameters, step by step as the panel's
 * subscription service does (`searchKey`, `searchHost`, the per-network, TLS and Reality blocks,
 * external proxies). Used by `share-links.ts`.
 */
import { createHash } from 'node:crypto';
import type { LinkStyle } from './share-links.js';

export type Obj = Record<string, unknown>;

const SEQ_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export function obj(value: unknown): Obj | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : undefined;
}
export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Go `searchKey`: depth-first lookup of a key anywhere under `data`. */
export function searchKey(data: unknown, key: string): { found: boolean; value: unknown } {
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
export function searchHost(headers: unknown): string {
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

export function pick(values: unknown, seed: string, salt: string): string | undefined {
  if (!Array.isArray(values) || values.length === 0) return undefined;
  return str(values[stableIndex(seed, salt, values.length)]) ?? '';
}

export function stableSeq(seed: string, length: number): string {
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

export function networkParams(stream: Obj, network: string, params: Map<string, string>, style: LinkStyle): void {
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

export function tlsParams(stream: Obj, params: Map<string, string>, style: LinkStyle): void {
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

export function realityParams(stream: Obj, params: Map<string, string>, seed: string, style: LinkStyle): void {
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

export interface ExternalProxy {
  forceTls: string;
  dest: string;
  port: number;
  remark: string;
  raw: Obj;
}

export function externalProxies(stream: Obj): ExternalProxy[] {
  const list = Array.isArray(stream.externalProxy) ? stream.externalProxy : [];
  return list.map((entry) => {
    const ep = obj(entry) ?? {};
    return {
      forceTls: str(ep.forceTls) ?? '',
      dest: str(ep.dest) ?? '',
      port: Number(ep.port ?? 0),
      remark: str(ep.remark) ?? '',
      raw: ep,
    };
  });
}

const TLS_HINTS = new Set(['alpn', 'sni', 'fp', 'pcs']);

/** Query parameters for one external proxy, as each generation rewrites them. */
export function proxyParams(base: Map<string, string>, ep: ExternalProxy, baseSecurity: string, style: LinkStyle): Map<string, string> {
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
