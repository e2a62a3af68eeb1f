/**
 * Share links as Remnawave builds them (`XrayGeneratorService`, written from its source): one link per host
 * of the inbounds in the user's squads; `vless://uuid@address:port?query#remark`, `trojan://password@…`,
 * `ss://base64(method:password)@address:port#remark`. Query keys in the panel's order (encryption, flow,
 * type, transport, security, TLS/REALITY), every key and value and the remark percent-encoded.
 */
import type { RemnawaveSimHost, RemnawaveSimInbound, RemnawaveSimUser } from './state.js';

type Params = Array<[string, string | number | undefined | null]>;

function query(params: Params): string {
  return params
    .filter((pair): pair is [string, string | number] => pair[1] !== undefined && pair[1] !== null)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`)
    .join('&');
}

function transport(inbound: RemnawaveSimInbound, host: RemnawaveSimHost): Params {
  const params: Params = [['type', inbound.network]];
  if (inbound.network === 'ws') params.push(['path', host.path], ['host', host.sni]);
  if (inbound.network === 'grpc') params.push(['serviceName', host.serviceName], ['mode', 'gun']);
  return params;
}

function security(inbound: RemnawaveSimInbound, host: RemnawaveSimHost): Params {
  const params: Params = [['security', inbound.security]];
  if (inbound.security === 'tls') params.push(['sni', host.sni], ['fp', host.fingerprint || undefined]);
  if (inbound.security === 'reality') {
    params.push(['sni', host.sni], ['fp', host.fingerprint || 'chrome'], ['pbk', host.publicKey], ['sid', host.shortId]);
  }
  return params;
}

function linkOf(user: RemnawaveSimUser, inbound: RemnawaveSimInbound, host: RemnawaveSimHost): string {
  const remark = encodeURIComponent(host.remark);
  const at = `${host.address}:${host.port}`;
  switch (inbound.type) {
    case 'vless': {
      const flow = inbound.network === 'tcp' && inbound.security !== 'none' ? host.flow : undefined;
      const params: Params = [['encryption', 'none'], ['flow', flow], ...transport(inbound, host), ...security(inbound, host)];
      return `vless://${user.vlessUuid}@${at}?${query(params)}#${remark}`;
    }
    case 'trojan':
      return `trojan://${encodeURIComponent(user.trojanPassword)}@${at}?${query([...transport(inbound, host), ...security(inbound, host)])}#${remark}`;
    case 'shadowsocks': {
      const credentials = Buffer.from(`${host.method ?? 'chacha20-ietf-poly1305'}:${user.ssPassword}`).toString('base64');
      return `ss://${credentials}@${at}#${remark}`;
    }
    default:
      return inbound.type satisfies never;
  }
}

/** The user's links: hosts of every inbound its squads hold, in host order. */
export function userLinks(
  user: RemnawaveSimUser,
  inbounds: ReadonlyMap<string, RemnawaveSimInbound>,
  hosts: readonly RemnawaveSimHost[],
  squadInbounds: ReadonlySet<string>,
): string[] {
  const links: string[] = [];
  for (const host of hosts) {
    const inbound = inbounds.get(host.inboundUuid);
    if (inbound === undefined || !squadInbounds.has(inbound.uuid)) continue;
    links.push(linkOf(user, inbound, host));
  }
  return links;
}

/** The default custom remarks the panel seeds (`8_seed-subscription-settings.ts`), by user status or for no hosts. */
export const FALLBACK_REMARKS: Readonly<Record<string, readonly string[]>> = {
  EXPIRED: ['⌛ Subscription expired', 'Contact support'],
  LIMITED: ['🚧 Subscription limited', 'Contact support'],
  DISABLED: ['🚫 Subscription disabled', 'Contact support'],
  EMPTY_HOSTS: ['→ Remnawave', '→ No hosts found', '→ Check Hosts tab', '→ Check Internal Squads tab'],
  HWID_MAX_DEVICES: ['Limit of devices reached'],
  HWID_NOT_SUPPORTED: ['App not supported'],
};

/**
 * The entries the panel renders in place of a user's hosts (`createFallbackHosts`): one vless link
 * per remark to the zero UUID at `0.0.0.0:1`, over plain TCP. A status without remarks renders none.
 */
export function fallbackLinks(reason: string): string[] {
  return (FALLBACK_REMARKS[reason] ?? []).map(
    (remark) =>
      `vless://00000000-0000-0000-0000-000000000000@0.0.0.0:1?${query([
        ['encryption', 'none'],
        ['type', 'tcp'],
        ['security', 'none'],
      ])}#${encodeURIComponent(remark)}`,
  );
}
