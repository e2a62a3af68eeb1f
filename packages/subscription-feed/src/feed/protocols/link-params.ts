/**
 * Small readers of share-link query values that the Hysteria2, TUIC and WireGuard mappings share: the panels print
 * the same fact under different names (`insecure`, `allowInsecure`, `allow_insecure`; `mport`, `mports`).
 */

type Params = ReadonlyMap<string, string>;

/** Whether any of `names` is set to `1` or `true`. */
export function flag(p: Params, ...names: string[]): boolean {
  return names.some((name) => p.get(name) === '1' || p.get(name) === 'true');
}

/** Whether the link asks to skip certificate verification (S-UI `insecure`, PasarGuard `allowInsecure`, others `allow_insecure`). */
export const insecure = (p: Params): boolean => flag(p, 'insecure', 'allowInsecure', 'allow_insecure');

/** The comma-separated list under `name`, empty entries dropped. */
export function list(p: Params, name: string): string[] {
  return (p.get(name) ?? '').split(',').flatMap((item) => (item.trim() === '' ? [] : [item.trim()]));
}

/** A whole number under `name` within `[min, max]`, `undefined` when absent; `null` when present but not one. */
export function whole(p: Params, name: string, min: number, max: number): number | undefined | null {
  const text = p.get(name);
  if (text === undefined || text === '') return undefined;
  const value = /^\d{1,10}$/.test(text) ? Number(text) : Number.NaN;
  return Number.isInteger(value) && value >= min && value <= max ? value : null;
}

/** A port range as `[first, last]`: `20000-30000` (Xray, 3x-ui, PasarGuard), `20000:30000` (sing-box, S-UI) or `443`. */
type PortRange = readonly [number, number];

/**
 * The Hysteria2 port-hopping ranges a link names (3x-ui and S-UI `mport`, PasarGuard `mports`); `[]` for none, `null`
 * when one of them is not a port or a range of ports.
 */
export function hopPorts(p: Params): PortRange[] | null {
  const ranges: PortRange[] = [];
  for (const item of [...list(p, 'mport'), ...list(p, 'mports')]) {
    const match = /^(\d{1,5})(?:[-:](\d{1,5}))?$/.exec(item);
    if (match === null) return null;
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    if (first < 1 || last > 65_535 || first > last) return null;
    ranges.push([first, last]);
  }
  return ranges;
}

/**
 * A certificate pin as bare lower-case hex (the Hysteria2 URI's `pinSHA256`: the SHA-256 of the server's certificate,
 * colons allowed); `undefined` without one, `null` for several pins or a value that is not 32 bytes of hex.
 */
export function certificatePin(p: Params): string | undefined | null {
  const pin = p.get('pinSHA256');
  if (pin === undefined || pin === '') return undefined;
  const hex = pin.replaceAll(':', '').toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : null;
}
