/** Telegram refuses callback data longer than this many bytes. */
export const CALLBACK_DATA_MAX_BYTES = 64;

/**
 * The data of an inline button: an action code and its arguments joined by `:`. Throws when the
 * result would not fit Telegram's 64 bytes (ids are ~40 characters, so every action here fits).
 */
export function callbackData(action: string, ...args: Array<string | number>): string {
  const data = [action, ...args].join(':');
  if (Buffer.byteLength(data, 'utf8') > CALLBACK_DATA_MAX_BYTES) throw new Error(`callback data too long for Telegram: ${data}`);
  return data;
}

/** Matches `action:<arg>` and captures the argument (ids and small numbers only). */
export function callbackPattern(action: string): RegExp {
  return new RegExp(`^${action}:([A-Za-z0-9_-]{1,60})$`);
}
