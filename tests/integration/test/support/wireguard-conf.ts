/**
 * Reads a client `.conf` in the `[Interface]`/`[Peer]` form wg-quick reads (what a panel or the shop serves) into
 * what the tunnel harness does with it: the text `wg setconf` accepts, the interface's addresses and its peers.
 */

/** The keys `wg setconf` knows, per section (wg(8), CONFIGURATION FILE FORMAT), lower-cased. */
const SETCONF_KEYS: Readonly<Record<'interface' | 'peer', readonly string[]>> = {
  interface: ['privatekey', 'listenport', 'fwmark'],
  peer: ['publickey', 'presharedkey', 'allowedips', 'endpoint', 'persistentkeepalive'],
};

/** One `[Peer]` of a client `.conf`. */
export interface WgConfPeer {
  readonly publicKey: string;
  /** CIDRs, in the order written (`0.0.0.0/0, ::/0` is two). */
  readonly allowedIps: readonly string[];
  /** `host:port` as written, before any override. */
  readonly endpoint: string | undefined;
}

/** A client `.conf`, split into what `wg setconf` takes and what the harness applies itself. */
export interface WgClientConf {
  /**
   * The `[Interface]`/`[Peer]` text for `wg setconf`: only the keys wg(8) knows. wg-quick's keys (Address, DNS, MTU,
   * Table, PreUp, PostUp, PreDown, PostDown, SaveConfig) and any other key (PasarGuard's `Reserved`, AmneziaWG's
   * Jc/S1/H1…) are left out, since `wg setconf` refuses a line it does not know. Holds the private key.
   */
  readonly setconf: string;
  /** The `[Interface]` Address values, one CIDR each (wg-quick's comma lists and repeated lines flattened). */
  readonly addresses: readonly string[];
  readonly peers: readonly WgConfPeer[];
}

/** What to change while reading a `.conf`. */
export interface WgConfOptions {
  /** `host:port` written as every peer's Endpoint in `setconf` (added where a peer has none). */
  readonly endpoint?: string;
}

/** Comma-separated values, trimmed, empty ones dropped. */
function list(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/**
 * Parses a client `.conf`. Keys and section names are matched without regard to case, as wg does; `#` starts a
 * comment. Throws an Error naming the line for a line that is no `Key = Value` or section header, a key before any
 * section, a second `[Interface]`, no `[Interface]` PrivateKey, or a `[Peer]` without PublicKey.
 */
export function parseWgClientConf(text: string, options: WgConfOptions = {}): WgClientConf {
  const out: string[] = [];
  const addresses: string[] = [];
  const peers: { publicKey?: string; allowedIps: string[]; endpoint?: string; line: number }[] = [];
  let section: 'interface' | 'peer' | undefined;
  let interfaces = 0;
  let privateKey = false;
  const closePeer = (): void => {
    if (section === 'peer' && options.endpoint !== undefined) out.push(`Endpoint = ${options.endpoint}`);
  };
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/#.*$/, '').trim();
    const where = `line ${index + 1} of the .conf`;
    if (line === '') return;
    const header = /^\[\s*(\w+)\s*\]$/.exec(line)?.[1]?.toLowerCase();
    if (header !== undefined) {
      if (header !== 'interface' && header !== 'peer') throw new Error(`${where}: unknown section [${header}]`);
      closePeer();
      if (header === 'interface' && ++interfaces > 1) throw new Error(`${where}: a second [Interface]`);
      if (header === 'peer') peers.push({ allowedIps: [], line: index + 1 });
      section = header;
      out.push(header === 'interface' ? '[Interface]' : '[Peer]');
      return;
    }
    const match = /^([A-Za-z0-9]+)\s*=\s*(.*)$/.exec(line);
    if (match === null) throw new Error(`${where}: not "Key = Value": ${JSON.stringify(raw)}`);
    if (section === undefined) throw new Error(`${where}: ${match[1]} comes before any [Interface] or [Peer]`);
    const key = match[1]!.toLowerCase();
    const value = match[2]!.trim();
    const peer = peers.at(-1);
    if (section === 'interface' && key === 'address') addresses.push(...list(value));
    if (section === 'interface' && key === 'privatekey') privateKey = value !== '';
    if (section === 'peer' && peer !== undefined) {
      if (key === 'publickey') peer.publicKey = value;
      if (key === 'allowedips') peer.allowedIps.push(...list(value));
      if (key === 'endpoint') peer.endpoint = value;
    }
    if (!SETCONF_KEYS[section].includes(key)) return;
    if (key === 'endpoint' && options.endpoint !== undefined) return;
    out.push(`${match[1]} = ${value}`);
  });
  closePeer();
  if (!privateKey) throw new Error('the .conf has no [Interface] with a PrivateKey');
  const unnamed = peers.find((peer) => peer.publicKey === undefined || peer.publicKey === '');
  if (unnamed !== undefined) throw new Error(`the [Peer] at line ${unnamed.line} of the .conf has no PublicKey`);
  return {
    setconf: `${out.join('\n')}\n`,
    addresses,
    peers: peers.map((peer) => ({ publicKey: peer.publicKey!, allowedIps: peer.allowedIps, endpoint: peer.endpoint })),
  };
}
