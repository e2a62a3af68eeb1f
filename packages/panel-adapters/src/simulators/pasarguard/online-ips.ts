/**
 * PasarGuard's live IPs per user (v5.0+, `app/routers/node.py` `user_online_ip_list_all_nodes`):
 * `GET /api/node/online_stats/{user_id}/ip` asks every healthy node for the user's entry in its core's online map and
 * answers `{ nodes: { node_id: { ips: { ip: connection_count } } } }`. A node that fails or is not healthy is left
 * out (`_get_user_ip_list_all_local` skips a `None`), and so is a node where the user has no connection (the node
 * answers 404): both look alike. A user the panel does not hold is 404 `User not found`.
 */

/** The live connections the simulated nodes see, per user id and node, and which nodes are down. */
export class PasarGuardOnlineIps {
  /** user id → node id → ip → connections. */
  readonly #live = new Map<number, Map<number, Map<string, number>>>();
  readonly #down = new Set<number>();
  /** The panel's nodes (ids). */
  readonly nodes: readonly number[];

  constructor(nodes: readonly number[] = [1]) {
    this.nodes = nodes;
  }

  /** The user is connected from these addresses on `node` now, one connection each (`[]`: not connected there). */
  connect(userId: number, ips: readonly string[], node = this.nodes[0] ?? 1): void {
    const byNode = this.#live.get(userId) ?? new Map<number, Map<string, number>>();
    byNode.set(node, new Map(ips.map((ip) => [ip, 1])));
    this.#live.set(userId, byNode);
  }

  /** Takes a node down (it gives no answer) or brings it back. */
  setNodeDown(node: number, down: boolean): void {
    if (down) this.#down.add(node);
    else this.#down.delete(node);
  }

  /** The route's answer for one user. */
  answer(userId: number): { nodes: Record<string, { ips: Record<string, number> }> } {
    const nodes: Record<string, { ips: Record<string, number> }> = {};
    for (const node of this.nodes) {
      const ips = this.#live.get(userId)?.get(node);
      if (this.#down.has(node) || ips === undefined || ips.size === 0) continue;
      nodes[String(node)] = { ips: Object.fromEntries(ips) };
    }
    return { nodes };
  }

  /** A deleted user's connections end. */
  forget(userId: number): void {
    this.#live.delete(userId);
  }
}
