/**
 * Share links as the simulated panel stores them in `client.links` at save time
 * (`util/genLink.go LinkGenerator`): one `local` link per inbound the client is on, the server
 * being the inbound's address or else the host of the API request that saved the client, the
 * remark the inbound tag. Only the common protocols are rendered; the rest get no link.
 */
import { configKeyFor, type SimSuiClient, type SimSuiInbound, type SimSuiLink } from './state.js';

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function linkFor(client: SimSuiClient, inbound: SimSuiInbound, host: string): string | null {
  const user = client.config[configKeyFor(inbound)];
  if (!user) return null;
  const server = inbound.address ?? host;
  const at = `${server}:${inbound.listenPort}`;
  const remark = encodeURIComponent(client.remark ? `${client.remark}-${inbound.tag}` : inbound.tag);
  const security = inbound.tls ?? 'none';
  switch (inbound.type) {
    case 'vless': {
      const params = new URLSearchParams({ type: inbound.transport ?? 'tcp', security });
      const flow = str(user.flow);
      if (flow && security !== 'none' && (inbound.transport ?? 'tcp') === 'tcp') params.set('flow', flow);
      return `vless://${str(user.uuid)}@${at}?${params.toString()}#${remark}`;
    }
    case 'vmess': {
      const body = {
        v: '2',
        ps: inbound.tag,
        add: server,
        port: inbound.listenPort,
        id: str(user.uuid),
        aid: 0,
        net: inbound.transport ?? 'tcp',
        tls: security === 'none' ? '' : 'tls',
      };
      return `vmess://${Buffer.from(JSON.stringify(body)).toString('base64')}`;
    }
    case 'trojan':
      return `trojan://${encodeURIComponent(str(user.password))}@${at}?security=${security}#${remark}`;
    case 'hysteria2':
      return `hysteria2://${encodeURIComponent(str(user.password))}@${at}#${remark}`;
    case 'tuic':
      return `tuic://${str(user.uuid)}:${encodeURIComponent(str(user.password))}@${at}#${remark}`;
    case 'shadowsocks': {
      const method = inbound.method ?? 'chacha20-ietf-poly1305';
      return `ss://${Buffer.from(`${method}:${str(user.password)}`).toString('base64')}@${at}#${remark}`;
    }
    default:
      return null;
  }
}

/** `updateLinksWithFixedInbounds`: fresh local links for `inboundIds`, other links kept. */
export function regenerateLinks(
  client: SimSuiClient,
  inbounds: readonly SimSuiInbound[],
  inboundIds: readonly number[],
  host: string,
): SimSuiLink[] {
  const local: SimSuiLink[] = [];
  for (const id of inboundIds) {
    const inbound = inbounds.find((candidate) => candidate.id === id);
    if (!inbound) continue;
    const uri = linkFor(client, inbound, host);
    if (uri) local.push({ remark: inbound.tag, type: 'local', uri });
  }
  return [...local, ...client.links.filter((link) => link.type !== 'local')];
}
