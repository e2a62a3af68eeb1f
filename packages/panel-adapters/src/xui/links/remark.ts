/**
 * The link remark (the `#fragment`, or `ps` in vmess). v2 follows `genRemark` of
 * `sub/subService.go`: `remarkModel` is a separator followed by an order of `i` (inbound remark),
 * `e` (email) and `o` (extra, an external proxy's remark); with `subShowInfo` on, the remaining
 * traffic and time are appended, or the remark is prefixed `⛔️N/A` when the client is disabled.
 * v3 (the panel's fallback without a template) joins inbound remark, extra and email with `-`.
 */

/** How a link's remark is written (exported as `XuiRemarkOptions`): the panel's generation and its remark settings. */
export interface RemarkOptions {
  readonly style: 'v2' | 'v3';
  /** v2 `remarkModel` setting. Default `-ieo` (the panel's default). */
  readonly remarkModel?: string | undefined;
  /** v2 `subShowInfo` setting. Default `false` here (see docs/3x-ui.md); the panel's default is on. */
  readonly showInfo?: boolean | undefined;
  /** "Now" for the days-left figure. */
  readonly now?: Date | undefined;
  /** The client's traffic row (`clientStats`); needed for `showInfo`. */
  readonly stats?: RemarkStats | undefined;
}

/** A client's traffic row as the remark reads it: enabled, bytes up and down, total limit and expiry (exported as `XuiRemarkStats`). */
export interface RemarkStats {
  readonly enable: boolean;
  readonly up: number;
  readonly down: number;
  readonly total: number;
  readonly expiryTime: number;
}

/** Go `common.FormatTraffic`. */
export function formatTraffic(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let size = bytes;
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) {
    size /= 1024;
    unit++;
  }
  return `${size.toFixed(2)}${units[unit]}`;
}

/** Go integer division and remainder (truncating toward zero). */
const quo = (a: number, b: number): number => Math.trunc(a / b);
const rem = (a: number, b: number): number => a % b;

function timeLeft(days: number, hours: number, minutes: number): string {
  if (days > 0) return hours > 0 ? `${days}D,${hours}H⏳` : `${days}D⏳`;
  if (hours > 0) return `${hours}H⏳`;
  return `${minutes}M⏳`;
}

export function linkRemark(inboundRemark: string, email: string, extra: string, options: RemarkOptions): string {
  if (options.style === 'v3') return [inboundRemark, extra, email].filter((p) => p !== '').join('-');
  const model = options.remarkModel && options.remarkModel.length > 0 ? options.remarkModel : '-ieo';
  const separator = model[0]!;
  const parts: Record<string, string> = { i: inboundRemark, e: email, o: extra };
  const remark: string[] = [];
  for (const char of model.slice(1)) {
    const part = parts[char];
    if (part !== undefined && part !== '') remark.push(part);
  }
  const stats = options.stats;
  if (options.showInfo && stats) {
    if (!stats.enable) return `⛔️N/A${separator}${remark.join(separator)}`;
    const volume = stats.total - (stats.up + stats.down);
    if (volume > 0) remark.push(`${formatTraffic(volume)}📊`);
    const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
    const exp = quo(stats.expiryTime, 1000);
    if (exp > 0) {
      const left = exp - now;
      remark.push(timeLeft(quo(left, 86400), quo(rem(left, 86400), 3600), quo(rem(left, 3600), 60)));
    } else if (exp < 0) {
      remark.push(timeLeft(quo(exp, -86400), quo(rem(exp, -86400), 3600), quo(rem(exp, -3600), 60)));
    }
  }
  return remark.join(separator);
}
