import { SecretKeyError, isSealedValue } from '@panelkit/sdk';
import { RemoteIdentitySchema } from '@panelkit/sdk/schemas';
import { isStoredSealedSecret } from '@panelkit/sdk/storage';
import type { SecretBox, Subscription } from '@panelkit/sdk';
import { dec } from '../internal/sql.js';
import type { Row } from '../internal/sql.js';

/**
 * The subscription columns that hold a buyer's client credentials: each one opens that buyer's VPN,
 * so with a secret box they are stored sealed, each bound to its row and column.
 *
 * - `remote`: `{ username, generation, sealed }` — the username stays readable because it is a
 *   unique key (a generated column) and names the client on its panel; the uuid, passwords, subId
 *   and Shadowsocks key are in `sealed`;
 * - `remote_client_id` (on 3x-ui the client's uuid) and `subscription_url`: a sealed string;
 * - `share_links`: `{ sealed }` around the JSON array; an empty array is stored as it is, `[]`: it holds no
 *   credential (a sealed `[]` would tell as much by its length), and a new subscription's links are empty until its
 *   client is made, so a checkout seals one value, not two. `resealSecrets` counts it as nothing to seal.
 *
 * Rows written without a box (or before sealing existed) hold plain values; they are read as they
 * are, and `resealSecrets` seals them. A sealed value never opens without the right key.
 */
export const SUBSCRIPTION_SECRET_COLUMNS = ['remote', 'remote_client_id', 'subscription_url', 'share_links'] as const;

/** One of {@link SUBSCRIPTION_SECRET_COLUMNS}. */
export type SubscriptionSecretColumn = (typeof SUBSCRIPTION_SECRET_COLUMNS)[number];

/** The authenticated context of one sealed column of one subscription. */
export function subscriptionSecretContext(column: SubscriptionSecretColumn, subscriptionId: string): string {
  return `subscriptions.${column}:${subscriptionId}`;
}

/** The four columns as they are written: sealed under `box`, or plain without one. */
export interface StoredSubscriptionSecrets {
  remote: string;
  remote_client_id: string | null;
  subscription_url: string | null;
  share_links: string;
}

/** The domain field each sealed column holds. */
const FIELD_OF: Record<SubscriptionSecretColumn, keyof OpenedSecrets> = {
  remote: 'remote',
  remote_client_id: 'remoteClientId',
  subscription_url: 'subscriptionUrl',
  share_links: 'shareLinks',
};

/**
 * Encodes a subscription's credentials for its row (jsonb columns as JSON text). `unchanged` names
 * the fields the write did not change: their columns are taken from `stored` (the row as read) as
 * they are, so an update that does not touch the credentials neither opens nor seals them again.
 */
export function sealSubscriptionSecrets(
  box: SecretBox | undefined,
  s: Subscription,
  keep?: { stored: Row; unchanged: ReadonlySet<string> },
): StoredSubscriptionSecrets {
  const kept = (column: SubscriptionSecretColumn): boolean => keep?.unchanged.has(FIELD_OF[column]) === true;
  const json = (column: 'remote' | 'share_links', encode: () => unknown) =>
    kept(column) ? JSON.stringify(keep!.stored[column]) : JSON.stringify(encode());
  const text = (column: 'remote_client_id' | 'subscription_url', value: () => string | null) =>
    kept(column) ? dec.textOrNull(keep!.stored[column]) : value();
  if (box === undefined) {
    return {
      remote: json('remote', () => s.remote),
      remote_client_id: text('remote_client_id', () => s.remoteClientId),
      subscription_url: text('subscription_url', () => s.subscriptionUrl),
      share_links: json('share_links', () => s.shareLinks),
    };
  }
  const seal = (column: SubscriptionSecretColumn, plain: string) => box.seal(plain, subscriptionSecretContext(column, s.id));
  const sealOrNull = (column: SubscriptionSecretColumn, plain: string | null) => (plain === null ? null : seal(column, plain));
  return {
    remote: json('remote', () => ({
      username: s.remote.username,
      generation: s.remote.generation,
      sealed: seal('remote', JSON.stringify(s.remote)),
    })),
    remote_client_id: text('remote_client_id', () => sealOrNull('remote_client_id', s.remoteClientId)),
    subscription_url: text('subscription_url', () => sealOrNull('subscription_url', s.subscriptionUrl)),
    share_links: json('share_links', () =>
      s.shareLinks.length === 0 ? [] : { sealed: seal('share_links', JSON.stringify(s.shareLinks)) },
    ),
  };
}

