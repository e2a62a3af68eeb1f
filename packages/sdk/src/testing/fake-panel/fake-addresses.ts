import type { ClientAddress, ClientAddressReading } from '../../ports/panel.js';

/**
 * The source addresses the fake panel reports per client (`setClientAddresses`), and whether it is silent (a node
 * that does not answer, a panel not recording), as `listClientAddresses` reads them.
 */
export class FakeAddresses {
  readonly #byUsername = new Map<string, readonly string[]>();
  #silent = false;

  /** The client connects from these addresses from now on (`[]`: from nowhere). */
  set(username: string, ips: readonly string[]): void {
    this.#byUsername.set(username, [...ips]);
  }

  /** While silent, every reading is `null`. */
  silence(silent: boolean): void {
    this.#silent = silent;
  }

  /** The reading of one client at `at`: its addresses, or `null` while silent. */
  read(username: string, at: Date, liveCounts: boolean): ClientAddressReading {
    const addresses = this.#silent
      ? null
      : (this.#byUsername.get(username) ?? []).map(
          (ip): ClientAddress => ({ ip, node: null, lastSeenAt: at, connections: liveCounts ? 1 : null }),
        );
    return { username, at, addresses, silentNodes: [] };
  }

  /** Forgets a client's addresses (it was deleted). */
  forget(username: string): void {
    this.#byUsername.delete(username);
  }
}
