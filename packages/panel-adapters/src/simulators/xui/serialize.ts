/**
 * Inbounds and traffic rows as each generation prints them: Gen A puts `settings`,
 * `streamSettings` and `sniffing` in strings made by Go's `json.MarshalIndent` (sorted keys);
 * Gen B prints them as objects and drops `allTime`.
 */
import { goMarshalIndent } from '../../xui/links/go-format.js';
import { key, text, type RawClient, type SimInbound, type SimTraffic, type XuiState } from './state.js';

export function trafficJson(row: SimTraffic, state: XuiState, genB: boolean, settingsEnable = false): Record<string, unknown> {
  const client = state.clients.get(key(row.email));
  const out: Record<string, unknown> = {
    id: row.id,
    inboundId: row.inboundId,
    // v2.8.3+ getClientTraffics reports the admin switch from settings, not the depletion flag.
    enable: settingsEnable && client ? client.enable !== false : row.enable,
    email: row.email,
    uuid: text(client?.id),
    subId: text(client?.subId),
    up: row.up,
    down: row.down,
  };
  if (!genB) out.allTime = row.up + row.down;
  Object.assign(out, { expiryTime: row.expiryTime, total: row.total, reset: row.reset, lastOnline: row.lastOnline });
  if (genB) Object.assign(out, { resetDay: 0, resetMax: 0, resetCount: 0, lastSubFetch: 0 });
  return out;
}

export function settingsObject(inbound: SimInbound, state: XuiState): Record<string, unknown> {
  return { ...inbound.settings, clients: state.clientsOf(inbound) };
}

export function inboundJson(inbound: SimInbound, state: XuiState, genB: boolean, withStats: boolean): Record<string, unknown> {
  const clients: RawClient[] = state.clientsOf(inbound);
  const stats = withStats
    ? clients.flatMap((c) => {
        const row = state.traffic.get(key(text(c.email)));
        return row && row.inboundId === inbound.id ? [trafficJson(row, state, genB)] : [];
      })
    : null;
  const settings = { ...inbound.settings, clients };
  const out: Record<string, unknown> = { id: inbound.id, up: inbound.up, down: inbound.down, total: inbound.total };
  if (!genB) out.allTime = inbound.up + inbound.down;
  Object.assign(out, {
    remark: inbound.remark,
    enable: inbound.enable,
    expiryTime: inbound.expiryTime,
    trafficReset: 'never',
    lastTrafficResetTime: 0,
    clientStats: stats,
    listen: inbound.listen,
    port: inbound.port,
    protocol: inbound.protocol,
    settings: genB ? settings : goMarshalIndent(settings),
    streamSettings: genB ? inbound.streamSettings : goMarshalIndent(inbound.streamSettings),
    tag: inbound.tag,
    sniffing: genB ? inbound.sniffing : goMarshalIndent(inbound.sniffing),
  });
  return out;
}
