/**
 * How the simulated panel shows its rows, version by version: list rows are a column subset
 * (`GetAll`), full rows every column (`getById`); fields a version's model lacks are absent, and
 * on v1.4+ the list shows `delayStart`/`autoReset`/`resetDays`/`nextReset`/`totalUp`/`totalDown`
 * as zero because they are not selected. Inbound summaries are Go maps, so their keys are sorted.
 */
import { USER_TYPES, atLeast, type SimSuiClient, type SimSuiInbound } from './state.js';

export function listRow(client: SimSuiClient, version: string): Record<string, unknown> {
  const row: Record<string, unknown> = {
    id: client.id,
    enable: client.enable,
    name: client.name,
    inbounds: client.inbounds,
    volume: client.volume,
    expiry: client.expiry,
    down: client.down,
    up: client.up,
    desc: client.desc,
    group: client.group,
  };
  if (atLeast(version, 1, 5)) Object.assign(row, { remark: client.remark, createdAt: client.createdAt, onlineAt: client.onlineAt });
  if (atLeast(version, 1, 4))
    Object.assign(row, { delayStart: false, autoReset: false, resetDays: 0, nextReset: 0, totalUp: 0, totalDown: 0 });
  return row;
}

export function fullRow(client: SimSuiClient, version: string): Record<string, unknown> {
  const row: Record<string, unknown> = {
    id: client.id,
    enable: client.enable,
    name: client.name,
    config: client.config,
    inbounds: client.inbounds,
    links: client.links,
    volume: client.volume,
    expiry: client.expiry,
    down: client.down,
    up: client.up,
    desc: client.desc,
    group: client.group,
  };
  if (atLeast(version, 1, 5)) Object.assign(row, { remark: client.remark, createdAt: client.createdAt, onlineAt: client.onlineAt });
  if (atLeast(version, 1, 4)) {
    Object.assign(row, {
      delayStart: client.delayStart,
      autoReset: client.autoReset,
      resetDays: client.resetDays,
      nextReset: client.nextReset,
      totalUp: client.totalUp,
      totalDown: client.totalDown,
    });
  }
  return row;
}

export function inboundSummary(inbound: SimSuiInbound, clients: Iterable<SimSuiClient>): Record<string, unknown> {
  const summary: Record<string, unknown> = {
    id: inbound.id,
    listen: inbound.listen,
    listen_port: inbound.listenPort,
    tag: inbound.tag,
    tls_id: inbound.tlsId,
    type: inbound.type,
  };
  if (USER_TYPES.has(inbound.type)) {
    const users: string[] = [];
    for (const client of clients) if (client.inbounds.includes(inbound.id)) users.push(client.name);
    summary.users = users;
  }
  return summary;
}

/** `Inbound.MarshalFull`, reduced to what the simulator models. */
export function inboundFull(inbound: SimSuiInbound): Record<string, unknown> {
  return {
    addrs: inbound.address ? [{ server: inbound.address, server_port: inbound.listenPort }] : [],
    id: inbound.id,
    listen: inbound.listen,
    listen_port: inbound.listenPort,
    ...(inbound.method ? { method: inbound.method } : {}),
    tag: inbound.tag,
    tls_id: inbound.tlsId,
    type: inbound.type,
  };
}
