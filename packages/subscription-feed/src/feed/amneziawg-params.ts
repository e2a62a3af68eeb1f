/**
 * AmneziaWG's obfuscation parameters, read from a `wireguard://` link's lower-case query keys (`jc`, `jmin`, `jmax`,
 * `s1`–`s4`, `h1`–`h4`, `i1`–`i5`: the form PasarGuard's `amaziaWG` branch writes) and checked against what
 * amneziawg-go accepts (its `README.md` and `device/uapi.go`; docs/design/product-kinds-panels.md §1.4): the panel
 * checks none of them, and a value the client refuses leaves the buyer with a config that does not start.
 */
import { ValidationError } from '@panelkit/sdk';

/** One `[Interface]` line of an AmneziaWG config: the conf's key (`Jc`, `H1`…) and its value as written. */
export interface AmneziaLine {
  readonly key: string;
  readonly value: string;
}

type Params = ReadonlyMap<string, string>;

const UINT32_MAX = 4_294_967_295;
const UINT16_MAX = 65_535;
/** The kernel module's README assumes a 1280-byte MTU: junk packets stay within it. */
const JUNK_MAX = 1280;
/** The handshake initiation (148 bytes) and response (92 bytes) padded by S1/S2 stay within 1280 bytes. */
const S1_MAX = 1132;
const S2_MAX = 1188;
/** With S2 = S1 + 56 the padded initiation and response have one size, and amneziawg-go tells them apart by size. */
const S1_S2_GAP = 56;

/** A value amneziawg-go would refuse, naming the key as the conf writes it. */
function refuse(key: string, message: string): never {
  throw new ValidationError(`wireguard conf: ${key} ${message}`, [{ path: key.toLowerCase(), message }]);
}

/** The value under `key`'s lower-case name; an empty value is absent (PasarGuard stores `''` as none). */
function paramOf(p: Params, key: string): string | undefined {
  const text = p.get(key.toLowerCase())?.trim();
  return text === undefined || text === '' ? undefined : text;
}

/** A whole number in `[min, max]`, or a refusal naming `key`. */
function wholeIn(p: Params, key: string, min: number, max: number): number | undefined {
  const text = paramOf(p, key);
  if (text === undefined) return undefined;
  const value = /^\d{1,10}$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max)) refuse(key, `must be a whole number from ${min} to ${max} (got "${text}")`);
  return value;
}

/** A magic header: one uint32 (`1234`) or an ascending range of them (`100-200`), amneziawg-go 2.0's `UintRange`. */
function headerValue(p: Params, key: string): string | undefined {
  const text = paramOf(p, key);
  if (text === undefined) return undefined;
  const match = /^(\d{1,10})(?:-(\d{1,10}))?$/.exec(text);
  const first = Number(match?.[1]);
  const last = match?.[2] === undefined ? first : Number(match[2]);
  if (match === null || last > UINT32_MAX || first > last) refuse(key, `must be a uint32 or a range "x-y" of them (got "${text}")`);
  return text;
}

/** One signature-packet tag: `<b 0xHEX>`, `<r N>`, `<rd N>`, `<rc N>` or `<t>`. */
const TAG = /<(?:b\s+0x(?:[0-9a-fA-F]{2})+|r\s+\d{1,5}|rd\s+\d{1,5}|rc\s+\d{1,5}|t)>/y;

/** A signature packet `I1`–`I5`: a chain of tags, spaces allowed between them, nothing else. */
function signatureValue(p: Params, key: string): string | undefined {
  const text = paramOf(p, key);
  if (text === undefined) return undefined;
  let at = 0;
  let tags = 0;
  while (at < text.length) {
    if (text[at] === ' ') {
      at += 1;
      continue;
    }
    TAG.lastIndex = at;
    if (!TAG.test(text)) refuse(key, `must be a chain of <b 0xHEX>, <r N>, <rd N>, <rc N> and <t> tags (got "${text}")`);
    at = TAG.lastIndex;
    tags += 1;
  }
  if (tags === 0) refuse(key, 'has no tag');
  return text;
}

/**
 * The AmneziaWG lines of the link, in the order `Jc, Jmin, Jmax, S1–S4, H1–H4, I1–I5`, only those present; throws
 * {@link ValidationError} naming the first key amneziawg-go would refuse: `Jc` 1–128, `Jmin` < `Jmax` ≤ 1280, `S1` ≤
 * 1132, `S2` ≤ 1188 and S1 + 56 ≠ S2, `S3`/`S4` 16-bit, `H1`–`H4` a uint32 or an `x-y` range, `I1`–`I5` tag chains.
 */
export function amneziaLines(p: Params): AmneziaLine[] {
  const jc = wholeIn(p, 'Jc', 1, 128);
  const jmin = wholeIn(p, 'Jmin', 0, JUNK_MAX);
  const jmax = wholeIn(p, 'Jmax', 1, JUNK_MAX);
  if (jmin !== undefined && jmax !== undefined && jmin >= jmax) refuse('Jmin', `must be below Jmax (${jmin} ≥ ${jmax})`);
  const s1 = wholeIn(p, 'S1', 0, S1_MAX);
  const s2 = wholeIn(p, 'S2', 0, S2_MAX);
  if (s1 !== undefined && s2 !== undefined && s1 + S1_S2_GAP === s2) refuse('S2', `must not be S1 + ${S1_S2_GAP} (${s2})`);
  const text = (value: number | undefined) => (value === undefined ? undefined : String(value));
  const values: ReadonlyArray<readonly [string, string | undefined]> = [
    ['Jc', text(jc)],
    ['Jmin', text(jmin)],
    ['Jmax', text(jmax)],
    ['S1', text(s1)],
    ['S2', text(s2)],
    ['S3', text(wholeIn(p, 'S3', 0, UINT16_MAX))],
    ['S4', text(wholeIn(p, 'S4', 0, UINT16_MAX))],
    ...['H1', 'H2', 'H3', 'H4'].map((key) => [key, headerValue(p, key)] as const),
    ...['I1', 'I2', 'I3', 'I4', 'I5'].map((key) => [key, signatureValue(p, key)] as const),
  ];
  return values.flatMap(([key, value]) => (value === undefined ? [] : [{ key, value }]));
}
