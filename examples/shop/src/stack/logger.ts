import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Everything that can carry a secret is blanked before a line is written: cookies, auth
 * headers, passwords and tokens in bodies, panel credentials, subscription URLs and share links
 * (each is a working credential for someone's VPN).
 */
export const REDACT_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.secret',
  '*.credentials',
  '*.subscriptionUrl',
  '*.shareLinks',
  '*.csrf',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  return destination === undefined ? pino(options) : pino(options, destination);
}
