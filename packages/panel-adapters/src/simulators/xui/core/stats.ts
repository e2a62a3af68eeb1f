/**
 * Per-client traffic from the core's StatsService, read with the core's own command-line client
 * (`v2ctl api … StatsService.QueryStats`; v2ray 4.34 ships no other client, and its answer is
 * protobuf text). Counters are read and reset in one call, as 3x-ui's traffic job does with Xray,
 * so each read returns the bytes moved since the last one.
 */
import { execFile } from 'node:child_process';

/** Bytes one client moved since the last read: `up` from the client to the core, `down` back. */
export interface ClientTrafficDelta {
  readonly email: string;
  readonly up: number;
  readonly down: number;
}

/** `stat: < name: "user>>>a@b>>>traffic>>>uplink" value: 123 >` entries of a QueryStats answer. */
export function parseQueryStats(output: string): ClientTrafficDelta[] {
  const byEmail = new Map<string, { up: number; down: number }>();
  const pattern = /name:\s*"user>>>(.*?)>>>traffic>>>(uplink|downlink)"\s*(?:value:\s*(\d+))?/g;
  for (const match of output.matchAll(pattern)) {
    const email = match[1]!.replace(/\\(.)/g, '$1');
    const value = Number(match[3] ?? 0);
    const entry = byEmail.get(email) ?? { up: 0, down: 0 };
    if (match[2] === 'uplink') entry.up += value;
    else entry.down += value;
    byEmail.set(email, entry);
  }
  return [...byEmail].map(([email, { up, down }]) => ({ email, up, down }));
}

/** Reads and resets every user's counters from the StatsService on `127.0.0.1:apiPort`. */
export async function queryUserTraffic(ctlBinary: string, apiPort: number): Promise<ClientTrafficDelta[]> {
  const output = await new Promise<string>((resolve, reject) => {
    execFile(
      ctlBinary,
      ['api', `--server=127.0.0.1:${apiPort}`, 'StatsService.QueryStats', 'pattern: "user>>>" reset: true'],
      { timeout: 5_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${ctlBinary} api StatsService.QueryStats failed: ${stderr.trim() || error.message}`));
        else resolve(stdout);
      },
    );
  });
  return parseQueryStats(output);
}
