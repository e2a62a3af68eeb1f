/**
 * The name a `.conf` is saved under. The file's stem becomes the tunnel's name: wg-quick takes it as the interface
 * name and refuses any file not named `^[a-zA-Z0-9_=+.-]{1,15}\.conf$` (Linux's IFNAMSIZ is 16 with the NUL), and the
 * WireGuard apps name an imported tunnel after the file under the same pattern (Android `Tunnel.NAME_PATTERN`). The
 * stem here uses the stricter `[A-Za-z0-9_.-]` (no `=` or `+`, so it is also a safe file name on every system) and
 * at most 15 characters.
 */

/** The longest stem wg-quick accepts: an interface name, 15 characters. */
export const WIREGUARD_NAME_MAX = 15;

/** The stem when no label gives one. */
const FALLBACK = 'wireguard';

/** `label` in the safe characters: accents dropped, every other run of unsafe characters one `_`, trimmed, cut to `max`. */
export function safeStem(label: string, max: number = WIREGUARD_NAME_MAX): string {
  const ascii = label.normalize('NFKD').replace(/\p{M}/gu, '');
  const safe = ascii.replace(/[^A-Za-z0-9_.-]+/g, '_');
  // A leading or trailing separator adds nothing, and a leading dot would hide the file (and `.`/`..` are no names).
  const trim = (text: string) => text.replace(/^[_.-]+|[_.-]+$/g, '');
  return trim(trim(safe).slice(0, max));
}

/**
 * A `.conf` file's name for a tunnel labelled by the first of `labels` (the server's remark, then its host) that
 * keeps any safe character: `[A-Za-z0-9_.-]`, at most 15 characters before `.conf`, which is what Linux wg-quick
 * accepts as an interface name (its rule, `[a-zA-Z0-9_=+.-]{1,15}`, minus `=` and `+`); `wireguard.conf` when none
 * does. `wireGuardConfName('🇩🇪 Frankfurt #2')` is `Frankfurt_2.conf`.
 */
export function wireGuardConfName(...labels: readonly string[]): string {
  for (const label of labels) {
    const stem = safeStem(label);
    if (stem !== '') return `${stem}.conf`;
  }
  return `${FALLBACK}.conf`;
}
