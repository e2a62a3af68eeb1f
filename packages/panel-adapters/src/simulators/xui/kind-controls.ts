/**
 * Test controls of the simulated panel for WireGuard and MTProto clients: whether a client would get through
 * (the peers Xray is given, the secrets mtg runs with), an admin's inbound save (which heals MTProto secrets), and
 * filling a WireGuard inbound's address pool.
 */
import { randomBytes } from 'node:crypto';
import { healSecrets, mtgRuns } from './mtproto.js';
import { key, text, type RawClient, type SimInbound, type XuiState } from './state.js';
import type { XuiVersionTraits } from './version.js';
import { entriesOf, freeAddresses, nextFree } from './wireguard.js';

/** Whether the panel serves the client now: its switch, its traffic row (not depleted or expired). */
function served(state: XuiState, client: RawClient): boolean {
  if (client.enable === false) return false;
  return state.traffic.get(key(text(client.email)))?.enable !== false;
}

/** The clients mtg is configured with: MTProto runs on the local panel only, and only served clients get a secret. */
function mtgClients(state: XuiState, inbound: SimInbound): RawClient[] {
  return state.clientsOf(inbound).filter((client) => served(state, client));
}

/** Whether the inbound's mtg sidecar runs (v3.5+ local inbound, enabled, every configured secret a FakeTLS one). */
export function mtgRunning(state: XuiState, traits: XuiVersionTraits, inbound: SimInbound): boolean {
  if (!traits.mtprotoClientSecrets || inbound.nodeId !== undefined || !inbound.enable) return false;
  return mtgRuns(mtgClients(state, inbound));
}

/** Whether the client could connect through any of its inbounds now. */
export function canConnect(state: XuiState, traits: XuiVersionTraits, username: string): boolean {
  const client = state.clients.get(key(username));
  if (!client || !served(state, client)) return false;
  return (state.attachments.get(key(username)) ?? []).some((id) => {
    const inbound = state.inbounds.get(id);
    if (!inbound?.enable) return false;
    if (inbound.protocol === 'mtproto') return mtgRunning(state, traits, inbound);
    if (inbound.protocol === 'wireguard') return traits.wireguardClients && entriesOf(client).length > 0;
    return true;
  });
}

/**
 * An admin's save of the inbound (`inbounds/update/:id`): merges `settings` (clients aside) and, for MTProto on
 * v3.5+, heals every client secret to the `ee` form (`HealMtprotoClientSecrets`). Returns how many secrets changed.
 */
export function saveInbound(state: XuiState, traits: XuiVersionTraits, inbound: SimInbound, settings: Record<string, unknown>): number {
  const { clients: _ignored, ...rest } = settings;
  Object.assign(inbound.settings, rest);
  if (inbound.protocol !== 'mtproto' || !traits.mtprotoClientSecrets) return 0;
  return healSecrets(inbound, state.clientsOf(inbound));
}

/**
 * Leaves exactly `free` addresses in a WireGuard inbound's pool: placeholder clients take the next free addresses
 * (in one pass), or placeholders an earlier fill added are removed where more must be free; throws when real
 * clients alone leave fewer.
 */
export function fillPool(state: XuiState, traits: XuiVersionTraits, inbound: SimInbound, free: number, now: number): void {
  const prefix = `pool${inbound.id}_`;
  let have = freeAddresses(state.clientsOf(inbound), traits.wireguardPoolWidens);
  if (have < free) {
    // Each placeholder holds one address: give back as many as are missing, newest first, in one pass.
    const placeholders = state
      .clientsOf(inbound)
      .map((client) => text(client.email))
      .filter((email) => email.startsWith(prefix));
    state.detachMany(inbound, placeholders.slice(Math.max(0, placeholders.length - (free - have))));
    have = freeAddresses(state.clientsOf(inbound), traits.wireguardPoolWidens);
  }
  if (have < free) throw new Error(`inbound ${inbound.id} has only ${have} free addresses`);
  const addresses = nextFree(state.clientsOf(inbound), traits.wireguardPoolWidens, have - free);
  const batch = randomBytes(4).toString('hex');
  addresses.forEach((address, i) => {
    const email = `${prefix}${batch}_${i}`;
    state.attach(inbound, { email, enable: true, subId: `pool-${email}`, allowedIPs: [address], expiryTime: 0, totalGB: 0 }, now);
  });
}
