/**
 * A real WireGuard tunnel for tests: two network namespaces of their own joined by a veth pair on a private /30 in
 * 198.18.0.0/15 (the benchmark range; nothing leaves the machine), Debian's userspace `wireguard-go` on each side
 * (there are no kernel modules here) configured with `wg`, a TCP echo to test traffic with, and a close that leaves
 * nothing behind. Names carry a random suffix, so several runs on one machine do not meet.
 *
 * `tunnelSupport()` says whether this machine can do it; `openTunnelLab()` makes the namespaces; the lab's
 * `startServer` plays the panel's WireGuard core, `bringUpClient` the buyer's device with the `.conf` it got.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { addressOf, ipv4NetworkContains, parseIpv4Cidr, type Ipv4Network } from './ipv4-cidr.js';
import { parseWgClientConf } from './wireguard-conf.js';

/** Whether the tunnel tests can run here; when not, why (for a `describe.skipIf` title). */
export type TunnelSupport = { ok: true } | { ok: false; why: string };

/** One peer of the server: a buyer's device as the panel's core knows it. */
export interface WireGuardPeer {
  /** Base64 public key of the client. */
  readonly publicKey: string;
  /** CIDRs the peer may use as source addresses (its peer IPs, e.g. `10.66.0.2/32`). */
  readonly allowedIps: readonly string[];
  /** Base64 preshared key (PasarGuard: one per core, the same for every peer). */
  readonly presharedKey?: string;
}

/** The server side, as a panel's WireGuard core is configured. */
export interface WireGuardServerOptions {
  /** Base64 private key of the server. */
  readonly privateKey: string;
  /** UDP port on the server's veth address. */
  readonly listenPort: number;
  /**
   * CIDRs on the server's tunnel interface (PasarGuard's core `address`, e.g. `['10.66.0.1/24']`). Its IPv4 subnets
   * must hold the peers' allowed IPs: the server routes to peers through them.
   */
  readonly addresses: readonly string[];
  /** The peers to start with; none when left out. */
  readonly peers?: readonly WireGuardPeer[];
}

/** One namespace of the lab. */
export interface LabSide {
  /** The network namespace's name (for `ip netns exec`, `canReach`). */
  readonly namespace: string;
  /** Its end of the veth pair, on the /30 (the server's is the client's Endpoint host). */
  readonly vethIp: string;
  /** The WireGuard interface's name in it (≤ 15 characters), once started. */
  readonly wgInterface: string;
}

/** The running server side. */
export interface WireGuardServer {
  /** Base64 public key (the client `.conf`'s `[Peer] PublicKey`). */
  readonly publicKey: string;
  /** `vethIp:listenPort`: what the client's Endpoint must be. */
  readonly endpoint: string;
  /** The interface's tunnel addresses without prefix (`10.66.0.1`), where `startEcho` can listen. */
  readonly tunnelIps: readonly string[];
  /**
   * Makes the peer list exactly `peers`: removes the others (their sessions end at once, so their traffic stops),
   * adds new ones, and sets allowed IPs and preshared key (none when left out) on every one.
   */
  setPeers(peers: readonly WireGuardPeer[]): Promise<void>;
  /** The public keys of the peers configured now (`wg show <if> peers`). */
  peers(): Promise<string[]>;
}

/** The running client side. */
export interface WireGuardClient {
  /** The `.conf`'s Address values put on the interface. */
  readonly addresses: readonly string[];
  /** The routes added through the tunnel (the server's tunnel IPs and the AllowedIPs inside its subnets). */
  readonly routes: readonly string[];
  /**
   * Sets the `.conf` again (`wg setconf`), dropping the client's session: the buyer turning the tunnel off and on.
   * A peer the server removed and added again carries nothing until then: the client keeps sending on its old
   * session, which the server no longer has, until WireGuard's own timeout makes it shake hands again (about 15 s).
   */
  reconnect(): Promise<void>;
}

