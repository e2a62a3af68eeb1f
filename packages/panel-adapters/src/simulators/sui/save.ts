/**
 * `POST save` with `object=clients`, action by action (`service/client.go Save`), applied
 * all-or-nothing as the panel's transaction is. Returns the inbound ids whose users changed (the
 * panel restarts those inbounds and then answers the inbound summaries too).
 */
import { GoError, configOf, decodeClient, inboundIdsOf, linksOf, parseGoJson, type DecodedClient } from './decode.js';
import { regenerateLinks } from './links.js';
import { atLeast, type SimSuiClient, type SimSuiInbound } from './state.js';

export interface SaveTarget {
  readonly version: string;
  readonly clients: Map<number, SimSuiClient>;
  readonly inbounds: readonly SimSuiInbound[];
  nowSeconds(): number;
  nextId(): number;
}

/** Thrown by Go code the panel does not recover from (gin answers 500). */
export class GoPanic extends Error {}

function blank(): SimSuiClient {
  return {
    id: 0,
    enable: false,
    name: '',
    config: {},
    inbounds: [],
    links: [],
    volume: 0,
    expiry: 0,
    down: 0,
    up: 0,
    desc: '',
    group: '',
    remark: '',
    createdAt: 0,
    onlineAt: 0,
    delayStart: false,
    autoReset: false,
    resetDays: 0,
    nextReset: 0,
    totalUp: 0,
    totalDown: 0,
  };
}

/** v1.5 `setConfigIdentity`: the names inside `config` follow the client name. */
function setConfigIdentity(client: SimSuiClient): void {
  if (client.name === '') return;
  for (const user of Object.values(client.config)) {
    if ('name' in user) user.name = client.name;
    else if ('username' in user) user.username = client.name;
  }
}

function union(a: readonly number[], b: readonly number[]): number[] {
  return [...new Set([...a, ...b])];
}

function build(decoded: DecodedClient, target: SaveTarget, host: string, linkInbounds?: readonly number[]): SimSuiClient {
  const client: SimSuiClient = { ...blank(), ...decoded.fields, config: configOf(decoded.config) };
  if (atLeast(target.version, 1, 5)) setConfigIdentity(client);
  const ids = inboundIdsOf(decoded.inbounds);
  client.links = linksOf(decoded.links);
  client.inbounds = ids;
  client.links = regenerateLinks(client, target.inbounds, linkInbounds ?? ids, host);
  return client;
}

function existing(target: SaveTarget, id: number | undefined): SimSuiClient {
  const found = id === undefined ? undefined : target.clients.get(id);
  if (!found) throw new GoError('record not found');
  return found;
}

function changedInbounds(before: SimSuiClient, after: SimSuiClient): number[] {
  if (JSON.stringify(before.config) !== JSON.stringify(after.config) || before.name !== after.name || before.enable !== after.enable) {
    return union(before.inbounds, after.inbounds);
  }
  const a = new Set(before.inbounds);
  const b = new Set(after.inbounds);
  return [...before.inbounds.filter((id) => !b.has(id)), ...after.inbounds.filter((id) => !a.has(id))];
}

function preserveTimestamps(target: SaveTarget, client: SimSuiClient, before: SimSuiClient): void {
  if (!atLeast(target.version, 1, 5)) return;
  client.createdAt = before.createdAt;
  client.onlineAt = before.onlineAt;
}

function arrayOf(value: unknown, type: string): unknown[] {
  if (!Array.isArray(value))
    throw new GoError(`json: cannot unmarshal ${value === null ? 'null' : typeof value} into Go value of type ${type}`);
  return value;
}

function uintOf(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new GoError(`json: cannot unmarshal ${Array.isArray(value) ? 'array' : typeof value} into Go value of type uint`);
  }
  return value;
}

export function saveClients(target: SaveTarget, action: string, data: string, host: string): number[] {
  const v14 = atLeast(target.version, 1, 4);
  const v15 = atLeast(target.version, 1, 5);
  switch (action) {
    case 'new':
    case 'edit': {
      const client = build(decodeClient(parseGoJson(data), target.version), target, host);
      if (action === 'edit') {
        const before = existing(target, client.id);
        preserveTimestamps(target, client, before);
        target.clients.set(client.id, client);
        return changedInbounds(before, client);
      }
      if (v15) client.createdAt = target.nowSeconds();
      if (client.id === 0) client.id = target.nextId();
      target.clients.set(client.id, client);
      return client.inbounds;
    }
    case 'addbulk': {
      const items = arrayOf(parseGoJson(data), '[]*model.Client').map((item) => decodeClient(item, target.version));
      let touched: number[] = [];
      let clients: SimSuiClient[];
      if (v15) {
        clients = items.map((item) => build(item, target, host));
        for (const client of clients) touched = union(touched, client.inbounds);
      } else {
        // ≤ v1.4: `clients[0].inbounds` decides links and restarts for the whole batch.
        const first = items[0];
        if (!first) throw new GoPanic('index out of range [0] with length 0');
        touched = inboundIdsOf(first.inbounds);
        clients = items.map((item) => build(item, target, host, touched));
      }
      const now = target.nowSeconds();
      for (const client of clients) {
        if (v15) client.createdAt = now;
        if (client.id === 0) client.id = target.nextId();
        target.clients.set(client.id, client);
      }
      return touched;
    }
    case 'editbulk': {
      if (!v14) break;
      const items = arrayOf(parseGoJson(data), '[]*model.Client').map((item) => decodeClient(item, target.version));
      let touched: number[] = [];
      const updated = items.map((item) => {
        const before = existing(target, item.fields.id);
        // `fillOmitted`: links and config always come from the database.
        const client = build({ ...item, config: before.config, links: before.links }, target, host);
        preserveTimestamps(target, client, before);
        touched = union(touched, changedInbounds(before, client));
        return client;
      });
      for (const client of updated) target.clients.set(client.id, client);
      return touched;
    }
    case 'del': {
      const id = uintOf(parseGoJson(data));
      const before = existing(target, id);
      target.clients.delete(id);
      return before.inbounds;
    }
    case 'delbulk': {
      if (!v14) break;
      const ids = arrayOf(parseGoJson(data), '[]uint').map(uintOf);
      let touched: number[] = [];
      for (const id of ids) touched = union(touched, existing(target, id).inbounds);
      for (const id of ids) target.clients.delete(id);
      return touched;
    }
  }
  throw new GoError(`unknown action: ${action}`);
}
