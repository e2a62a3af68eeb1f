import type { Customer } from '@panelkit/sdk';
import { parseTrialClaim } from '@panelkit/sdk/storage';
import type { TrialClaim, TrialClaimResult } from '@panelkit/sdk/storage';
import type { Op } from '../internal/op.js';
import { Table } from '../internal/table.js';

/** One identity key claimed in one plan family, under the id `family NUL key`. */
interface TrialClaimRow {
  readonly id: string;
  readonly customerId: string;
  readonly createdAt: Date;
}

/** Trial claims, one row per (family, key). */
export type TrialClaimTable = Table<TrialClaimRow>;

/** An empty trial claims table for a new memory storage. */
export function createTrialClaimTable(): TrialClaimTable {
  return new Table<TrialClaimRow>('trial claim', []);
}

/** Trial claims; each call checks and writes under the storage's lock, so of two claims of one key one wins. */
export function trialClaimOperations(claims: TrialClaimTable, customers: Table<Customer>) {
  return {
    claim(op: Op, claim: TrialClaim): TrialClaimResult {
      const c = parseTrialClaim(claim);
      customers.require(c.customerId);
      const ids = c.keys.map((key) => `${c.family}\u0000${key}`);
      const heldKeys = c.keys.filter((_key, i) => {
        const held = claims.get(ids[i]!);
        return held !== undefined && held.customerId !== c.customerId;
      });
      if (heldKeys.length > 0) return { claimed: false, heldKeys };
      for (const id of ids) {
        if (claims.get(id) === undefined) claims.insert(op.undo, { id, customerId: c.customerId, createdAt: op.now });
      }
      return { claimed: true };
    },
  };
}
