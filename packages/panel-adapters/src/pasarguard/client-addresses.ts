/**
 * PasarGuard's live IPs of one user (v5.0+): `GET /api/node/online_stats/{user_id}/ip` answers
 * `{ nodes: { node_id: { ips: { ip: connection_count } } | null } }` (`app/models/node.py` `UserIPListAll`). The panel
 * asks every healthy node for the user's entry in its core's online map (Xray keeps an IP about 20 s after its last
 * connection). `null` is a node that gave no answer; the panel's own path leaves such a node out instead, as it leaves
 * out a node where the user has no connection (the node answers 404). So a user no node reports is no reading
 * (`null`): connected nowhere and "every node failed" look alike.
 */
import type { ClientAddress, ClientAddressReading, ClientAddressesCapability } from '@panelkit/sdk/adapter';
import { z } from 'zod';

/** What PasarGuard v5+ reports: one user a call, live connections with their counts. */
export const PASARGUARD_CLIENT_ADDRESSES: ClientAddressesCapability = { bulk: false, windowSeconds: 20, liveCounts: true };

/** `UserIPListAll`. */
export const UserIpListAllSchema = z.object({
  nodes: z.record(z.string(), z.object({ ips: z.record(z.string(), z.number().int().nonnegative()) }).nullable()),
});

/** The reading of one user from the panel's answer: addresses from the nodes that reported the user, `null` if none did. */
export function pasarGuardReading(username: string, answer: z.output<typeof UserIpListAllSchema>, at: Date): ClientAddressReading {
  const addresses: ClientAddress[] = [];
  const silentNodes: string[] = [];
  let reported = false;
  for (const [node, list] of Object.entries(answer.nodes)) {
    if (list === null) {
      silentNodes.push(node);
      continue;
    }
    reported = true;
    for (const [ip, connections] of Object.entries(list.ips)) addresses.push({ ip, node, lastSeenAt: null, connections });
  }
  return { username, at, addresses: reported ? addresses : null, silentNodes: reported ? silentNodes : [] };
}
