/**
 * A second core run as a client of one share link: a SOCKS5 inbound on a free 127.0.0.1 port
 * whose traffic leaves through the link's outbound, as a buyer's app would use it.
 */
import { shareLinkToOutbound } from '../../../share-links/index.js';
import { CoreProcess, freeLocalPort } from './process.js';

/** A running link client; `stop()` it when done. */
export interface LinkClient {
  /** The SOCKS5 port on 127.0.0.1 (no authentication). */
  readonly socksPort: number;
  stop(): Promise<void>;
}

/** Starts `binary` (v2ray/Xray) as a client of `link`; resolves once its SOCKS port listens. Throws `ShareLinkError` for a bad link. */
export async function startLinkClient(binary: string, link: string): Promise<LinkClient> {
  const outbound = shareLinkToOutbound(link, { tag: 'proxy' });
  const socksPort = await freeLocalPort();
  const config = {
    log: { loglevel: 'warning' },
    inbounds: [{ tag: 'socks', listen: '127.0.0.1', port: socksPort, protocol: 'socks', settings: { auth: 'noauth', udp: false } }],
    outbounds: [outbound],
  };
  const core = new CoreProcess(binary);
  await core.start(config, [socksPort]);
  return { socksPort, stop: () => core.dispose() };
}
