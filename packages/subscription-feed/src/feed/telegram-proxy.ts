/**
 * A Telegram (MTProto) proxy's two links from the one the panel printed. 3x-ui writes
 * `tg://proxy?port=…&secret=…&server=…` (keys sorted by Go's `url.Values.Encode`, no fragment: `genMtprotoLink`,
 * docs/design/product-kinds-panels.md §3); Telegram opens the same three parameters, in any order, under
 * `tg://proxy` and `https://t.me/proxy` (panels §4: tdesktop#29720, #30004). The secret is passed on as the panel
 * wrote it, after a check of its form: Telegram Desktop 6.3 broke on malformed `ee` secrets (tdesktop#30004), and
 * mtg refuses them (3x-ui #6036).
 */
import { isIP } from 'node:net';
import { ValidationError } from '@panelkit/sdk';

/** A proxy's links: `tg://proxy?server=…&port=…&secret=…` and the same query under `https://t.me/proxy`. */
export interface TelegramProxyLinks {
  /** Opens the Telegram app directly. */
  readonly tg: string;
  /** Opens the app through the browser, and works as a URL button in a bot (which takes only http(s)). */
  readonly https: string;
}

const HOST = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** A link that is not a usable proxy link. */
function refuse(path: string, message: string): never {
  throw new ValidationError(`telegram proxy: ${message}`, [{ path, message }]);
}

/**
 * The secret's bytes when it has one of the three forms: 16 bytes (classic), `dd` + 16 bytes (random padding,
 * TelegramMessenger/MTProxy#172) or `ee` + 16 bytes + the FakeTLS domain (alexbers/mtprotoproxy#121). Hex, as the
 * panels write it, or base64url, which Telegram's clients also read.
 */
function secretBytes(secret: string): Buffer | null {
  if (/^(?:[0-9a-fA-F]{2})+$/.test(secret)) return Buffer.from(secret, 'hex');
  if (/^[A-Za-z0-9_-]+={0,2}$/.test(secret)) return Buffer.from(secret, 'base64url');
  return null;
}

/** Whether `bytes` is a classic, padded (`dd`) or FakeTLS (`ee` + a host name) secret. */
function wellFormed(bytes: Buffer): boolean {
  if (bytes.length === 16) return true;
  if (bytes[0] === 0xdd) return bytes.length === 17;
  if (bytes[0] === 0xee && bytes.length > 17) return HOST.test(bytes.subarray(17).toString('latin1'));
  return false;
}

/** The link as a URL with its three parameters, from either form. */
function paramsOf(link: string): URLSearchParams {
  let url: URL;
  try {
    url = new URL(link.trim());
  } catch (cause) {
    throw new ValidationError('telegram proxy: not a URL', [{ path: 'link', message: 'not a URL' }], { cause });
  }
  const tg = url.protocol === 'tg:' && url.hostname === 'proxy' && (url.pathname === '' || url.pathname === '/');
  const web = url.protocol === 'https:' && url.hostname === 't.me' && url.pathname === '/proxy';
  if (!tg && !web) refuse('link', 'not a tg://proxy or https://t.me/proxy link');
  return url.searchParams;
}

/**
 * Both links of a Telegram proxy from a `tg://proxy?…` link (3x-ui's form) or a `https://t.me/proxy?…` one, each
 * written `server`, `port`, `secret`, the secret exactly as given. Throws `ValidationError` (naming the parameter)
 * for another link, a missing or malformed server or port, and a secret that is none of `ee` + 32 hex + the hex of a
 * host name, `dd` + 32 hex, or 32 hex (or the same bytes in base64url).
 */
export function telegramProxyLinks(link: string): TelegramProxyLinks {
  const params = paramsOf(link);
  const server = params.get('server') ?? '';
  const port = params.get('port') ?? '';
  const secret = params.get('secret') ?? '';
  if (isIP(server) === 0 && !HOST.test(server)) refuse('server', `the server "${server}" is not an IP address or a host name`);
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65_535) refuse('port', `the port "${port}" is not 1-65535`);
  const bytes = secretBytes(secret);
  if (bytes === null || !wellFormed(bytes))
    refuse('secret', 'the secret is not ee + 32 hex + a hex host name, dd + 32 hex, or 32 hex (hex or base64url)');
  const query = `server=${encodeURIComponent(server)}&port=${port}&secret=${encodeURIComponent(secret)}`;
  return { tg: `tg://proxy?${query}`, https: `https://t.me/proxy?${query}` };
}
