/**
 * 3x-ui's subscription service: a server of its own beside the panel (port 2096 and path `/sub/`
 * by default) that answers `GET {path}{subId}` with the share links of every enabled client
 * holding that subId on an enabled inbound, one per line, base64-encoded (the panel's
 * `subEncrypt` default), and a `Subscription-Userinfo` header that client apps show as traffic
 * and expiry. No matching client is `400 Error!`, as on the panel. The links come from the
 * simulator's own builder (`panel-links.ts`, v2 rules for Gen A, v3 for Gen B), not the adapter's.
 */
import type { FetchHandler } from '../harness/types.js';
import { kindShareLinks } from './kind-links.js';
import { panelShareLinks } from './panel-links.js';
import type { XuiSimulator } from './simulator.js';
import { key, text, type SimTraffic } from './state.js';

/** Options of `xuiSubscriptionHandler`. */
export interface XuiSubscriptionOptions {
  /** The panel's `subPath`. Default `/sub/`. */
  readonly path?: string;
  /** The panel's `remarkModel`. Default `-ieo`. */
  readonly remarkModel?: string;
  /** The panel's `subShowInfo`; default false here, as the adapter's `links.showInfo` (docs/3x-ui.md). */
  readonly showInfo?: boolean;
  /** `Profile-Update-Interval`, in hours. Default 12. */
  readonly updateIntervalHours?: number;
}

const SHARED_PROTOCOLS = new Set(['vmess', 'vless', 'trojan', 'shadowsocks']);

/** Whether the version's subscription service writes links for the protocol (WireGuard from v3.4.2, MTProto from v3.5). */
function sharedBy(sim: XuiSimulator, protocol: string): boolean {
  if (protocol === 'wireguard') return sim.traits.wireguardClients;
  if (protocol === 'mtproto') return sim.traits.mtprotoClientSecrets;
  return SHARED_PROTOCOLS.has(protocol);
}

/** Sums the clients' rows as the panel does: any unlimited total makes it 0, differing expiries make it 0. */
function userinfo(rows: readonly SimTraffic[]): string {
  let up = 0;
  let down = 0;
  let total = 0;
  let expiry = 0;
  rows.forEach((row, i) => {
    up += row.up;
    down += row.down;
    if (i === 0) {
      total = row.total;
      expiry = Math.max(row.expiryTime, 0);
    } else {
      total = total === 0 || row.total === 0 ? 0 : total + row.total;
      if (row.expiryTime !== expiry) expiry = 0;
    }
  });
  return `upload=${up}; download=${down}; total=${total}; expire=${Math.floor(expiry / 1000)}`;
}

/**
 * 3x-ui's separate subscription service for a simulator: serves `/<subPath>/<subId>` as the base64
 * list of the client's share links, as apps fetch it.
 */
export function xuiSubscriptionHandler(sim: XuiSimulator, options: XuiSubscriptionOptions = {}): FetchHandler {
  const path = options.path ?? '/sub/';
  return async (request) => {
    const url = new URL(request.url);
    const subId = url.pathname.startsWith(path) ? decodeURIComponent(url.pathname.slice(path.length)) : '';
    if (request.method !== 'GET' || subId === '' || subId.includes('/')) return new Response('404 page not found', { status: 404 });
    const links: string[] = [];
    const rows: SimTraffic[] = [];
    const now = sim.clock.now();
    for (const inbound of sim.state.inbounds.values()) {
      if (!inbound.enable || !sharedBy(sim, inbound.protocol)) continue;
      for (const client of sim.state.clientsOf(inbound)) {
        if (client.enable === false || text(client.subId) !== subId) continue;
        const row = sim.state.traffic.get(key(text(client.email)));
        if (row) rows.push(row);
        const linkClient = {
          email: text(client.email),
          id: text(client.id),
          password: text(client.password),
          flow: text(client.flow),
          security: text(client.security),
          subId,
        };
        links.push(
          ...panelShareLinks({
            inbound,
            client: linkClient,
            style: sim.traits.genB ? 'v3' : 'v2',
            host: url.hostname,
            remarkModel: options.remarkModel ?? '-ieo',
            showInfo: options.showInfo ?? false,
            nowMs: now.getTime(),
            ...(row ? { stats: row } : {}),
          }),
          ...kindShareLinks(inbound, client, url.hostname),
        );
      }
    }
    if (links.length === 0) return new Response('Error!', { status: 400, headers: { 'content-type': 'text/plain; charset=utf-8' } });
    return new Response(Buffer.from(links.map((l) => `${l}\n`).join('')).toString('base64'), {
      status: 200,
      headers: {
        'content-type': 'text/plain; charset=utf-8',
        'subscription-userinfo': userinfo(rows),
        'profile-update-interval': String(options.updateIntervalHours ?? 12),
        // The panel's `subTitle`, empty by default.
        'profile-title': 'base64:',
      },
    });
  };
}
