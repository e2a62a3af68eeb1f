import { SecretKeyError, panelCredentialsContext, sealPanelCredentials } from '@panelkit/sdk';
import { PanelCredentialsSchema } from '@panelkit/sdk/schemas';
import { isStoredSealedSecret } from '@panelkit/sdk/storage';
import type { SecretBox } from '@panelkit/sdk';
import type { SqlClient } from './client.js';
import { checkSchemaName, quoteIdent } from './internal/sql.js';
import { resealSubscriptionSecrets } from './reseal-subscriptions.js';
import { resealSavedMethods } from './reseal-payment-methods.js';

/** The options of {@link resealSecrets}. */
export interface ResealOptions {
  /** The keys: the first seals, every one opens. */
  secretBox: SecretBox;
  /** The engine's schema. Default `panelkit`. */
  schema?: string;
  /** Also re-seal values sealed under an older key with the current one (a key rotation). Default false. */
  rotate?: boolean;
}

/** What {@link resealSecrets} found and did, for panel credentials and subscription credentials together. */
export interface ResealResult {
  /**
   * Stored secrets looked at. Every panel's credentials are opened; subscription credentials (one to
   * four values a row) are counted by key in one scan, and one row under each key in use is opened.
   */
  checked: number;
  /** Rows whose plain-text values it sealed. */
  sealed: number;
  /** Rows under an older key it sealed again under the current key (only with `rotate`). */
  rotated: number;
  /** How many stored values each key id seals after the run (`plain` while some are not sealed). */
  byKey: Record<string, number>;
}

/**
 * Seals every stored secret still in plain text (panel credentials, and the client credentials, share
 * links and subscription URL of every subscription), checks the keys open what is sealed (saved payment
 * methods' references too, which are always sealed), and with
 * `rotate` re-seals values under an older key with the current one. Run it at start-up (sealing
 * rows written before encryption, once: later runs find nothing to do) and as the rotation command.
 *
 * Safe while the shop runs and with several replicas at once: each value is replaced by a conditional
 * `UPDATE … WHERE credentials = <what was read>`, so a value changed meanwhile (an admin's edit, another
 * replica's sealing) is left to its writer, and a reader never sees anything but a value its keys open.
 * Throws `SecretKeyError` when a value names a key the box lacks or does not open with it, before the
 * host serves anything: a wrong or missing key never falls back to plain text.
 */
export async function resealSecrets(client: SqlClient, options: ResealOptions): Promise<ResealResult> {
  const schema = quoteIdent(checkSchemaName(options.schema ?? 'panelkit'));
  const panels = await resealPanelSecrets(client, `${schema}.panels`, options.secretBox, options.rotate === true);
  const subscriptions = await resealSubscriptionSecrets(client, `${schema}.subscriptions`, options.secretBox, options.rotate === true);
  const methods = await resealSavedMethods(client, `${schema}.saved_payment_methods`, options.secretBox, options.rotate === true);
  const byKey = { ...panels.byKey };
  for (const part of [subscriptions.byKey, methods.byKey])
    for (const [keyId, n] of Object.entries(part)) byKey[keyId] = (byKey[keyId] ?? 0) + n;
  return {
    checked: panels.checked + subscriptions.checked + methods.checked,
    sealed: panels.sealed + subscriptions.sealed,
    rotated: panels.rotated + subscriptions.rotated + methods.rotated,
    byKey,
  };
}

/** Panel credentials: each row opened, plain ones sealed, older keys re-sealed with `rotate`. */
async function resealPanelSecrets(client: SqlClient, table: string, box: SecretBox, rotate: boolean): Promise<ResealResult> {
  const result: ResealResult = { checked: 0, sealed: 0, rotated: 0, byKey: {} };
  const { rows } = await client.query<{ id: string; credentials: unknown }>(`SELECT id, credentials FROM ${table} ORDER BY id`);
  for (const { id, credentials } of rows) {
    result.checked += 1;
    let next: unknown = null;
    if (isStoredSealedSecret(credentials)) {
      box.open(credentials.sealed, panelCredentialsContext(id));
      if (rotate && box.keyIdOf(credentials.sealed) !== box.currentKeyId) {
        const plain = PanelCredentialsSchema.parse(JSON.parse(box.open(credentials.sealed, panelCredentialsContext(id))));
        next = sealPanelCredentials(box, id, plain);
      }
    } else {
      const plain = PanelCredentialsSchema.safeParse(credentials);
      if (!plain.success) throw new SecretKeyError(`panel ${id} holds credentials that are neither sealed nor valid plain credentials`);
      next = sealPanelCredentials(box, id, plain.data);
    }
    let stored = credentials;
    if (next !== null) {
      const { rows: changed } = await client.query(
        `UPDATE ${table} SET credentials = $2::jsonb WHERE id = $1 AND credentials = $3::jsonb RETURNING id`,
        [id, JSON.stringify(next), JSON.stringify(credentials)],
      );
      if (changed.length === 1) {
        stored = next;
        if (isStoredSealedSecret(credentials)) result.rotated += 1;
        else result.sealed += 1;
      } else {
        // Someone else changed it meanwhile; what they wrote is what counts, so count it as it is now.
        const { rows: now } = await client.query<{ credentials: unknown }>(`SELECT credentials FROM ${table} WHERE id = $1`, [id]);
        stored = now[0]?.credentials ?? null;
      }
    }
    const keyId = isStoredSealedSecret(stored) ? (box.keyIdOf(stored.sealed) ?? 'unknown') : stored === null ? null : 'plain';
    if (keyId !== null) result.byKey[keyId] = (result.byKey[keyId] ?? 0) + 1;
  }
  return result;
}
