/**
 * What the simulated PasarGuard hands a WireGuard user (`app/subscription/base.py` `_build_wireguard_components`,
 * `links.py` `_build_wireguard`, `wireguard.py`): per host of each `wg` core the user reaches, one `wireguard://`
 * link in the links format and one `.conf`; a host is skipped while the user has no private key or no peer IP
 * there. The `.conf`s always go out as a zip, even one (`<remark>.conf`, spaces and `/` as `_`).
 */
import { pyQuote } from '../marzban-family/py-quote.js';
import type { SimUser } from './state.js';
import type { SimWireGuardCore } from './wg-cores.js';
import { peerIpsOn } from './wg-pool.js';
import { strToU8, zipSync } from 'fflate';

/** One host's output for one user: its remark, the share link and the config text. */
export interface WireGuardOutput {
  remark: string;
  link: string;
  conf: string;
}

const DEFAULT_ALLOWED_IPS = ['0.0.0.0/0', '::/0'];

/** The user's WireGuard outputs: every host of every core whose tag it reaches, in core order. */
export function wireGuardOutputs(
  user: SimUser,
  cores: readonly SimWireGuardCore[],
  tags: ReadonlySet<string>,
  serverAddress: string,
): WireGuardOutput[] {
  const privateKey = user.proxySettings.wireguard.private_key;
  const outputs: WireGuardOutput[] = [];
  for (const core of cores) {
    if (!tags.has(core.interfaceName)) continue;
    const peerIps = peerIpsOn(core, user.proxySettings.wireguard.peer_ips);
    if (!privateKey || peerIps.length === 0) continue;
    const hosts = core.hosts.length > 0 ? core.hosts : [{ remark: `${core.interfaceName} (${user.username})` }];
    for (const host of hosts) {
      const address = host.address ?? serverAddress;
      const port = host.port ?? core.listenPort;
      // The payload's keys in the panel's order; absent values dropped.
      const payload: [string, string | number | undefined][] = [
        ['publickey', core.publicKey],
        ['address', peerIps.join(',')],
        ['mtu', host.mtu],
        ['allowedips', (host.allowedIps && host.allowedIps.length > 0 ? host.allowedIps : DEFAULT_ALLOWED_IPS).join(',')],
        ['keepalive', host.keepaliveSeconds || undefined],
        ['dns', host.dns && host.dns.length > 0 ? host.dns.join(',') : undefined],
        ['presharedkey', core.preSharedKey ?? undefined],
      ];
      const present = payload.filter((entry): entry is [string, string | number] => entry[1] !== undefined && entry[1] !== '');
      const query = present.map(([key, value]) => `${key}=${pyQuote(String(value), '')}`).join('&');
      const values = Object.fromEntries(present);
      const iface = [`PrivateKey = ${privateKey}`, `Address = ${peerIps.join(', ')}`];
      if (values.mtu !== undefined) iface.push(`MTU = ${values.mtu}`);
      if (values.dns !== undefined) iface.push(`DNS = ${String(values.dns).replaceAll(',', ', ')}`);
      const peer = [
        `PublicKey = ${core.publicKey}`,
        `AllowedIPs = ${String(values.allowedips).replaceAll(',', ', ')}`,
        `Endpoint = ${address}:${port}`,
      ];
      if (values.presharedkey !== undefined) peer.push(`PresharedKey = ${values.presharedkey}`);
      if (values.keepalive !== undefined) peer.push(`PersistentKeepalive = ${values.keepalive}`);
      outputs.push({
        remark: host.remark,
        link: `wireguard://${pyQuote(privateKey, '')}@${address}:${port}/?${query}#${pyQuote(host.remark)}`,
        conf: ['[Interface]', ...iface, '', '[Peer]', ...peer].join('\n'),
      });
    }
  }
  return outputs;
}

/** `WireGuardConfiguration.render`: every config in one deflated zip, even a single one. */
export function wireGuardZip(outputs: readonly WireGuardOutput[], at: Date): Buffer {
  // Python's zipfile with ZIP_DEFLATED, as the panel writes it; a later entry of the same name replaces an earlier one.
  const entries = Object.fromEntries(
    outputs.map((output) => [`${output.remark.replaceAll(' ', '_').replaceAll('/', '_')}.conf`, strToU8(output.conf)]),
  );
  return Buffer.from(zipSync(entries, { level: 6, mtime: at }));
}
