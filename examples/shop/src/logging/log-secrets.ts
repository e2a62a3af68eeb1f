const CENSOR = '[redacted]';

/** Keys (compared lower-case) whose value is blanked at any depth of a log line. */
const SECRET_KEYS = new Set([
  'password',
  'passwd',
  'token',
  'secret',
  'secrets',
  'credentials',
  'sealed',
  'recoverycodes',
  'subscriptionurl',
  'sharelinks',
  'csrf',
  '_csrf',
  'cookie',
  'set-cookie',
  'authorization',
  'x-csrf-token',
  'x-telegram-bot-api-secret-token',
  'x-api-key',
  'apikey',
  'api_key',
  'secret_token',
  'webhooksecret',
]);

/** Shorter values are not registered: blanking every "admin" would make the logs unreadable and hide nothing. */
const MIN_SECRET_LENGTH = 8;

/**
 * The secret values one shop knows (bot token, webhook secret, SHOP_SECRET, sealing keys, panel passwords,
 * the database password…) and the pass that blanks them, with every secret key at any depth, from a
 * written log line. Runs on every line at every level; a value is matched raw, JSON-escaped and URL-encoded.
 */
export class LogSecrets {
  private readonly forms = new Set<string>();

  /** Adds values to blank from now on; empty, missing and very short values are ignored. */
  add(...values: Array<string | null | undefined>): void {
    for (const value of values) {
      if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) continue;
      for (const form of [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)]) this.forms.add(form);
    }
  }

  /** One written line (pino's JSON, or any text) with every secret key's value and every known secret blanked. */
  redact(line: string): string {
    let out = line;
    if (line.startsWith('{')) {
      try {
        const trailing = line.endsWith('\n') ? '\n' : '';
        out = JSON.stringify(blankKeys(JSON.parse(line))) + trailing;
      } catch {
        // Not one JSON object: only the values below are blanked.
      }
    }
    for (const form of this.forms) if (out.includes(form)) out = out.split(form).join(CENSOR);
    return out;
  }
}

function blankKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(blankKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = SECRET_KEYS.has(key.toLowerCase()) && inner !== null && inner !== CENSOR ? CENSOR : blankKeys(inner);
  }
  return out;
}
