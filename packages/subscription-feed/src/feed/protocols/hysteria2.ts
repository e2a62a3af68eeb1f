/**
 * A Hysteria2 share link (3x-ui v3, S-UI and PasarGuard print them) as a mihomo proxy and as a sing-box outbound.
 *
 * The link: `hysteria2://<auth>@host:port?security=tls&sni=…&alpn=h3&insecure=1&obfs=salamander&obfs-password=…
 * &pinSHA256=…&mport=20000-30000&upmbps=…&downmbps=…#remark` (the Hysteria2 URI scheme plus the panels' additions:
 * 3x-ui and S-UI write hop ports as `mport`, PasarGuard as `mports`; S-UI writes the client's bandwidth).
 *
 * mihomo: `adapter/outbound/hysteria2.go` `Hysteria2Option` (`ports`: comma-separated ports and `-` ranges, at
 * most 28, `common/utils/ranges.go`; `fingerprint` is the certificate's SHA-256). sing-box: `docs/configuration/outbound/hysteria2.md`, the outbound since 1.5.0,
 * `server_ports` (`first:last`) since 1.11.0; an older app gets the main port only, which the server listens on too.
 * sing-box has no option for a certificate-hash pin, so a pinned link is left out of its profile. Neither takes a
 * uTLS fingerprint over QUIC, so `fp` is not carried.
 */
import type { ParsedShareLink } from '@panelkit/panel-adapters';
import { atLeast, type SingBoxVersion } from '../sing-box-version.js';
import type { ClashEntry, SingBoxEntry } from './entries.js';
import { certificatePin, hopPorts, insecure, list, whole } from './link-params.js';

/** mihomo refuses a `ports` value with more ranges than this. */
const MIHOMO_MAX_RANGES = 28;

/** The parts both formats need; `null` when the link asks for something neither can do (a security other than TLS). */
function readHysteria2(link: ParsedShareLink) {
  const p = link.params;
  const security = p.get('security') ?? 'tls';
  const ports = hopPorts(p);
  const up = whole(p, 'upmbps', 1, 1_000_000);
  const down = whole(p, 'downmbps', 1, 1_000_000);
  const pin = certificatePin(p);
  const obfs = p.get('obfs') ?? '';
  if (security !== 'tls' || ports === null || up === null || down === null || pin === null) return null;
  if (obfs !== '' && (obfs !== 'salamander' || !p.get('obfs-password'))) return null;
  return {
    sni: p.get('sni') ?? '',
    alpn: list(p, 'alpn'),
    insecure: insecure(p),
    obfsPassword: obfs === '' ? '' : (p.get('obfs-password') as string),
    ports,
    up,
    down,
    pin,
  };
}

/** The link as a mihomo `hysteria2` proxy named `name`, or `null` when it cannot be expressed faithfully. */
export function clashHysteria2(link: ParsedShareLink, name: string): ClashEntry | null {
  const h = readHysteria2(link);
  if (h === null || h.ports.length > MIHOMO_MAX_RANGES) return null;
  return {
    name,
    type: 'hysteria2',
    server: link.address,
    port: link.port,
    ...(h.ports.length === 0 ? {} : { ports: h.ports.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(',') }),
    password: link.secret,
    ...(h.up === undefined ? {} : { up: `${h.up} Mbps` }),
    ...(h.down === undefined ? {} : { down: `${h.down} Mbps` }),
    ...(h.obfsPassword === '' ? {} : { obfs: 'salamander', 'obfs-password': h.obfsPassword }),
    ...(h.sni === '' ? {} : { sni: h.sni }),
    ...(h.insecure ? { 'skip-cert-verify': true } : {}),
    ...(h.pin === undefined ? {} : { fingerprint: h.pin }),
    ...(h.alpn.length === 0 ? {} : { alpn: h.alpn }),
  };
}

/** The link as a sing-box `hysteria2` outbound tagged `tag` for `version`, or `null` when that version cannot take it. */
export function singBoxHysteria2(link: ParsedShareLink, tag: string, version: SingBoxVersion): SingBoxEntry | null {
  const h = readHysteria2(link);
  if (h === null || h.pin !== undefined || !atLeast(version, 1, 5)) return null;
  const hops = atLeast(version, 1, 11) && h.ports.length > 0;
  return {
    type: 'hysteria2',
    tag,
    server: link.address,
    server_port: link.port,
    ...(hops ? { server_ports: h.ports.map(([a, b]) => `${a}:${b}`) } : {}),
    ...(h.up === undefined ? {} : { up_mbps: h.up }),
    ...(h.down === undefined ? {} : { down_mbps: h.down }),
    ...(h.obfsPassword === '' ? {} : { obfs: { type: 'salamander', password: h.obfsPassword } }),
    password: link.secret,
    tls: {
      enabled: true,
      ...(h.sni === '' ? {} : { server_name: h.sni }),
      ...(h.insecure ? { insecure: true } : {}),
      ...(h.alpn.length === 0 ? {} : { alpn: h.alpn }),
    },
  };
}
