/**
 * Remnawave's live connections per node (3.0+; `ip-control` in 2.6.2–2.8, per node from 2.7.0, renamed `connections`
 * in 3.0.0): `POST /api/connections/by-node/{nodeUuid}` queues a job that asks the node's core for its online users,
 * and `GET /api/connections/by-node/{jobId}` answers `{ isCompleted, isFailed, result }` with
 * `result.users: [{ userId, ips: [{ ip, lastSeen }] }]` (`libs/contract/commands/connections`). The core's online map
 * drops an IP about 20 s after it was last added. A node whose job fails gave no answer.
 */
import type { ClientAddress, ClientAddressReading, ClientAddressesCapability } from '@panelkit/sdk/adapter';
import { z } from 'zod';

/** What Remnawave 3.x reports: a job a node covers every user on it; live addresses, with when each was last seen. */
export const REMNAWAVE_CLIENT_ADDRESSES: ClientAddressesCapability = { bulk: true, windowSeconds: 20, liveCounts: false };

/** How long to wait between polls of a connections job, in milliseconds. */
export const CONNECTIONS_POLL_MS = 250;

/** `GET /api/nodes`: the parts the reads need. */
export const NodesSchema = z.object({ response: z.array(z.object({ uuid: z.string(), name: z.string(), isDisabled: z.boolean() })) });

/** `POST /api/connections/by-node/{nodeUuid}`. */
export const ConnectionsJobSchema = z.object({ response: z.object({ jobId: z.string() }) });

/** `GET /api/connections/by-node/{jobId}`. */
export const ConnectionsResultSchema = z.object({
  response: z.object({
    isCompleted: z.boolean(),
    isFailed: z.boolean(),
    result: z
      .object({
        success: z.boolean(),
        users: z.array(z.object({ userId: z.number(), ips: z.array(z.object({ ip: z.string(), lastSeen: z.string() })) })),
      })
      .nullable(),
  }),
});

/** What one node's job found: the addresses per user id, or `null` when the job failed. */
export interface NodeConnections {
  readonly node: string;
  readonly users: ReadonlyMap<number, readonly ClientAddress[]> | null;
}

/** A finished job's users as addresses on `node`; `null` for a failed job or an unsuccessful result. */
export function nodeConnections(node: string, answer: z.output<typeof ConnectionsResultSchema>['response']): NodeConnections {
  if (answer.isFailed || answer.result === null || !answer.result.success) return { node, users: null };
  const users = new Map<number, ClientAddress[]>();
  for (const user of answer.result.users) {
    const addresses = user.ips.map((entry): ClientAddress => {
      const seen = new Date(entry.lastSeen);
      return { ip: entry.ip, node, lastSeenAt: Number.isNaN(seen.getTime()) ? null : seen, connections: null };
    });
    users.set(user.userId, [...(users.get(user.userId) ?? []), ...addresses]);
  }
  return { node, users };
}

/**
 * One reading per user, in order: the addresses every answering node saw (`[]` where none did), with the nodes that
 * failed as `silentNodes`; `null` when no node answered. A user the panel does not hold (`id: null`) reads `[]`.
 */
export function remnawaveReadings(
  users: readonly { readonly username: string; readonly id: number | null }[],
  nodes: readonly NodeConnections[],
  at: Date,
): ClientAddressReading[] {
  const answered = nodes.filter((n) => n.users !== null);
  const silentNodes = nodes.filter((n) => n.users === null).map((n) => n.node);
  return users.map(({ username, id }) => {
    if (id === null) return { username, at, addresses: [], silentNodes: [] };
    if (answered.length === 0) return { username, at, addresses: null, silentNodes: [] };
    const addresses = answered.flatMap((n) => n.users!.get(id) ?? []);
    return { username, at, addresses, silentNodes };
  });
}
