/**
 * The simulated Remnawave's nodes and its `/api/connections/by-node…` job pair (3.0+, `ConnectionsController`):
 * `POST /api/connections/by-node/{nodeUuid}` queues a job that asks the node's core for its online users and answers
 * `{ jobId }`; `GET /api/connections/by-node/{jobId}` answers `{ isCompleted, isFailed, result }`, where `result` is
 * `{ success, nodeUuid, users: [{ userId, ips: [{ ip, lastSeen }] }] }` once done and `null` before or on failure. A
 * job is still running on its first poll and done on the next; a node that is down fails its job. `GET /api/nodes`
 * lists the nodes.
 */
import type { Router } from '../harness/index.js';
import { coded, ok } from './wire.js';

/** A node of the simulated panel. */
export interface RemnawaveSimNode {
  readonly uuid: string;
  readonly name: string;
  isDisabled: boolean;
  /** Down: connected to nothing, so its jobs fail. */
  down: boolean;
}

/** A route's handler in the simulated Remnawave: the request, its path parameters and its path. */
export type RemnawaveSimHandler = (request: Request, params: Record<string, string>, path: string) => Response | Promise<Response>;

/** Nodes, the users' live addresses on each, and the queued jobs. */
export class RemnawaveConnections {
  readonly nodes: RemnawaveSimNode[] = [
    { uuid: '7d3a1c5e-2b4f-4a6d-9e8c-1f2a3b4c5d6e', name: 'Frankfurt', isDisabled: false, down: false },
  ];
  /** node uuid → user id → ip → last seen (epoch ms). */
  readonly #live = new Map<string, Map<number, Map<string, number>>>();
  readonly #jobs = new Map<string, { nodeUuid: string; polls: number; failed: boolean; users: unknown[] }>();

  /** The user is connected from these addresses on `node` (default the first) at `now` (`[]`: not there). */
  connect(userId: number, ips: readonly string[], now: number, node = this.nodes[0]!.uuid): void {
    const users = this.#live.get(node) ?? new Map<number, Map<string, number>>();
    if (ips.length === 0) users.delete(userId);
    else users.set(userId, new Map(ips.map((ip) => [ip, now])));
    this.#live.set(node, users);
  }

  /** A deleted user's connections end. */
  forget(userId: number): void {
    for (const users of this.#live.values()) users.delete(userId);
  }

  /** Adds the node and connection routes to `router`. */
  routes(router: Router<string>, authed: (handler: RemnawaveSimHandler) => RemnawaveSimHandler, now: () => number): void {
    router.on(
      'GET',
      '/api/nodes',
      authed(() =>
        ok(this.nodes.map((n) => ({ uuid: n.uuid, name: n.name, isDisabled: n.isDisabled, isConnected: !n.down, isConnecting: false }))),
      ),
    );
    router.on(
      'POST',
      '/api/connections/by-node/:id',
      authed((_request, params, path) => {
        const node = this.nodes.find((n) => n.uuid === params.id);
        if (node === undefined) return coded({ code: 'A040', message: 'Node not found', httpCode: 404 }, path, now());
        const jobId = String(this.#jobs.size + 1);
        // The job reads the node's core when it runs; here, when it is queued.
        const users = [...(this.#live.get(node.uuid) ?? new Map<number, Map<string, number>>())].map(([userId, ips]) => ({
          userId,
          ips: [...ips].map(([ip, seen]) => ({ ip, lastSeen: new Date(seen).toISOString() })),
        }));
        this.#jobs.set(jobId, { nodeUuid: node.uuid, polls: 0, failed: node.down, users });
        return ok({ jobId });
      }),
    );
    router.on(
      'GET',
      '/api/connections/by-node/:id',
      authed((_request, params, path) => {
        const job = this.#jobs.get(params.id!);
        if (job === undefined) return coded({ code: 'A300', message: 'Job result fetch failed', httpCode: 500 }, path, now());
        job.polls += 1;
        const done = job.polls > 1;
        const failed = done && job.failed;
        const result = done && !failed ? { success: true, nodeUuid: job.nodeUuid, users: job.users } : null;
        return ok({ isCompleted: done && !failed, isFailed: failed, result });
      }),
    );
  }
}
