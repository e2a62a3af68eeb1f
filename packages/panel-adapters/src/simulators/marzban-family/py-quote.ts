/**
 * Python's `urllib.parse.quote(text, safe)`, as the Marzban family percent-encodes link names and
 * values: only ASCII letters, digits, `_.-~` and the `safe` characters stay as they are, so `(` is
 * `%28` and a space `%20` (JavaScript's `encodeURIComponent` leaves `()!*'` alone).
 */
export function pyQuote(text: string, safe = '/'): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9_.\-~]/.test(ch) || safe.includes(ch)) out += ch;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
