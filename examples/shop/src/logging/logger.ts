import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { LogSecrets } from './log-secrets.js';

export { LogSecrets } from './log-secrets.js';

/** Keys whose value is a secret wherever they sit: at the top of a line, or one or two objects down. */
const SECRET_KEYS = [
  'password',
  'token',
  'secret',
  'credentials',
  'sealed',
  'recoveryCodes',
  'subscriptionUrl',
  'shareLinks',
  'csrf',
  '_csrf',
];

/**
 * Everything that can carry a secret is blanked before a line is written (at the top of a line and up
 * to two objects down): cookies, auth headers, passwords and tokens in bodies, panel credentials and
 * sealed values, recovery codes, subscription URLs and share links (each is a working credential for
 * someone's VPN). Deeper keys and secrets inside text are blanked by {@link LogSecrets} on the written line.
 */
export const REDACT_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
  'req.headers["x-telegram-bot-api-secret-token"]',
  'res.headers["set-cookie"]',
  // The buyer's link answers carry the link itself (its page, the banner naming the address to move to).
  'res.headers["profile-web-page-url"]',
  'res.headers.announce',
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
];

const SECRETS = Symbol('panelkit.logSecrets');

/**
 * The shop's pino logger. Every line, at every level, passes {@link LogSecrets.redact} last: secret keys at any
 * depth and every secret value registered in `secrets` (bot token, webhook secret, SHOP_SECRET, panel
 * passwords…) are blanked whatever key or message carries them.
 */
export function createLogger(level: string, destination?: DestinationStream, secrets = new LogSecrets()): Logger {
  const options = {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    hooks: { streamWrite: (line: string) => secrets.redact(line) },
  };
  const logger = destination === undefined ? pino(options) : pino(options, destination);
  // Children inherit it (pino's child is an Object.create of its parent), so any part of the shop can register a secret.
  Object.defineProperty(logger, SECRETS, { value: secrets });
  return logger;
}

/** Registers secret values with the logger `createLogger` made (or any of its children); a no-op on another logger. */
export function registerLogSecrets(logger: object, ...values: Array<string | null | undefined>): void {
  const secrets = (logger as { [SECRETS]?: LogSecrets })[SECRETS];
  secrets?.add(...values);
}

/**
 * Where the shop's lines go for `format`: `undefined` (pino's JSON lines on stdout) for `json`, and for `pretty`, or
 * `auto` on a terminal, one readable line per event (time, level, message, its fields) for a person running
 * `npm start`. Secrets are blanked before a line reaches it, in either format (`createLogger`'s last hook).
 */
export function logDestination(
  format: 'auto' | 'json' | 'pretty',
  stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout,
): DestinationStream | undefined {
  if (format === 'json' || (format === 'auto' && stream.isTTY !== true)) return undefined;
  return pretty({
    destination: stream,
    sync: true,
    colorize: stream.isTTY === true,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname',
  });
}
