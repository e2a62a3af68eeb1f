/**
 * bench/sublink/row-ab.ts: the client CPU of the link's row once PostgreSQL has sent it, in one process, this
 * checkout's code beside another's (`--base`, e.g. a clean clone of `main`) in alternating rounds: the DataRow's
 * 40 text values decoded by the booked decoder (`pg-rows.ts`, with node-postgres's own parsers), the subscription
 * built from the row (`subscriptionFromRow`) and read as the link reads it (its scalar fields and the share links,
 * opened with AES-256-GCM). No database: the row's texts are the ones the link's statement answers.
 *
 *   node --conditions=@panelkit/source --import tsx bench/sublink/row-ab.ts --base /work/base [--rounds 20] [--rows 4000]
 *
 * Prints the median µs a row of each side, per round pair which side was cheaper, and the load.
 */
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { createSecretBox, deriveRemoteIdentity, generateSecretKey } from '@panelkit/sdk';
import type { SecretBox, Subscription } from '@panelkit/sdk';

const { values } = parseArgs({
  options: { base: { type: 'string' }, rounds: { type: 'string', default: '20' }, rows: { type: 'string', default: '4000' } },
});
if (values.base === undefined) throw new Error('--base <a checkout of the repository to compare with>');
const ROUNDS = Number(values.rounds);
const ROWS = Number(values.rows);

type Decoder = (values: readonly (string | null)[]) => Record<string, unknown>;
interface Side {
  name: string;
  rowDecoder(fields: readonly unknown[], parsers: unknown): Decoder | undefined;
  subscriptionFromRow(row: Record<string, unknown>, box: SecretBox | undefined): Subscription;
}
const sideOf = async (name: string, root: string): Promise<Side> => {
  const url = (path: string) => pathToFileURL(resolve(root, 'packages/storage-postgres/src', path)).href;
  const rows = (await import(url('drivers/pg-rows.ts'))) as Pick<Side, 'rowDecoder'>;
  const subscriptions = (await import(url('repositories/subscription-rows.ts'))) as Pick<Side, 'subscriptionFromRow'>;
  return { name, rowDecoder: rows.rowDecoder, subscriptionFromRow: subscriptions.subscriptionFromRow };
};
const here = resolve(import.meta.dirname, '../..');
const sides = [await sideOf('base', values.base), await sideOf('this', here)];
const { sealSubscriptionSecrets } = await import(
  pathToFileURL(resolve(here, 'packages/storage-postgres/src/repositories/subscription-secrets.ts')).href
);

