import { ShopError } from '../shop-error.js';

/** The longest subject a ticket may have (a subject derived from a first line is cut to this). */
export const SUBJECT_MAX = 120;
/** The longest message of a thread (Telegram's message limit is 4096; a notice quotes it). */
export const MESSAGE_MAX = 3000;
/** The longest closing reason. */
export const REASON_MAX = 500;

/** Text as a person typed it: trimmed, line ends made `\n`, control characters other than line breaks and tabs refused. */
function cleaned(value: unknown, field: string): string {
  if (typeof value !== 'string')
    throw new ShopError('invalid_input', 'support.errors.textRequired', {}, { [field]: 'support.errors.textRequired' });
  const text = value.replace(/\r\n?/g, '\n').trim();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text))
    throw new ShopError('invalid_input', 'support.errors.badCharacters', {}, { [field]: 'support.errors.badCharacters' });
  return text;
}

/** A required text of at most `max` characters, or `invalid_input` naming the field (nothing is written then). */
export function requiredText(value: unknown, field: string, max: number): string {
  const text = cleaned(value, field);
  if (text.length === 0)
    throw new ShopError('invalid_input', 'support.errors.textRequired', {}, { [field]: 'support.errors.textRequired' });
  if (text.length > max) throw new ShopError('invalid_input', 'support.errors.tooLong', { max }, { [field]: 'support.errors.tooLong' });
  return text;
}

/** An optional text (absent or blank: `null`) of at most `max` characters. */
export function optionalText(value: unknown, field: string, max: number): string | null {
  if (value === undefined || value === null) return null;
  const text = cleaned(value, field);
  if (text.length === 0) return null;
  if (text.length > max) throw new ShopError('invalid_input', 'support.errors.tooLong', { max }, { [field]: 'support.errors.tooLong' });
  return text;
}

/** A subject from a message's first line, when the buyer gave none (the bot asks for one message only). */
export function subjectFrom(text: string): string {
  const line = text.split('\n', 1)[0]?.trim() ?? '';
  return line.length <= SUBJECT_MAX ? line : `${line.slice(0, SUBJECT_MAX - 1)}…`;
}
