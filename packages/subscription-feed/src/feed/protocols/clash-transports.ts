/**
 * The transports the mihomo builder takes beyond ws and grpc: HTTPUpgrade and XHTTP (Xray's splithttp, renamed).
 *
 * HTTPUpgrade is mihomo's `ws` network with `ws-opts.v2ray-http-upgrade: true`, for vless, vmess and trojan alike
 * (`docs/config/proxies/transport`). XHTTP is `network: xhttp` with `xhttp-opts`, for VLESS only (mihomo PR #2645,
 * merged 2026-03-27, in 1.19.22 and later); `alpn` picks HTTP/2 (the default), HTTP/3 or HTTP/1.1. The panels put
 * XHTTP's finer settings in an `extra` JSON query value (3x-ui `buildXhttpExtra`, PasarGuard `_transport_xhttp`):
 * `headers`, `noGRPCHeader` and `xPaddingBytes` have a documented mihomo option; a link whose `extra` sets anything
 * else (XMUX, download settings, session or padding placement…) is left out, not sent without it.
 */

type Query = { get(name: string): string | null };

/** Xray's XHTTP modes mihomo names; `auto` is Xray's default and is written as no mode. */
const XHTTP_MODES = new Set(['packet-up', 'stream-up', 'stream-one']);
const EXTRA_KEYS = new Set(['mode', 'headers', 'noGRPCHeader', 'xPaddingBytes']);

function xhttpExtra(text: string | null): Record<string, unknown> | null {
  if (text === null || text === '') return {};
  let extra: unknown;
  try {
    extra = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) return null;
  return Object.keys(extra).every((key) => EXTRA_KEYS.has(key)) ? (extra as Record<string, unknown>) : null;
}

function stringMap(value: unknown): Record<string, string> | null {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const entries = Object.entries(value);
  return entries.every(([, v]) => typeof v === 'string') ? (Object.fromEntries(entries) as Record<string, string>) : null;
}

function xhttp(q: Query): Record<string, unknown> | null {
  const extra = xhttpExtra(q.get('extra'));
  if (extra === null) return null;
  const mode = q.get('mode') || (typeof extra.mode === 'string' ? extra.mode : '') || 'auto';
  const headers = stringMap(extra.headers);
  const padding = q.get('x_padding_bytes') || extra.xPaddingBytes;
  if ((mode !== 'auto' && !XHTTP_MODES.has(mode)) || headers === null) return null;
  if (padding !== undefined && typeof padding !== 'string') return null;
  if (extra.noGRPCHeader !== undefined && typeof extra.noGRPCHeader !== 'boolean') return null;
  const host = q.get('host');
  const alpn = (q.get('alpn') ?? '').split(',').filter((a) => a !== '');
  return {
    network: 'xhttp',
    ...(alpn.length === 0 ? {} : { alpn }),
    'xhttp-opts': {
      path: q.get('path') || '/',
      ...(host ? { host } : {}),
      ...(mode === 'auto' ? {} : { mode }),
      ...(Object.keys(headers).length === 0 ? {} : { headers }),
      ...(extra.noGRPCHeader === true ? { 'no-grpc-header': true } : {}),
      ...(padding ? { 'x-padding-bytes': padding } : {}),
    },
  };
}

/**
 * The mihomo fields for `network` on a `type` proxy when it is HTTPUpgrade or XHTTP; `null` when mihomo cannot take
 * the link as written; `undefined` for any other network (the builder's own).
 */
export function clashTransport(network: string, type: string, q: Query): Record<string, unknown> | null | undefined {
  if (network === 'httpupgrade') {
    const host = q.get('host');
    return {
      network: 'ws',
      'ws-opts': { path: q.get('path') || '/', ...(host ? { headers: { Host: host } } : {}), 'v2ray-http-upgrade': true },
    };
  }
  if (network === 'xhttp' || network === 'splithttp') return type === 'vless' ? xhttp(q) : null;
  return undefined;
}
