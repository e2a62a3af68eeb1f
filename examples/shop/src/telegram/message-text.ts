/** Telegram's limit on one message's text, in UTF-16 code units. */
export const MESSAGE_MAX = 4096;
/** Telegram's limit on a photo's caption. */
export const CAPTION_MAX = 1024;

/**
 * Splits a text into messages of at most `max` characters: at a line break when there is one in
 * the second half of the chunk, else at a space, else anywhere (never inside a surrogate pair).
 */
export function splitMessage(text: string, max = MESSAGE_MAX): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = rest.lastIndexOf('\n', max);
    if (cut < max / 2) cut = rest.lastIndexOf(' ', max);
    if (cut < max / 2) cut = max;
    const code = rest.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^[\n ]/, '');
  }
  if (rest.length > 0 || parts.length === 0) parts.push(rest);
  return parts;
}

/** Cuts a text to `max` characters with an ellipsis (captions, button labels). */
export function trimText(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - 1;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut)}…`;
}
