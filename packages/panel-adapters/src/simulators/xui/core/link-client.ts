/**
 * A second core run as a client of one share link: a SOCKS5 and an HTTP proxy inbound on free
 * 127.0.0.1 ports whose traffic leaves through the link's outbound, as a buyer's app would use it.
 */
import { shareLinkToOutbound } from '../../../share-links/index.js';
import { CoreProcess, freeLocalPort } from './process.js';

/** A running link client; `stop()` it when done. */
export interface LinkClient {
  /** The SOCKS5 port on 127.0.0.1 (no authentication). */
  readonly socksPort: number;
  /** The HTTP proxy port on 127.0.0.1 (absolute-URI requests and CONNECT). */
  readonly httpPort: number;
  /** Stops the client's core process and frees its ports. */
  stop(): Promise<void>;
}

/** Starts `binary` (v2ray/Xray) as a client of `link`; resolves once its proxy ports listen. Throws `ShareLinkError` for a bad link. */
export async function startLinkClient(binary: string, link: string): Promise<LinkClient> {
  const outbound = shareLinkToOutbound(link, { tag: 'proxy' });
  const socksPort = await freeLocalPort();
  let httpPort = await freeLocalPort();
  while (httpPort === socksPort) httpPort = await freeLocalPort();
  const config = {
    log: { loglevel: 'warning' },
    inbounds: [
      { tag: 'socks', listen: '127.0.0.1', port: socksPort, protocol: 'socks', settings: { auth: 'noauth', udp: false } },
      { tag: 'http', listen: '127.0.0.1', port: httpPort, protocol: 'http', settings: {} },
    ],
    outbounds: [outbound],
  };
  const core = new CoreProcess(binary);
  await core.start(config, [socksPort, httpPort]);
  return { socksPort, httpPort, stop: () => core.dispose() };
}
