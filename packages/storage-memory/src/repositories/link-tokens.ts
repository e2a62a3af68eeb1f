import type { Customer } from '@panelkit/sdk';
import { inputKey, parseCustomersAfter, parseLinkTokenCandidate } from '@panelkit/sdk/storage';
import type { LinkTokenCandidate } from '@panelkit/sdk/storage';
import { compareStrings } from '../internal/keys.js';
import { ascending } from '../internal/paging.js';
import type { Op } from '../internal/op.js';
import { ALL, SortedIndex } from '../internal/sorted-index.js';
import { Table } from '../internal/table.js';
import { UniqueIndex } from '../internal/unique-index.js';

/** A customer's link token, stored under the customer's id. */
interface LinkTokenRow {
  readonly id: string;
  readonly nonce: string;
  readonly tokenHash: string;
  readonly createdAt: Date;
  readonly rotatedAt: Date;
}

/** Link tokens, one per customer, unique by hash, listed by customer id. */
export interface LinkTokenTables {
  readonly tokens: Table<LinkTokenRow>;
  readonly byHash: UniqueIndex<LinkTokenRow>;
  readonly byCustomer: SortedIndex<LinkTokenRow, string>;
}

/** Empty link token tables for a new memory storage. */
export function createLinkTokenTables(): LinkTokenTables {
  const byHash = new UniqueIndex<LinkTokenRow>('a link token with this hash', (r) => r.tokenHash);
  const byCustomer = new SortedIndex<LinkTokenRow, string>({ partition: () => ALL, key: (r) => r.id, compare: compareStrings });
  return { tokens: new Table<LinkTokenRow>('link token', [byHash], [byCustomer]), byHash, byCustomer };
}

/** Link tokens; each call is one check and write under the storage's lock, so the first `ensure` wins. */
export function linkTokenOperations({ tokens, byHash, byCustomer }: LinkTokenTables, customers: Table<Customer>) {
  function checked(customerId: string, candidate: LinkTokenCandidate): { id: string; candidate: LinkTokenCandidate } {
    const parsed = parseLinkTokenCandidate(candidate);
    const id = inputKey(customerId, 'customer id');
    customers.require(id);
    return { id, candidate: parsed };
  }

  return {
    ensure(op: Op, customerId: string, candidate: LinkTokenCandidate): string {
      const { id, candidate: c } = checked(customerId, candidate);
      const held = tokens.get(id);
      if (held !== undefined) return held.nonce;
      tokens.insert(op.undo, { id, nonce: c.nonce, tokenHash: c.tokenHash, createdAt: op.now, rotatedAt: op.now });
      return c.nonce;
    },

    rotate(op: Op, customerId: string, candidate: LinkTokenCandidate): void {
      const { id, candidate: c } = checked(customerId, candidate);
      const held = tokens.get(id);
      if (held === undefined) tokens.insert(op.undo, { id, nonce: c.nonce, tokenHash: c.tokenHash, createdAt: op.now, rotatedAt: op.now });
      else tokens.replace(op.undo, { ...held, nonce: c.nonce, tokenHash: c.tokenHash, rotatedAt: op.now });
    },

    customerByHash(_op: Op, tokenHash: string): string | null {
      return byHash.lookup(inputKey(tokenHash, 'token hash')) ?? null;
    },

    customersAfter(_op: Op, afterId: string, limit: number): string[] {
      const p = parseCustomersAfter(afterId, limit);
      const out: string[] = [];
      for (const id of ascending(byCustomer.tree(ALL), compareStrings, { after: p.afterId })) {
        if (out.length === p.limit) break;
        out.push(id);
      }
      return out;
    },
  };
}
