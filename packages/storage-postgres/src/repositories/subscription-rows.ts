import type { SecretBox, Subscription, SubscriptionStatus, SubscriptionTerms } from '@panelkit/sdk';
import { paramsOf } from '../internal/columns.js';
import type { Column } from '../internal/columns.js';
import { dec, enc } from '../internal/sql.js';
import type { Row } from '../internal/sql.js';
import { defineSubscriptionSecrets, sealSubscriptionSecrets } from './subscription-secrets.js';
import type { StoredSubscriptionSecrets } from './subscription-secrets.js';

/** A subscription about to be written, its credential columns already encoded (sealed once per write). */
interface SubscriptionToStore {
  readonly s: Subscription;
  readonly secrets: StoredSubscriptionSecrets;
}

/** How a subscription is stored: one column per field, nested values as jsonb, credentials as `subscription-secrets.ts` says. */
export const SUBSCRIPTION_COLUMNS: readonly Column<SubscriptionToStore>[] = [
  ['id', 'text', ({ s }) => s.id],
  ['customer_id', 'text', ({ s }) => s.customerId],
  ['order_id', 'text', ({ s }) => s.orderId],
  ['plan_id', 'text', ({ s }) => s.planId],
  ['panel_id', 'text', ({ s }) => s.panelId],
  ['target_id', 'text', ({ s }) => s.targetId],
  ['status', 'text', ({ s }) => s.status],
  ['status_changed_at', 'timestamptz', ({ s }) => enc.time(s.statusChangedAt)],
  ['remote', 'jsonb', ({ secrets }) => secrets.remote],
  ['remote_client_id', 'text', ({ secrets }) => secrets.remote_client_id],
  ['traffic_limit_bytes', 'bigint', ({ s }) => s.trafficLimitBytes],
  ['used_bytes', 'bigint', ({ s }) => s.usedBytes],
  ['usage_observed_at', 'timestamptz', ({ s }) => enc.timeOrNull(s.usageObservedAt)],
  ['expires_at', 'timestamptz', ({ s }) => enc.timeOrNull(s.expiresAt)],
  ['duration_days', 'integer', ({ s }) => s.durationDays],
  ['start_on_first_use', 'boolean', ({ s }) => s.startOnFirstUse],
  ['activated_at', 'timestamptz', ({ s }) => enc.timeOrNull(s.activatedAt)],
  ['device_limit', 'integer', ({ s }) => s.deviceLimit],
  ['subscription_url', 'text', ({ secrets }) => secrets.subscription_url],
  ['share_links', 'jsonb', ({ secrets }) => secrets.share_links],
  ['auto_renew', 'boolean', ({ s }) => s.autoRenew],
  ['trial', 'boolean', ({ s }) => s.trial],
  ['notices', 'jsonb', ({ s }) => enc.json(s.notices)],
  ['failure_reason', 'text', ({ s }) => s.failureReason],
  ['terms', 'jsonb', ({ s }) => (s.terms === null ? null : enc.json(s.terms))],
  ['label', 'text', ({ s }) => s.label],
  ['bundle_id', 'text', ({ s }) => s.bundleId],
  ['kind', 'text', ({ s }) => s.kind],
  ['revision', 'integer', ({ s }) => s.revision],
  ['created_at', 'timestamptz', ({ s }) => enc.time(s.createdAt)],
  ['updated_at', 'timestamptz', ({ s }) => enc.time(s.updatedAt)],
];

/**
 * The parameters of {@link SUBSCRIPTION_COLUMNS} for `subscription`, its credentials sealed with `box` when there is
 * one; with `keep`, the credential fields it names as unchanged are written back as `stored` holds them.
 */
export function subscriptionParams(
  box: SecretBox | undefined,
  subscription: Subscription,
  keep?: { stored: Row; unchanged: ReadonlySet<string> },
): unknown[] {
  return paramsOf(SUBSCRIPTION_COLUMNS, { s: subscription, secrets: sealSubscriptionSecrets(box, subscription, keep) });
}

/**
 * The columns {@link subscriptionFromRow} reads, each as `<alias>.<column>`: a read that lists them instead of
 * `<alias>.*` is spared the table's others (`remote_username`, the scheduler's `due_*` flags), which PostgreSQL would
 * send and `pg` decode for nothing.
 */
export function subscriptionSelectList(alias: string): string {
  return SUBSCRIPTION_COLUMNS.map(([name]) => `${alias}.${name}`).join(', ');
}

/** The domain fields the storage keeps sealed (see `subscription-secrets.ts`). */
const SECRET_FIELDS = ['remote', 'remoteClientId', 'subscriptionUrl', 'shareLinks'] as const;

