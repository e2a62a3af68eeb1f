/**
 * 3x-ui's client IP records (`inbound_client_ips`, v3.3+), as its IP job keeps them (`check_client_ip_job.go`): every
 * scan asks the core which clients are online from which addresses and, while fail2ban is on (`XUI_ENABLE_FAIL2BAN`
 * unset or `true`), replaces each online client's row with those addresses stamped in Unix seconds. With fail2ban off
 * nothing is written, and rows already written stay as they were. `GET panel/api/server/clientIps` answers the rows,
 * `ips` as a JSON array (the model's `MarshalJSON`).
 */
import { key } from './state.js';

interface IpRow {
  readonly email: string;
  readonly ips: readonly { ip: string; timestamp: number }[];
}

/** The core's live addresses per client and the panel's recorded rows. */
export class XuiClientIps {
  /** Live addresses per lower-cased email, as the core's online-stats API reports them. */
  readonly #live = new Map<string, { email: string; ips: readonly string[] }>();
  readonly #rows = new Map<string, IpRow>();
  /** Whether the IP job writes rows (fail2ban on). */
  recording = true;

  /** The client is connected from these addresses now (`[]`: it is not connected). */
  connect(email: string, ips: readonly string[]): void {
    if (ips.length === 0) this.#live.delete(key(email));
    else this.#live.set(key(email), { email, ips: [...ips] });
  }

  /** One run of the IP job at `nowSeconds`. */
  scan(nowSeconds: number): void {
    if (!this.recording) return;
    for (const [k, { email, ips }] of this.#live) this.#rows.set(k, { email, ips: ips.map((ip) => ({ ip, timestamp: nowSeconds })) });
  }

  /** The rows as `server/clientIps` answers them. */
  rows(): Record<string, unknown>[] {
    return [...this.#rows.values()].map((row, index) => ({ id: index + 1, clientEmail: row.email, ips: row.ips }));
  }

  /** A deleted client's row goes too (`delInboundClientIps`). */
  forget(email: string): void {
    this.#live.delete(key(email));
    this.#rows.delete(key(email));
  }
}
