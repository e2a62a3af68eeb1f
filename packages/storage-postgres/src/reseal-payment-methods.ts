import { savedMethodContext } from '@panelkit/sdk/payments';
import type { SecretBox } from '@panelkit/sdk';
import type { SqlClient } from './client.js';

/** What re-sealing saved payment methods found and did (the shape of `ResealResult`). */
export interface SavedMethodResealResult {
  checked: number;
  rotated: number;
  byKey: Record<string, number>;
}

/**
 * Saved payment methods (always sealed by the SDK): each reference opened with its customer's and provider's
 * context, and with `rotate`, one under an older key sealed again under the current key by a conditional
 * `UPDATE … WHERE sealed_ref = <what was read>` (a method saved again meanwhile is left to its writer).
 */
export async function resealSavedMethods(
  client: SqlClient,
  table: string,
  box: SecretBox,
  rotate: boolean,
): Promise<SavedMethodResealResult> {
  const result: SavedMethodResealResult = { checked: 0, rotated: 0, byKey: {} };
  const { rows } = await client.query<{ id: string; customer_id: string; provider_id: string; sealed_ref: string }>(
    `SELECT id, customer_id, provider_id, sealed_ref FROM ${table} ORDER BY id`,
  );
  for (const row of rows) {
    result.checked += 1;
    const context = savedMethodContext(row.customer_id, row.provider_id);
    const plain = box.open(row.sealed_ref, context);
    let stored = row.sealed_ref;
    if (rotate && box.keyIdOf(row.sealed_ref) !== box.currentKeyId) {
      const next = box.seal(plain, context);
      const { rows: changed } = await client.query(`UPDATE ${table} SET sealed_ref = $2 WHERE id = $1 AND sealed_ref = $3 RETURNING id`, [
        row.id,
        next,
        row.sealed_ref,
      ]);
      if (changed.length === 1) {
        stored = next;
        result.rotated += 1;
      }
    }
    const keyId = box.keyIdOf(stored) ?? 'unknown';
    result.byKey[keyId] = (result.byKey[keyId] ?? 0) + 1;
  }
  return result;
}
