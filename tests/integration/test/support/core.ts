/**
 * What the link-traffic tests need around a real core: where v2ray is (and why the tests skip
 * without it), a local web server that counts the bytes it really moved, a fetch through a link
 * client's SOCKS port, and a 3x-ui rig whose simulator drives the core with one inbound.
 */
import { existsSync } from 'node:fs';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { SocksProxyAgent } from 'socks-proxy-agent';
import { createXuiAdapter } from '@panelkit/panel-adapters';
import { createXuiSimulator, freeLocalPort, type XuiInboundSeed, type XuiSimulator } from '@panelkit/panel-adapters/testing';
import type { ManualClock } from '@panelkit/sdk/testing';
import type { PanelKindRig } from './kinds.js';

/** The core binary the tests run (Debian's v2ray; `scripts/ensure-v2ray.sh` installs it). */
export const V2RAY = process.env['PANELKIT_V2RAY'] ?? '/usr/bin/v2ray';
/** Why the core tests cannot run here, or false. */
export const SKIP_CORE: string | false =
  existsSync(V2RAY) && existsSync(join(dirname(V2RAY), 'v2ctl'))
    ? false
    : `no ${V2RAY} with v2ctl beside it; the test command installs Debian's v2ray`;

/** One 127.0.0.1 web server serving `/bytes/<n>` (n bytes of body), counting every byte its sockets moved. */
export interface CountingWebServer {
  readonly url: string;
  /** Bytes read from and written to clients so far, over every connection (open or closed). */
  moved(): { read: number; written: number };
  close(): Promise<void>;
}

export async function startCountingWebServer(): Promise<CountingWebServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const size = Number(/^\/bytes\/(\d+)$/.exec(req.url ?? '')?.[1] ?? 0);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(size), connection: 'close' });
    res.end(Buffer.alloc(size, 0x61));
  });
  server.on('connection', (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    moved() {
      let read = 0;
      let written = 0;
      for (const socket of sockets) {
        read += socket.bytesRead;
        written += socket.bytesWritten;
      }
      return { read, written };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** GETs `url` through the SOCKS5 proxy on `socksPort`; the body's length, or a rejection (refused, reset, or no answer in `timeoutMs`). */
export function fetchThrough(socksPort: number, url: string, timeoutMs = 15_000): Promise<number> {
  const agent = new SocksProxyAgent(`socks5h://127.0.0.1:${socksPort}`, { timeout: timeoutMs });
  return new Promise((resolve, reject) => {
    const request = get(url, { agent, headers: { connection: 'close' }, timeout: timeoutMs }, (response) => {
      let length = 0;
      response.on('data', (chunk: Buffer) => (length += chunk.length));
      response.on('end', () => (response.complete ? resolve(length) : reject(new Error('the response was cut short'))));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
  });
}

/**
 * Whether a fetch through `socksPort` gets the whole body. A core that refuses a user may hold the
 * connection open instead of closing it (VMess drains it to resist probing), so no answer within a
 * few seconds counts as refused; use `fetchThrough` where a request must succeed.
 */
export async function connects(socksPort: number, url: string): Promise<boolean> {
  try {
    await fetchThrough(socksPort, url, 3_000);
    return true;
  } catch {
    return false;
  }
}

const PASSWORD = 'integration-core-panel-password-7e2a';
const connection = { timeoutMs: 5_000, retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 2_000 } };

/** A protocol the core runs, and the inbound the panel gets for it (its port chosen when the rig is made). */
export interface CoreProtocol {
  readonly label: string;
  readonly inbound: Omit<XuiInboundSeed, 'port'>;
}

export const CORE_PROTOCOLS: readonly CoreProtocol[] = [
  {
    label: 'VLESS over WebSocket',
    inbound: {
      remark: 'VLESS-WS',
      protocol: 'vless',
      streamSettings: { network: 'ws', security: 'none', wsSettings: { path: '/vl', host: '', headers: {} } },
    },
  },
  { label: 'VMess over TCP', inbound: { remark: 'VMess-TCP', protocol: 'vmess' } },
  { label: 'Trojan over TCP', inbound: { remark: 'Trojan-TCP', protocol: 'trojan', settings: { fallbacks: [] } } },
  {
    label: 'Shadowsocks aes-256-gcm',
    inbound: { remark: 'SS-AES', protocol: 'shadowsocks', settings: { method: 'aes-256-gcm', password: '', network: 'tcp,udp' } },
  },
];

/** A 3x-ui (v2.8, Gen A) rig whose simulator drives a real core with one inbound of `protocol` on a free port. */
export async function coreRig(protocol: CoreProtocol, clock: ManualClock): Promise<PanelKindRig & { sim: XuiSimulator }> {
  const sim = createXuiSimulator({
    version: '2.8.x',
    clock,
    credentials: { username: 'admin', password: PASSWORD },
    core: { binary: V2RAY },
  });
  sim.addInbound({ ...protocol.inbound, port: await freeLocalPort() });
  return {
    label: `3x-ui with v2ray: ${protocol.label}`,
    sim,
    sessionKind: 'login',
    adapter: (origin, c) =>
      createXuiAdapter({ baseUrl: `${origin}/`, auth: { username: 'admin', password: PASSWORD }, clock: c, ...connection }),
    pickTarget: (targets) => targets[0]!,
    stored: () => undefined,
    credentialOf: (uuid) => uuid,
  };
}