/** The column a subscription field is stored in: its name in snake case (`statusChangedAt` → `status_changed_at`). */
function columnOf(field: string): Column<SubscriptionToStore> {
  const name = field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  const column = SUBSCRIPTION_COLUMNS.find(([n]) => n === name);
  if (column === undefined) throw new Error(`subscription field ${field} has no column ${name}`);
  return column;
}

/**
 * The `SET` items and their parameters (numbered from `$first`) that write the fields of `changes`, a parsed
 * patch of subscription `id`, and only those: each value encoded and cast as {@link SUBSCRIPTION_COLUMNS}
 * does, the credentials among them sealed with `box`. Credentials the patch leaves alone are not
 * written at all, so they stay as stored without being opened or sealed again.
 */
export function subscriptionPatchSets(
  box: SecretBox | undefined,
  id: string,
  changes: Partial<Subscription>,
  first: number,
): { sets: string[]; params: unknown[] } {
  const columns = subscriptionPatchColumns(box, id, changes);
  return {
    sets: columns.map(({ name, cast }, i) => `${name} = $${first + i}::${cast}`),
    params: columns.map(({ value }) => value),
  };
}

/** A column a patch writes: its name, the SQL type of its parameter, and the value encoded (sealed, for a credential). */
export interface PatchColumn {
  readonly name: string;
  readonly cast: string;
  readonly value: unknown;
}

/**
 * The columns that write the fields of `changes`, a parsed patch of subscription `id`, and only those, in the
 * patch's field order: each value encoded as {@link SUBSCRIPTION_COLUMNS} does, the credentials among them sealed
 * with `box`. Credentials the patch leaves alone are not among them, so they stay as stored without being opened
 * or sealed again.
 */
export function subscriptionPatchColumns(box: SecretBox | undefined, id: string, changes: Partial<Subscription>): PatchColumn[] {
  const s = { ...changes, id } as Subscription;
  const unchanged = new Set<string>(SECRET_FIELDS.filter((field) => !(field in changes)));
  // The columns of `unchanged` come out of an empty row (unset) and are never written.
  const secrets = sealSubscriptionSecrets(box, s, { stored: {}, unchanged });
  return Object.keys(changes).map((field) => {
    const [name, cast, value] = columnOf(field);
    return { name, cast, value: value({ s, secrets }) };
  });
}

/** A subscription from its row; its credentials are opened with `box` when first read (plain values of older rows read as they are). */
export function subscriptionFromRow(r: Row, box: SecretBox | undefined): Subscription {
  const id = dec.text(r['id']);
  // Every field but the credentials, which `defineSubscriptionSecrets` adds (opened when read).
  const subscription: Omit<Subscription, 'remote' | 'remoteClientId' | 'subscriptionUrl' | 'shareLinks'> = {
    id,
    customerId: dec.text(r['customer_id']),
    orderId: dec.textOrNull(r['order_id']),
    planId: dec.text(r['plan_id']),
    panelId: dec.text(r['panel_id']),
    targetId: dec.text(r['target_id']),
    status: dec.text(r['status']) as SubscriptionStatus,
    statusChangedAt: dec.time(r['status_changed_at']),
    trafficLimitBytes: dec.intOrNull(r['traffic_limit_bytes']),
    usedBytes: dec.intOrNull(r['used_bytes']),
    usageObservedAt: dec.timeOrNull(r['usage_observed_at']),
    expiresAt: dec.timeOrNull(r['expires_at']),
    durationDays: dec.int(r['duration_days']),
    startOnFirstUse: dec.bool(r['start_on_first_use']),
    activatedAt: dec.timeOrNull(r['activated_at']),
    deviceLimit: dec.intOrNull(r['device_limit']),
    autoRenew: dec.bool(r['auto_renew']),
    trial: dec.bool(r['trial']),
    notices: dec.json(r['notices']),
    failureReason: dec.textOrNull(r['failure_reason']),
    // Terms frozen before port 14 have no `noHwidPolicy` (read as `serve`), before 18 no `devicePack` (read as `null`),
    // before 21 no `built` (read as `null`), before 28 no `kinds` (read as `['xray']`), as SubscriptionTermsSchema
    // defaults them.
    terms:
      r['terms'] == null
        ? null
        : ({
            noHwidPolicy: 'serve',
            devicePack: null,
            built: null,
            kinds: ['xray'],
            ...dec.json<Partial<SubscriptionTerms>>(r['terms']),
          } as SubscriptionTerms),
    label: dec.textOrNull(r['label'] ?? null),
    bundleId: dec.textOrNull(r['bundle_id']),
    kind: dec.text(r['kind']) as Subscription['kind'],
    revision: dec.int(r['revision']),
    createdAt: dec.time(r['created_at']),
    updatedAt: dec.time(r['updated_at']),
  };
  defineSubscriptionSecrets(subscription, box, id, r);
  return subscription as Subscription;
}
