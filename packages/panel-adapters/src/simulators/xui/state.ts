/**
 * The simulated 3x-ui database: inbounds, clients and their traffic rows, shared by both API
 * generations. A client is stored as the raw JSON object the API received (Gen A keeps exactly
 * what was posted inside `settings`, plus `created_at`/`updated_at`), keyed by lower-cased email
 * (3x-ui compares emails case-insensitively). In Gen A a client sits on one inbound; in Gen B the
 * same client may be attached to several.
 */

export type RawClient = Record<string, unknown>;

/** An inbound as the simulated 3x-ui stores it (exported as `XuiSimInbound`). */
export interface SimInbound {
  id: number;
  remark: string;
  protocol: string;
  port: number;
  listen: string;
  enable: boolean;
  up: number;
  down: number;
  total: number;
  expiryTime: number;
  tag: string;
  /** `settings` without `clients`. */
  settings: Record<string, unknown>;
  streamSettings: Record<string, unknown>;
  sniffing: Record<string, unknown>;
  /** Lower-cased emails of the clients in `settings.clients`, in order. */
  clientKeys: string[];
  /** The node that hosts it (v3 nodes); absent for the panel's own inbounds. */
  nodeId?: number;
}

/** A client's traffic row: bytes up and down, total limit and expiry as 3x-ui stores them (exported as `XuiSimTraffic`). */
export interface SimTraffic {
  id: number;
  inboundId: number;
  email: string;
  up: number;
  down: number;
  total: number;
  expiryTime: number;
  reset: number;
  /** False once the panel's own job disabled the client (depleted or expired). */
  enable: boolean;
  lastOnline: number;
}

/** What `addInbound` takes: remark, protocol, port and optional settings (clients included), stream and sniffing JSON (exported as `XuiInboundSeed`). */
export interface InboundSeed {
  remark: string;
  protocol: 'vless' | 'vmess' | 'trojan' | 'shadowsocks' | string;
  port: number;
  listen?: string;
  enable?: boolean;
  settings?: Record<string, unknown>;
  streamSettings?: Record<string, unknown>;
  sniffing?: Record<string, unknown>;
  /** The node that hosts it; absent for the panel's own. */
  nodeId?: number;
}

export const key = (email: string): string => email.toLowerCase();

export function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
export function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** The field a Gen A route uses as the client's id: UUID, trojan password or shadowsocks email. */
export function clientIdOf(protocol: string, client: RawClient): string {
  if (protocol === 'trojan') return text(client.password);
  if (protocol === 'shadowsocks') return text(client.email);
  return text(client.id);
}

/** The simulated 3x-ui database: inbounds, clients (as the raw JSON the API received, keyed by lower-cased email) and traffic rows. */
export class XuiState {
  readonly inbounds = new Map<number, SimInbound>();
  readonly clients = new Map<string, RawClient>();
  readonly traffic = new Map<string, SimTraffic>();
  /** Inbound ids per client (Gen A: exactly one). */
  readonly attachments = new Map<string, number[]>();
  readonly online = new Set<string>();
  /** Whether the traffic job has polled yet (`onlines` is `null` before, on v2). */
  polled = false;
  #nextInboundId = 1;
  #nextTrafficId = 1;

  /** Adds an inbound with a fresh id and its clients' traffic rows; returns it. */
  addInbound(seed: InboundSeed): SimInbound {
    const id = this.#nextInboundId++;
    const inbound: SimInbound = {
      id,
      remark: seed.remark,
      protocol: seed.protocol,
      port: seed.port,
      listen: seed.listen ?? '',
      enable: seed.enable ?? true,
      up: 0,
      down: 0,
      total: 0,
      expiryTime: 0,
      tag: `inbound-${seed.port}`,
      settings: { ...(seed.settings ?? defaultSettings(seed.protocol)) },
      streamSettings: seed.streamSettings ?? {
        network: 'tcp',
        security: 'none',
        externalProxy: [],
        tcpSettings: { acceptProxyProtocol: false, header: { type: 'none' } },
      },
      sniffing: seed.sniffing ?? {
        enabled: false,
        destOverride: ['http', 'tls', 'quic', 'fakedns'],
        metadataOnly: false,
        routeOnly: false,
      },
      clientKeys: [],
      ...(seed.nodeId === undefined ? {} : { nodeId: seed.nodeId }),
    };
    delete inbound.settings.clients;
    this.inbounds.set(id, inbound);
    return inbound;
  }

  /** The clients attached to an inbound, in the order added. */
  clientsOf(inbound: SimInbound): RawClient[] {
    const out: RawClient[] = [];
    for (const k of inbound.clientKeys) {
      const client = this.clients.get(k);
      if (client) out.push(client);
    }
    return out;
  }

  /** Puts a client on an inbound and opens its traffic row (when it has none). O(1): for seeding and Gen B attach. */
  attach(inbound: SimInbound, client: RawClient, now: number): void {
    const k = key(text(client.email));
    const fresh = !this.clients.has(k) || !(this.attachments.get(k) ?? []).includes(inbound.id);
    this.clients.set(k, client);
    if (fresh) inbound.clientKeys.push(k);
    this.#link(inbound, k, client, now);
  }