/** Two namespaces joined by a veth pair, with WireGuard on each side once started. */
export interface TunnelLab {
  readonly server: LabSide;
  readonly client: LabSide;
  /** Starts `wireguard-go` in the server namespace and configures it with `wg set`. Once per lab. */
  startServer(options: WireGuardServerOptions): Promise<WireGuardServer>;
  /**
   * Brings up the client namespace's interface from a `.conf` text (`[Interface]`/`[Peer]`, as wg-quick reads it):
   * the keys `wg setconf` knows are set with it, every peer's Endpoint replaced by `endpoint` (the server's
   * `endpoint`); each Address is added; routes go to the server's tunnel IPs and to the AllowedIPs inside the server's
   * IPv4 subnets only (a `0.0.0.0/0` is not routed: the veth must keep carrying the tunnel). After `startServer`; once.
   */
  bringUpClient(conf: string, options: { endpoint: string }): Promise<WireGuardClient>;
  /** Starts a TCP echo in `namespace` on `ip:port`, stopped by `close()`. Resolves once it listens. */
  startEcho(namespace: string, ip: string, port: number): Promise<void>;
  /**
   * Whether a TCP connection from `namespace` to `ip:port` gets its bytes echoed back within `timeoutMs` (3 s by
   * default: the first packet waits for a handshake, and a lost SYN is sent again after 1 s). False when not.
   */
  canReach(namespace: string, ip: string, port: number, timeoutMs?: number): Promise<boolean>;
  /** Stops every process the lab started and deletes both namespaces (and so the veth pair). Safe to call twice. */
  close(): Promise<void>;
}

/** Directories searched after PATH: `ip` is in /usr/sbin, which a non-root PATH may lack. */
const EXTRA_DIRS = ['/usr/sbin', '/sbin', '/usr/bin', '/bin'];

