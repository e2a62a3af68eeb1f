/**
 * 3x-ui's recorded client IPs (v3.4.1+): `GET panel/api/server/clientIps` answers every client's row of
 * `inbound_client_ips`, `{ clientEmail, ips }`, where `ips` is the JSON array `[{ ip, timestamp }]` (Unix seconds) the
 * panel's IP job writes (v3.3+ marshals it as an array; a row whose text is not valid JSON, or an older panel, gives
 * it as a string holding the JSON). The job (`check_client_ip_job.go`, every 10 s) asks the core's online-stats API
 * and writes a row only for clients online now, and only while `XUI_ENABLE_FAIL2BAN` is unset or `true`: a panel
 * that records nothing leaves an online client without a row. A row is replaced each scan with the live addresses,
 * or, where the client has an IP limit, merged with those seen in the last 30 minutes; a client that went offline
 * keeps its last row. So an online client reads its row (no row: `null`, no reading) and an offline one reads `[]`.
 */
import type { ClientAddress, ClientAddressReading, ClientAddressesCapability } from '@panelkit/sdk/adapter';
import { z } from 'zod';

/** What a 3x-ui v3.4.1+ reports: the recorded IPs of every client in one call, kept up to 30 minutes. */
export const XUI_CLIENT_ADDRESSES: ClientAddressesCapability = { bulk: true, windowSeconds: 30 * 60, liveCounts: false };

const IpEntrySchema = z.looseObject({ ip: z.string().min(1), timestamp: z.number().optional() });

/** `ips`: an array, a string holding one (a legacy row, or plain text that is no JSON), or null for an empty row. */
const IpsSchema = z.union([
  z.array(IpEntrySchema),
  z.null(),
  z.string().transform((value): z.infer<typeof IpEntrySchema>[] => {
    try {
      const parsed = z.array(IpEntrySchema).safeParse(JSON.parse(value));
      return parsed.success ? parsed.data : [];
    } catch {
      return [];
    }
  }),
]);

/** `server/clientIps`: one row per client email the IP job has written (`null` when there is none). */
export const ClientIpsSchema = z.array(z.looseObject({ clientEmail: z.string(), ips: IpsSchema.optional() })).nullable();

/** `clients/onlines`: the emails the panel counts online now (`null` before its first poll). */
export const OnlinesSchema = z.array(z.string()).nullable();

/**
 * One reading per email, in order: an online client reads its recorded IPs (no row or an empty one: `null`, the
 * panel recorded nothing), an offline one `[]`.
 */
export function xuiReadings(
  emails: readonly string[],
  rows: z.output<typeof ClientIpsSchema>,
  onlines: z.output<typeof OnlinesSchema>,
  at: Date,
): ClientAddressReading[] {
  const recorded = new Map<string, ClientAddress[]>();
  for (const row of rows ?? []) {
    const addresses = (row.ips ?? []).map(
      (entry): ClientAddress => ({
        ip: entry.ip,
        node: null,
        lastSeenAt: entry.timestamp !== undefined && entry.timestamp > 0 ? new Date(entry.timestamp * 1000) : null,
        connections: null,
      }),
    );
    recorded.set(row.clientEmail.toLowerCase(), addresses);
  }
  const online = new Set((onlines ?? []).map((email) => email.toLowerCase()));
  return emails.map((username) => {
    const key = username.toLowerCase();
    const row = recorded.get(key);
    const addresses = !online.has(key) ? [] : row !== undefined && row.length > 0 ? row : null;
    return { username, at, addresses, silentNodes: [] };
  });
}
