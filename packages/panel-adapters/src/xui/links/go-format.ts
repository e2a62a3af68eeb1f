/**
 * Byte-exact re-implementations of the few Go standard-library encoders the 3x-ui subscription
 * service uses, so links built here equal the panel's: `json.MarshalIndent(v, "", "  ")` of a map
 * (sorted keys, HTML-safe escaping), `url.QueryEscape`, `url.Values.Encode` (sorted keys) and the
 * fragment escaping of `url.URL.String()`.
 */

const HEX = '0123456789ABCDEF';

function percentEncode(text: string, keep: (byte: number) => boolean, spaceAsPlus: boolean): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    if (spaceAsPlus && byte === 0x20) out += '+';
    else if (keep(byte)) out += String.fromCharCode(byte);
    else out += `%${HEX[byte >> 4]}${HEX[byte & 15]}`;
  }
  return out;
}

function isAlnum(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a);
}

/** The marks each escape keeps as they are, beside ASCII letters and digits. */
const QUERY_MARKS = '-_.~';
const FRAGMENT_MARKS = '-_.~$&+,/:;=?@!()*';
const UNRESERVED_MARKS = new Set([...QUERY_MARKS].map((c) => c.charCodeAt(0)));
const FRAGMENT_KEEP = new Set([...FRAGMENT_MARKS].map((c) => c.charCodeAt(0)));

/**
 * Texts that an escape keeping `marks` leaves as they are, told by one regular expression instead of a walk over their
 * UTF-8 bytes: most of a link's parameters (ids, keys, short ids, fingerprints, the type and security) are such texts.
 * A v2 REALITY link's query and remark: ~7–13 µs → ~3–5 µs in a loop; a client's links are built after every create
 * (bench/rush).
 */
function unchangedBy(marks: string): RegExp {
  return new RegExp(`^[A-Za-z0-9${marks.replace(/[\\\]^-]/g, '\\$&')}]*$`);
}
const QUERY_UNCHANGED = unchangedBy(QUERY_MARKS);
const FRAGMENT_UNCHANGED = unchangedBy(FRAGMENT_MARKS);

/** Go `url.QueryEscape`: everything but `[A-Za-z0-9-_.~]` is escaped, space becomes `+`. */
export function goQueryEscape(text: string): string {
  if (QUERY_UNCHANGED.test(text)) return text;
  return percentEncode(text, (b) => isAlnum(b) || UNRESERVED_MARKS.has(b), true);
}

/** Go `url.Values.Encode` for single-valued parameters: keys sorted, `k=v` joined by `&`. */
export function goEncodeQuery(params: ReadonlyMap<string, string> | Readonly<Record<string, string>>): string {
  const entries = params instanceof Map ? [...params.entries()] : Object.entries(params);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.map(([key, value]) => `${goQueryEscape(key)}=${goQueryEscape(value)}`).join('&');
}

/** Go `url.URL.String()` escaping of a fragment set through `URL.Fragment` (v2 links). */
export function goFragmentEscape(text: string): string {
  if (FRAGMENT_UNCHANGED.test(text)) return text;
  return percentEncode(text, (b) => isAlnum(b) || FRAGMENT_KEEP.has(b), false);
}

/** v3 links: `url.QueryEscape(fragment)` with `+` turned into `%20` (the frontend's encodeURIComponent). */
export function goFragmentEscapeV3(text: string): string {
  return goQueryEscape(text).replaceAll('+', '%20');
}

type JsonLike = string | number | boolean | null | undefined | readonly JsonLike[] | { readonly [key: string]: JsonLike };

function goString(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '"') out += '\\"';
    else if (char === '\\') out += '\\\\';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (code === 0x08) out += '\\b';
    else if (code === 0x0c) out += '\\f';
    else if (code < 0x20 || char === '<' || char === '>' || char === '&' || code === 0x2028 || code === 0x2029) {
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else out += char;
  }
  return `${out}"`;
}

/** Go `json.MarshalIndent(value, "", "  ")` for maps (keys sorted), slices and scalars. */
export function goMarshalIndent(value: unknown, indent = ''): string {
  const v = value as JsonLike;
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goString(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[\n${v.map((item) => inner + goMarshalIndent(item, inner)).join(',\n')}\n${indent}]`;
  }
  const keys = Object.keys(v)
    .filter((key) => (v as Record<string, JsonLike>)[key] !== undefined)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (keys.length === 0) return '{}';
  const body = keys.map((key) => `${inner}${goString(key)}: ${goMarshalIndent((v as Record<string, JsonLike>)[key], inner)}`);
  return `{\n${body.join(',\n')}\n${indent}}`;
}