// The link's statement's columns (link-device-refresh.ts): the scope's two, the subscription's, the device's three.
const T = { text: 25, timestamptz: 1184, int8: 20, int4: 23, bool: 16, jsonb: 3802 } as const;
const columns: Array<[string, keyof typeof T]> = [
  ['link_customer_id', 'text'],
  ['link_subscription_id', 'text'],
  ['id', 'text'],
  ['customer_id', 'text'],
  ['order_id', 'text'],
  ['plan_id', 'text'],
  ['panel_id', 'text'],
  ['target_id', 'text'],
  ['status', 'text'],
  ['status_changed_at', 'timestamptz'],
  ['remote', 'jsonb'],
  ['remote_client_id', 'text'],
  ['traffic_limit_bytes', 'int8'],
  ['used_bytes', 'int8'],
  ['usage_observed_at', 'timestamptz'],
  ['expires_at', 'timestamptz'],
  ['duration_days', 'int4'],
  ['start_on_first_use', 'bool'],
  ['activated_at', 'timestamptz'],
  ['device_limit', 'int4'],
  ['subscription_url', 'text'],
  ['share_links', 'jsonb'],
  ['auto_renew', 'bool'],
  ['trial', 'bool'],
  ['notices', 'jsonb'],
  ['failure_reason', 'text'],
  ['terms', 'jsonb'],
  ['label', 'text'],
  ['bundle_id', 'text'],
  ['revision', 'int4'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
  ['dv_id', 'text'],
  ['dv_first_seen_at', 'timestamptz'],
  ['dv_last_seen_at', 'timestamptz'],
];
const fields = columns.map(([name, type]) => ({ name, dataTypeID: T[type], format: 'text' }));
// node-postgres as the shop has it (the bench's own package has no dependencies).
const pg = createRequire(new URL('../../examples/shop/package.json', import.meta.url))('pg') as {
  types: { getTypeParser(oid: number, format: 'text'): (text: string) => unknown };
};
const parsers = fields.map((f) => pg.types.getTypeParser(f.dataTypeID, 'text'));

const box = createSecretBox([generateSecretKey('bench')]);
const id = 'sub_bench_1';
const remote = deriveRemoteIdentity(id, 0, { secret: 'bench-identity-secret-0123' });
const sealed = sealSubscriptionSecrets(box, {
  id,
  remote,
  remoteClientId: null,
  subscriptionUrl: null,
  shareLinks: [
    `vless://${remote.uuid}@de.example.com:443?security=reality&sni=www.example.com&fp=chrome&pbk=abcdefabcdefabcdefabcdefabcdef&sid=12ab&type=tcp&flow=xtls-rprx-vision#Frankfurt`,
    `trojan://${remote.password}@de.example.com:8443?security=tls&type=ws&path=%2Fws#Frankfurt%20trojan`,
    `ss://${Buffer.from(`2022-blake3-aes-256-gcm:${remote.ssKey}`).toString('base64url')}@de.example.com:8388#Frankfurt%20ss`,
  ],
} as Subscription);
const at = (minutesAgo: number) => {
  const d = new Date(Date.now() - minutesAgo * 60_000);
  return `${d.toISOString().replace('T', ' ').replace('Z', '')}${String(d.getTime() % 1000).padStart(3, '0')}+00`;
};
const raw: Record<string, string | null> = {
  link_customer_id: 'cus_bench_1',
  link_subscription_id: null,
  id,
  customer_id: 'cus_bench_1',
  order_id: null,
  plan_id: 'pln_frankfurt_1m',
  panel_id: 'pnl_demo',
  target_id: 'tgt_demo_de',
  status: 'active',
  status_changed_at: at(9000),
  remote: sealed.remote,
  remote_client_id: null,
  traffic_limit_bytes: null,
  used_bytes: '123456789',
  usage_observed_at: at(3),
  expires_at: at(-30000),
  duration_days: '30',
  start_on_first_use: 'f',
  activated_at: at(9000),
  device_limit: '2',
  subscription_url: null,
  share_links: sealed.share_links,
  auto_renew: 'f',
  trial: 'f',
  notices: '{}',
  failure_reason: null,
  terms: '{"noHwidPolicy": "serve", "devicePack": null, "built": null, "deviceLimit": 2}',
  label: null,
  bundle_id: null,
  revision: '4',
  created_at: at(9000),
  updated_at: at(3),
  dv_id: 'dev_bench_1_a',
  dv_first_seen_at: at(90000),
  dv_last_seen_at: at(0),
};
const dataRow = columns.map(([name]) => raw[name] ?? null);

let sink = 0;
/** One answer's row: decoded, made a subscription, read as the link reads it (link-scope, feed, answer). */
const readAs = (side: Side, decode: Decoder) => {
  const row = decode(dataRow);
  const s = side.subscriptionFromRow(row, box);
  sink += s.id.length + s.status.length + (s.bundleId === null ? 1 : 0) + s.createdAt.getTime() + (s.expiresAt?.getTime() ?? 0);
  sink +=
    (s.usedBytes ?? 0) + (s.trafficLimitBytes ?? 0) + (s.deviceLimit ?? 0) + (s.terms?.noHwidPolicy.length ?? 0) + s.customerId.length;
  sink += s.shareLinks.length + (row['dv_id'] === null ? 0 : 1);
};
const decoders = sides.map((side) => side.rowDecoder(fields, parsers)!);
// Both sides read the same subscription (every field, the credentials opened).
const [a, b] = sides.map((side, i) => JSON.stringify({ ...side.subscriptionFromRow(decoders[i]!(dataRow), box) }));
if (a !== b) throw new Error(`the two sides read different subscriptions:\n${a}\n${b}`);
const timeRound = (i: number) => {
  const started = process.cpuUsage();
  for (let n = 0; n < ROWS; n++) readAs(sides[i]!, decoders[i]!);
  const used = process.cpuUsage(started);
  return (used.user + used.system) / ROWS;
};
for (let i = 0; i < 2; i++) timeRound(i); // warm both
const results: number[][] = [[], []];
let cheaper = 0;
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? [0, 1] : [1, 0];
  const got = [0, 0];
  for (const i of order) got[i] = timeRound(i);
  results[0]!.push(got[0]!);
  results[1]!.push(got[1]!);
  if (got[1]! < got[0]!) cheaper += 1;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(
  `load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ')}; ${ROUNDS} rounds of ${ROWS} rows a side, alternating`,
);
console.log(
  `µs a row (CPU, median of rounds): base ${median(results[0]!).toFixed(2)}, this ${median(results[1]!).toFixed(2)}; this cheaper in ${cheaper} of ${ROUNDS} rounds`,
);
if (sink === 0) console.log('');
