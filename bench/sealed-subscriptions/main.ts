/**
 * bench/sealed-subscriptions: what sealing a buyer's client credentials costs the storage per row, beside
 * the same rows stored plain. A row is read with its credentials opened lazily, so reads that use none of
 * them (the usage sync, the due-queries) should cost what a plain read costs; each credential read opens one
 * AES-256-GCM value. Pure CPU: rows are decoded in memory, no database involved.
 *
 *   node --conditions=@panelkit/source --import tsx bench/sealed-subscriptions/main.ts
 */
import { createSecretBox, deriveRemoteIdentity, generateSecretKey } from '@panelkit/sdk';
import type { SecretBox, Subscription } from '@panelkit/sdk';
import { loadavg } from 'node:os';
import { subscriptionFromRow } from '../../packages/storage-postgres/src/repositories/subscription-rows.js';
import { sealSubscriptionSecrets } from '../../packages/storage-postgres/src/repositories/subscription-secrets.js';

const ROUNDS = 100_000;
const box = createSecretBox([generateSecretKey('bench')]);
const remote = deriveRemoteIdentity('sub_bench0000000000000', 0, { secret: 'bench-identity-secret-0123' });
const sub = {
  id: 'sub_bench0000000000000',
  remote,
  remoteClientId: remote.uuid,
  subscriptionUrl: `https://sub.example.com/sub/${remote.subId}`,
  shareLinks: [`vless://${remote.uuid}@de.example.com:443?type=ws&path=%2Fws#de`],
} as Subscription;

/** A stored row as the driver returns it (jsonb parsed), its credentials sealed with `b` or plain. */
function rowOf(b: SecretBox | undefined): Record<string, unknown> {
  const secrets = sealSubscriptionSecrets(b, sub);
  const now = new Date();
  return {
    id: sub.id,
    customer_id: 'cus_1',
    order_id: null,
    plan_id: 'pln_1',
    panel_id: 'pnl_1',
    target_id: 'tgt_1',
    status: 'active',
    status_changed_at: now,
    traffic_limit_bytes: 50 * 2 ** 30,
    used_bytes: 123_456,
    usage_observed_at: now,
    expires_at: now,
    duration_days: 30,
    start_on_first_use: false,
    activated_at: now,
    device_limit: null,
    auto_renew: false,
    trial: false,
    notices: [],
    failure_reason: null,
    revision: 3,
    created_at: now,
    updated_at: now,
    remote: JSON.parse(secrets.remote),
    remote_client_id: secrets.remote_client_id,
    subscription_url: secrets.subscription_url,
    share_links: JSON.parse(secrets.share_links),
  };
}

/** Mean µs per call over ROUNDS calls, after a warm-up. */
function micros(f: () => unknown): number {
  for (let i = 0; i < ROUNDS / 10; i++) f();
  const start = process.hrtime.bigint();
  for (let i = 0; i < ROUNDS; i++) f();
  return Number(process.hrtime.bigint() - start) / ROUNDS / 1000;
}

const results = [undefined, box].map((b) => {
  const row = rowOf(b);
  return {
    storage: b === undefined ? 'plain' : 'sealed',
    'read row, no credential (µs)': micros(() => subscriptionFromRow(row, b)),
    'read row + client id (µs)': micros(() => subscriptionFromRow(row, b).remoteClientId),
    'read row + all four (µs)': micros(() => {
      const s = subscriptionFromRow(row, b);
      return [s.remote, s.remoteClientId, s.subscriptionUrl, s.shareLinks];
    }),
    'encode all four for a write (µs)': micros(() => sealSubscriptionSecrets(b, sub)),
  };
});
console.table(results.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'number' ? v.toFixed(2) : v]))));
console.log(`load average (1 min) ${loadavg()[0]?.toFixed(2)} on ${process.arch}, node ${process.version}`);
