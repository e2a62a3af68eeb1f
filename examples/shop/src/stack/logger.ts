import pino, { type DestinationStream, type Logger } from 'pino';

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
 * someone's VPN).
 */
export const REDACT_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  return destination === undefined ? pino(options) : pino(options, destination);
}
