import { parseTrialClaim } from '@panelkit/sdk/storage';
import type { TrialClaim, TrialClaimRepository, TrialClaimResult } from '@panelkit/sdk/storage';
import type { RepositoryContext } from '../internal/runner.js';
import { dec, enc } from '../internal/sql.js';

/** Thrown inside the call to roll its inserts back when another customer holds a key; turned into the refusal outside. */
class HeldByOthers extends Error {
  constructor(readonly heldKeys: string[]) {
    super('trial keys held by another customer');
  }
}

/**
 * Trial claims in `{schema}.trial_claims`, one row per (family, key). A claim inserts every key in key order with
 * `ON CONFLICT DO NOTHING`: an insert meeting another transaction's uncommitted row waits for it, so of two claims of
 * one key exactly one stores it. Keys it could not insert are read back (a new statement sees the other commit); when
 * another customer holds one, the call's savepoint rolls back what it inserted.
 */
export function trialClaimRepository({ runner, schema }: RepositoryContext): TrialClaimRepository {
  const table = `${schema}.trial_claims`;
  return {
    claim: async (claim: TrialClaim): Promise<TrialClaimResult> => {
      try {
        await runner.run('trialClaims.claim', async ({ db, now }) => {
          const c = parseTrialClaim(claim);
          const { rows } = await db.query(
            `INSERT INTO ${table} (family, key, customer_id, created_at)
             SELECT $1, k, $3, $4::timestamptz FROM unnest($2::text[]) WITH ORDINALITY AS t(k, n) ORDER BY n
             ON CONFLICT (family, key) DO NOTHING RETURNING key`,
            [c.family, c.keys, c.customerId, enc.time(now)],
          );
          if (rows.length === c.keys.length) return;
          const inserted = new Set(rows.map((r) => dec.text(r['key'])));
          const others = c.keys.filter((k) => !inserted.has(k));
          const held = await db.query(`SELECT key FROM ${table} WHERE family = $1 AND key = ANY($2::text[]) AND customer_id <> $3`, [
            c.family,
            others,
            c.customerId,
          ]);
          if (held.rows.length > 0) throw new HeldByOthers(held.rows.map((r) => dec.text(r['key'])).sort());
        });
        return { claimed: true };
      } catch (error) {
        if (error instanceof HeldByOthers) return { claimed: false, heldKeys: error.heldKeys };
        throw error;
      }
    },
  };
}