type OpenedSecrets = Pick<Subscription, 'remote' | 'remoteClientId' | 'subscriptionUrl' | 'shareLinks'>;

/** Opens one sealed column of a subscription's row (a plain value of an older row is read as it is). */
function openColumn(box: SecretBox | undefined, id: string, r: Row, column: SubscriptionSecretColumn): unknown {
  const open = (sealed: string): string => {
    if (box === undefined) throw new SecretKeyError(`subscription ${id} has a sealed ${column} but the storage was given no secret keys`);
    return box.open(sealed, subscriptionSecretContext(column, id));
  };
  if (column === 'remote_client_id' || column === 'subscription_url') {
    const stored = dec.textOrNull(r[column]);
    return isSealedValue(stored) ? open(stored) : stored;
  }
  const stored = dec.json<unknown>(r[column]);
  if (!isStoredSealedSecret(stored)) return stored;
  const opened: unknown = JSON.parse(open(stored.sealed));
  return column === 'remote' ? RemoteIdentitySchema.parse(opened) : opened;
}

/** A credential field not yet opened (a value opened may be `null`, never this). */
const UNOPENED: unique symbol = Symbol('unopened');

/**
 * What a read subscription keeps to open its credentials when first read, and each one once opened: its copies by
 * descriptor share it (they were read from the same row, so they open the same values).
 */
class SealedRow implements Record<keyof OpenedSecrets, unknown> {
  remote: unknown = UNOPENED;
  remoteClientId: unknown = UNOPENED;
  subscriptionUrl: unknown = UNOPENED;
  shareLinks: unknown = UNOPENED;
  constructor(
    readonly box: SecretBox | undefined,
    readonly id: string,
    readonly row: Row,
  ) {}
}

/**
 * The key a read subscription keeps its {@link SealedRow} under: a symbol, not enumerable, so neither a spread, nor
 * `JSON.stringify`, nor `Object.keys`, nor a deep equality sees it; a copy by descriptor takes it along.
 */
const SEALED_ROW = Symbol('panelkit.subscriptionSealedRow');

/**
 * The four credential accessors, one getter and one setter a field shared by every read subscription: V8 gives
 * objects whose accessors are the same functions one shape (a fresh closure an object left each object a dictionary
 * of its own, slower to build and to read). A getter opens its column once and keeps the value; a setter makes the
 * field a plain one on `this` alone (not on a copy by descriptor).
 */
const SECRET_ACCESSORS: ReadonlyArray<readonly [string, PropertyDescriptor]> = SUBSCRIPTION_SECRET_COLUMNS.map((column) => {
  const field = FIELD_OF[column];
  const accessor: PropertyDescriptor = {
    enumerable: true,
    configurable: true,
    get(this: { [SEALED_ROW]: SealedRow }) {
      const sealed = this[SEALED_ROW];
      const value = sealed[field];
      if (value !== UNOPENED) return value;
      const opened = openColumn(sealed.box, sealed.id, sealed.row, column);
      sealed[field] = opened;
      return opened;
    },
    set(this: object, value: unknown) {
      Object.defineProperty(this, field, { value, writable: true, enumerable: true, configurable: true });
    },
  };
  return [field, accessor] as const;
});

/**
 * Puts the four credential fields on `target`, each opened from the row the first time it is read
 * (then kept). Opening costs about 5–10 µs a value, and the hottest reads (the usage
 * sync over every subscription, the scheduler's due-queries) use none of them. A wrong key or a
 * changed value throws `SecretKeyError` when the field is read (each time it is read); the start-up check
 * (`resealSecrets`) is what finds a wrong key before anything is served.
 */
export function defineSubscriptionSecrets(target: object, box: SecretBox | undefined, id: string, r: Row): void {
  Object.defineProperty(target, SEALED_ROW, { value: new SealedRow(box, id, r) });
  // One `defineProperty` a field with its descriptor made once: `defineProperties` reads a map of descriptors anew.
  for (const [field, accessor] of SECRET_ACCESSORS) Object.defineProperty(target, field, accessor);
}
