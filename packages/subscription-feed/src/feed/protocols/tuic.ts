/**
 * A TUIC (v5) share link, as S-UI prints it, as a mihomo proxy and as a sing-box outbound.
 *
 * The link: `tuic://<uuid>:<password>@host:port?security=tls&insecure=1&sni=…&alpn=h3&congestion_control=bbr
 * &udp_relay_mode=native#remark` (S-UI `util/genLink.go tuicLink`; `disable_sni=1` when the inbound turns SNI off).
 *
 * mihomo: `adapter/outbound/tuic.go` `TuicOption` (`congestion-controller`, `udp-relay-mode`, `disable-sni`).
 * sing-box: `docs/configuration/outbound/tuic.md`, the outbound since 1.4.0 (`congestion_control` one of cubic,
 * new_reno, bbr; `udp_relay_mode` native or quic). Neither takes a uTLS fingerprint over QUIC, so `fp` is not carried.
 */
import type { ParsedShareLink } from '@panelkit/panel-adapters';
import { atLeast, type SingBoxVersion } from '../sing-box-version.js';
import type { ClashEntry, SingBoxEntry } from './entries.js';
import { flag, insecure, list } from './link-params.js';

const CONGESTION = new Set(['cubic', 'new_reno', 'bbr']);
const UDP_RELAY = new Set(['native', 'quic']);

/** The parts both formats need; `null` for a link neither can take as written. */
function readTuic(link: ParsedShareLink) {
  const p = link.params;
  const colon = link.secret.indexOf(':');
  const congestion = p.get('congestion_control') ?? '';
  const relay = p.get('udp_relay_mode') ?? '';
  if ((p.get('security') ?? 'tls') !== 'tls' || p.has('pinSHA256')) return null;
  if ((congestion !== '' && !CONGESTION.has(congestion)) || (relay !== '' && !UDP_RELAY.has(relay))) return null;
  return {
    uuid: link.secret.slice(0, colon),
    password: link.secret.slice(colon + 1),
    sni: p.get('sni') ?? '',
    alpn: list(p, 'alpn'),
    insecure: insecure(p),
    disableSni: flag(p, 'disable_sni'),
    congestion,
    relay,
  };
}

/** The link as a mihomo `tuic` proxy named `name`, or `null` when it cannot be expressed faithfully. */
export function clashTuic(link: ParsedShareLink, name: string): ClashEntry | null {
  const t = readTuic(link);
  if (t === null) return null;
  return {
    name,
    type: 'tuic',
    server: link.address,
    port: link.port,
    uuid: t.uuid,
    password: t.password,
    ...(t.alpn.length === 0 ? {} : { alpn: t.alpn }),
    ...(t.congestion === '' ? {} : { 'congestion-controller': t.congestion }),
    ...(t.relay === '' ? {} : { 'udp-relay-mode': t.relay }),
    ...(t.sni === '' ? {} : { sni: t.sni }),
    ...(t.disableSni ? { 'disable-sni': true } : {}),
    ...(t.insecure ? { 'skip-cert-verify': true } : {}),
  };
}

/** The link as a sing-box `tuic` outbound tagged `tag` for `version`, or `null` when that version cannot take it. */
export function singBoxTuic(link: ParsedShareLink, tag: string, version: SingBoxVersion): SingBoxEntry | null {
  const t = readTuic(link);
  if (t === null || !atLeast(version, 1, 4)) return null;
  return {
    type: 'tuic',
    tag,
    server: link.address,
    server_port: link.port,
    uuid: t.uuid,
    password: t.password,
    ...(t.congestion === '' ? {} : { congestion_control: t.congestion }),
    ...(t.relay === '' ? {} : { udp_relay_mode: t.relay }),
    tls: {
      enabled: true,
      ...(t.sni === '' ? {} : { server_name: t.sni }),
      ...(t.insecure ? { insecure: true } : {}),
      ...(t.disableSni ? { disable_sni: true } : {}),
      ...(t.alpn.length === 0 ? {} : { alpn: t.alpn }),
    },
  };
}