function findBinary(name: string): string | undefined {
  for (const dir of [...(process.env['PATH'] ?? '').split(delimiter), ...EXTRA_DIRS]) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

/** CAP_NET_ADMIN (12) and CAP_SYS_ADMIN (21, for `ip netns add`'s mounts) in this process's effective set. */
function missingCapabilities(): string[] {
  const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  const effective = hex === undefined ? 0n : BigInt(`0x${hex}`);
  return [
    ['CAP_NET_ADMIN', 12n],
    ['CAP_SYS_ADMIN', 21n],
  ]
    .filter(([, bit]) => (effective & (1n << (bit as bigint))) === 0n)
    .map(([name]) => name as string);
}

let support: TunnelSupport | undefined;

/**
 * Whether this machine can run the tunnel (checked once per process): Linux, CAP_NET_ADMIN and CAP_SYS_ADMIN,
 * `/dev/net/tun` openable, `ip`, `wireguard-go` and `wg` found, and a network namespace can be made and deleted.
 */
export function tunnelSupport(): TunnelSupport {
  support ??= checkSupport();
  return support;
}

function checkSupport(): TunnelSupport {
  if (process.platform !== 'linux') return { ok: false, why: `network namespaces need Linux, not ${process.platform}` };
  const missing = missingCapabilities();
  if (missing.length > 0) return { ok: false, why: `no ${missing.join(' or ')} (run as root)` };
  try {
    closeSync(openSync('/dev/net/tun', 'r+'));
  } catch (error) {
    return { ok: false, why: `/dev/net/tun cannot be opened (${(error as NodeJS.ErrnoException).code ?? String(error)})` };
  }
  const absent = ['ip', 'wireguard-go', 'wg'].filter((name) => findBinary(name) === undefined);
  if (absent.length > 0)
    return { ok: false, why: `${absent.join(', ')} not found; the test command installs them (scripts/ensure-wireguard.sh)` };
  const probe = `panelkit-wgprobe-${randomBytes(4).toString('hex')}`;
  const added = spawnSync(findBinary('ip')!, ['netns', 'add', probe], { encoding: 'utf8' });
  if (added.status !== 0) return { ok: false, why: `ip netns add fails: ${(added.stderr || String(added.error)).trim()}` };
  spawnSync(findBinary('ip')!, ['netns', 'del', probe]);
  return { ok: true };
}

/** Runs a command to its end; its stdout, or an Error with its stderr when it exits non-zero. */
function run(command: string, args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('error', reject);
    // A command that does not read its stdin may be gone before the write: its exit code tells, not EPIPE.
    child.stdin.on('error', () => undefined);
    child.on('close', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.trim()}`)),
    );
    child.stdin.end(input ?? '');
  });
}

/** Waits for a process to exit; SIGKILL when SIGTERM did not end it within 3 s. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(killer);
}

/** A TCP echo server; argv: host, port. Says `ready` on stdout once it listens. */
const ECHO_SCRIPT = `const [host, port] = process.argv.slice(1);
require('node:net').createServer((c) => { c.on('error', () => {}); c.pipe(c); })
  .listen(Number(port), host, () => process.stdout.write('ready\\n'));`;

/** Connects, sends a token and exits 0 when it comes back; exits 1 on error or after argv's timeout. */
const PROBE_SCRIPT = `const [host, port, timeoutMs] = process.argv.slice(1);
const token = 'panelkit-' + Math.random().toString(36).slice(2);
setTimeout(() => process.exit(1), Number(timeoutMs));
let got = '';
const s = require('node:net').connect(Number(port), host, () => s.write(token));
s.on('data', (d) => { got += d; if (got === token) process.exit(0); });
s.on('error', () => process.exit(1));`;

/**
 * Makes the two namespaces, with lo up in each and a veth pair on a random /30 in 198.18.0.0/16. Call `close()` in
 * an `afterAll` (or `afterEach`), whatever happened; on a failure while making it, it cleans up and rethrows.
 */
export async function openTunnelLab(): Promise<TunnelLab> {
  const ip = findBinary('ip');
  const wg = findBinary('wg');
  const wgGo = findBinary('wireguard-go');
  if (ip === undefined || wg === undefined || wgGo === undefined)
    throw new Error('ip, wg or wireguard-go is missing (see tunnelSupport())');
  const suffix = randomBytes(3).toString('hex');
  const subnet = randomBytes(2);
  const hostBase = (subnet[1]! & 0xfc) >>> 0;
  const net = `198.18.${subnet[0]}`;
  const server: LabSide = { namespace: `panelkit-wg-${suffix}-s`, vethIp: `${net}.${hostBase + 1}`, wgInterface: `wgs-${suffix}` };
  const client: LabSide = { namespace: `panelkit-wg-${suffix}-c`, vethIp: `${net}.${hostBase + 2}`, wgInterface: `wgc-${suffix}` };
  const dir = mkdtempSync(join(tmpdir(), 'panelkit-wg-'));
  const processes: ChildProcess[] = [];
  const made: string[] = [];
  let closed = false;
  let serverState: { networks: Ipv4Network[]; tunnelIps: string[] } | undefined;
  let clientStarted = false;

  const inNs = (namespace: string, command: string, args: readonly string[], input?: string): Promise<string> =>
    run(ip, ['netns', 'exec', namespace, command, ...args], input);
  const ipIn = (side: LabSide, ...args: string[]): Promise<string> => run(ip, ['-n', side.namespace, ...args]);

  /** Spawns a long-running process in `namespace`, stopped by close(); resolves once `ready()` is true. */
  async function startProcess(
    namespace: string,
    command: string,
    args: readonly string[],
    ready: (stdout: string) => boolean,
    env?: NodeJS.ProcessEnv,
  ): Promise<void> {
    const child = spawn(ip!, ['netns', 'exec', namespace, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    processes.push(child);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
    for (let waited = 0; !ready(output); waited += 25) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`${command} in ${namespace} ended (${child.exitCode ?? child.signalCode}): ${output.trim()}`);
      if (waited >= 10_000) throw new Error(`${command} in ${namespace} not ready after 10 s: ${output.trim()}`);
      await sleep(25);
    }
  }

  /** Starts wireguard-go in the foreground with its interface; resolves once `wg` can reach its socket. */
  function startWireGuardGo(side: LabSide): Promise<void> {
    // wireguard-go's UAPI socket is /var/run/wireguard/<if>.sock, shared by every namespace: hence unique names.
    const socket = `/var/run/wireguard/${side.wgInterface}.sock`;
    return startProcess(side.namespace, wgGo!, ['-f', side.wgInterface], () => existsSync(socket), {
      ...process.env,
      WG_PROCESS_FOREGROUND: '1',
    });
  }

  const keyFile = (name: string, key: string): string => {
    const path = join(dir, name);
    writeFileSync(path, `${key}\n`, { mode: 0o600 });
    return path;
  };

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    await Promise.all(processes.map(stop));
    for (const namespace of made) {
      // Anything still in a namespace of ours was started in it by this lab (the name is unique to it).
      const pids = (await run(ip!, ['netns', 'pids', namespace]).catch(() => '')).split(/\s+/).filter(Boolean);
      for (const pid of pids) process.kill(Number(pid), 'SIGKILL');
      await run(ip!, ['netns', 'del', namespace]).catch(() => undefined);
    }
    rmSync(dir, { recursive: true, force: true });
  }

  async function setPeers(peers: readonly WireGuardPeer[]): Promise<void> {
    const networks = serverState?.networks ?? [];
    // The server reaches a peer through the connected route of its own subnet; an IPv4 outside it would be unreachable.
    const outside = peers.flatMap((peer) => peer.allowedIps).filter((cidr) => !cidr.includes(':') && !insideAny(networks, cidr));
    if (outside.length > 0) throw new Error(`peer allowed IPs outside the server's IPv4 subnets: ${outside.join(', ')}`);
    const current = (await inNs(server.namespace, wg!, ['show', server.wgInterface, 'peers'])).split('\n').filter(Boolean);
    const wanted = new Set(peers.map((peer) => peer.publicKey));
    const args: string[] = [];
    for (const key of current) if (!wanted.has(key)) args.push('peer', key, 'remove');
    peers.forEach((peer, index) => {
      const psk = peer.presharedKey === undefined ? '/dev/null' : keyFile(`psk-${index}`, peer.presharedKey);
      args.push('peer', peer.publicKey, 'allowed-ips', peer.allowedIps.join(','), 'preshared-key', psk);
    });
    if (args.length > 0) await inNs(server.namespace, wg!, ['set', server.wgInterface, ...args]);
  }

  try {
    for (const side of [server, client]) {
      await run(ip, ['netns', 'add', side.namespace]);
      made.push(side.namespace);
      await ipIn(side, 'link', 'set', 'lo', 'up');
    }
    const serverVeth = `vs-${suffix}`;
    const clientVeth = `vc-${suffix}`;
    await run(ip, [
      'link',
      'add',
      serverVeth,
      'netns',
      server.namespace,
      'type',
      'veth',
      'peer',
      'name',
      clientVeth,
      'netns',
      client.namespace,
    ]);
    for (const [side, veth] of [
      [server, serverVeth],
      [client, clientVeth],
    ] as const) {
      await ipIn(side, 'addr', 'add', `${side.vethIp}/30`, 'dev', veth);
      await ipIn(side, 'link', 'set', veth, 'up');
    }
  } catch (error) {
    await close();
    throw error;
  }

  return {
    server,
    client,
    close,

    async startServer(options) {
      if (serverState !== undefined) throw new Error('the lab has its server already');
      const networks = options.addresses.map(parseIpv4Cidr).filter((network) => network !== undefined);
      serverState = { networks, tunnelIps: options.addresses.map(addressOf) };
      await startWireGuardGo(server);
      const privateKeyFile = keyFile('server.key', options.privateKey);
      const publicKey = (await run(wg, ['pubkey'], `${options.privateKey}\n`)).trim();
      await inNs(server.namespace, wg, [
        'set',
        server.wgInterface,
        'private-key',
        privateKeyFile,
        'listen-port',
        String(options.listenPort),
      ]);
      for (const address of options.addresses) await ipIn(server, 'addr', 'add', address, 'dev', server.wgInterface);
      await ipIn(server, 'link', 'set', server.wgInterface, 'up');
      await setPeers(options.peers ?? []);
      return {
        publicKey,
        endpoint: `${server.vethIp}:${options.listenPort}`,
        tunnelIps: serverState.tunnelIps,
        setPeers,
        peers: async () => (await inNs(server.namespace, wg, ['show', server.wgInterface, 'peers'])).split('\n').filter(Boolean),
      };
    },

    async bringUpClient(conf, { endpoint }) {
      if (serverState === undefined) throw new Error('start the server before the client: its routes come from the server');
      if (clientStarted) throw new Error('the lab has its client already');
      clientStarted = true;
      const parsed = parseWgClientConf(conf, { endpoint });
      await startWireGuardGo(client);
      const setconfFile = join(dir, 'client.conf');
      writeFileSync(setconfFile, parsed.setconf, { mode: 0o600 });
      await inNs(client.namespace, wg, ['setconf', client.wgInterface, setconfFile]);
      for (const address of parsed.addresses) await ipIn(client, 'addr', 'add', address, 'dev', client.wgInterface);
      await ipIn(client, 'link', 'set', client.wgInterface, 'up');
      const routes = [
        ...serverState.tunnelIps.filter((tunnelIp) => parseIpv4Cidr(tunnelIp) !== undefined).map((tunnelIp) => `${tunnelIp}/32`),
        ...parsed.peers.flatMap((peer) => peer.allowedIps).filter((cidr) => insideAny(serverState!.networks, cidr)),
      ];
      for (const route of routes) await ipIn(client, 'route', 'replace', route, 'dev', client.wgInterface);
      return {
        addresses: parsed.addresses,
        routes,
        reconnect: async () => void (await inNs(client.namespace, wg, ['setconf', client.wgInterface, setconfFile])),
      };
    },

    startEcho: (namespace, host, port) =>
      startProcess(namespace, process.execPath, ['-e', ECHO_SCRIPT, host, String(port)], (out) => out.includes('ready')),

    async canReach(namespace, host, port, timeoutMs = 3_000) {
      return inNs(namespace, process.execPath, ['-e', PROBE_SCRIPT, host, String(port), String(timeoutMs)]).then(
        () => true,
        () => false,
      );
    },
  };
}

/** Whether an IPv4 CIDR lies inside one of `networks` (false for IPv6). */
function insideAny(networks: readonly Ipv4Network[], cidr: string): boolean {
  const network = parseIpv4Cidr(cidr);
  return network !== undefined && networks.some((outer) => ipv4NetworkContains(outer, network));
}