  /** Replaces an inbound's whole client list, as a Gen A write of `settings` does. */
  replaceClients(inbound: SimInbound, list: readonly RawClient[], now: number): void {
    const keys = list.map((client) => key(text(client.email)));
    const keep = new Set(keys);
    for (const k of inbound.clientKeys) if (!keep.has(k)) this.#unlink(inbound, k, false);
    inbound.clientKeys = keys;
    list.forEach((client, i) => {
      this.clients.set(keys[i]!, client);
      this.#link(inbound, keys[i]!, client, now);
    });
  }

  /** Removes a client from one inbound; drops the record (and, unless kept, the traffic row) when it is on none. */
  detach(inbound: SimInbound, email: string, keepTraffic = false): void {
    this.detachMany(inbound, [email], keepTraffic);
  }

  /** `detach` of several clients with one pass over the inbound's list (a test's pool of 65 000 placeholders). */
  detachMany(inbound: SimInbound, emails: readonly string[], keepTraffic = false): void {
    const keys = new Set(emails.map(key));
    inbound.clientKeys = inbound.clientKeys.filter((c) => !keys.has(c));
    for (const k of keys) this.#unlink(inbound, k, keepTraffic);
  }

  #link(inbound: SimInbound, k: string, client: RawClient, now: number): void {
    const ids = this.attachments.get(k);
    if (!ids) this.attachments.set(k, [inbound.id]);
    else if (!ids.includes(inbound.id)) ids.push(inbound.id);
    if (this.traffic.has(k)) return;
    const row: SimTraffic = {
      id: this.#nextTrafficId++,
      inboundId: inbound.id,
      email: text(client.email),
      up: 0,
      down: 0,
      total: num(client.totalGB),
      expiryTime: num(client.expiryTime),
      reset: num(client.reset),
      enable: client.enable !== false,
      lastOnline: 0,
    };
    this.#applyLimits(row, now);
    this.traffic.set(k, row);
  }

  #unlink(inbound: SimInbound, k: string, keepTraffic: boolean): void {
    const ids = (this.attachments.get(k) ?? []).filter((id) => id !== inbound.id);
    if (ids.length > 0) {
      this.attachments.set(k, ids);
      return;
    }
    this.attachments.delete(k);
    this.clients.delete(k);
    this.online.delete(k);
    if (!keepTraffic) this.traffic.delete(k);
  }

  /** Moves a traffic row to a new email (a Gen A update that changes the email). */
  renameTraffic(from: string, to: string): void {
    const row = this.traffic.get(key(from));
    if (!row) return;
    this.traffic.delete(key(from));
    row.email = to;
    this.traffic.set(key(to), row);
  }

  /** Copies a changed client's limits into its traffic row, as `UpdateClientStat` does. */
  syncTraffic(client: RawClient, now: number): void {
    const row = this.traffic.get(key(text(client.email)));
    if (!row) return;
    row.total = num(client.totalGB);
    row.expiryTime = num(client.expiryTime);
    row.reset = num(client.reset);
    row.enable = client.enable !== false;
    this.#applyLimits(row, now);
  }

  /** Traffic as if the client used it; starts a start-on-first-use period at the first byte. */
  addTraffic(email: string, up: number, down: number, now: number): void {
    const k = key(email);
    const row = this.traffic.get(k);
    if (!row) throw new Error(`no traffic row for ${email}`);
    row.up += up;
    row.down += down;
    if (up + down > 0) {
      row.lastOnline = now;
      this.polled = true;
      const client = this.clients.get(k);
      if (client && num(client.expiryTime) < 0) {
        const expiry = now - num(client.expiryTime);
        client.expiryTime = expiry;
        row.expiryTime = expiry;
      }
    }
    for (const id of this.attachments.get(k) ?? []) {
      const inbound = this.inbounds.get(id);
      if (inbound) {
        inbound.up += up;
        inbound.down += down;
      }
    }
  }

  /** The panel's own job: disables depleted or expired clients' traffic rows. Returns how many changed. */
  enforce(now: number): number {
    let changed = 0;
    for (const row of this.traffic.values()) {
      const before = row.enable;
      this.#applyLimits(row, now);
      if (before !== row.enable) changed++;
    }
    return changed;
  }

  /** Zeroes a client's upload and download counters; false when it has no traffic row. */
  resetTraffic(email: string, now: number): boolean {
    const row = this.traffic.get(key(email));
    if (!row) return false;
    row.up = 0;
    row.down = 0;
    const client = this.clients.get(key(email));
    row.enable = client?.enable !== false;
    this.#applyLimits(row, now);
    return true;
  }

  #applyLimits(row: SimTraffic, now: number): void {
    const depleted = row.total > 0 && row.up + row.down >= row.total;
    const expired = row.expiryTime > 0 && row.expiryTime <= now;
    if (depleted || expired) row.enable = false;
  }
}

function defaultSettings(protocol: string): Record<string, unknown> {
  switch (protocol) {
    case 'vless':
      return { decryption: 'none', encryption: 'none', fallbacks: [] };
    case 'trojan':
      return { fallbacks: [] };
    case 'shadowsocks':
      return { method: '2022-blake3-aes-256-gcm', password: Buffer.alloc(32, 7).toString('base64'), network: 'tcp,udp' };
    default:
      return {};
  }
}
