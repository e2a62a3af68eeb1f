import type { Customer, Device, Page, PageRequest, Subscription } from '@panelkit/sdk';
import {
  inputKey,
  parseCustomersAfter,
  parseLinkDeviceRefresh,
  parseLinkTokenCandidate,
  parseLinkTokenRequests,
  parsePageWindow,
  timeCursorCodec,
} from '@panelkit/sdk/storage';
import type {
  LinkTokenRequest,
  DeviceRefreshRequest,
  LinkDeviceRefreshRequest,
  LinkTokenCandidate,
  LinkTokenScope,
  LinkTokenScopeWithDevice,
  LinkTokenScopeWithSubscriptions,
} from '@panelkit/sdk/storage';
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

/** A subscription's own link token, stored under the subscription's id. */
interface SubscriptionTokenRow extends LinkTokenRow {
  readonly customerId: string;
}

/** Link tokens, one per customer, unique by hash, listed by customer id; and subscriptions' own, one each. */
export interface LinkTokenTables {
  readonly tokens: Table<LinkTokenRow>;
  readonly byHash: UniqueIndex<LinkTokenRow>;
  readonly byCustomer: SortedIndex<LinkTokenRow, string>;
  readonly subscriptionTokens: Table<SubscriptionTokenRow>;
  readonly subscriptionByHash: UniqueIndex<SubscriptionTokenRow>;
}

/** Empty link token tables for a new memory storage. */
export function createLinkTokenTables(): LinkTokenTables {
  const byHash = new UniqueIndex<LinkTokenRow>('a link token with this hash', (r) => r.tokenHash);
  const byCustomer = new SortedIndex<LinkTokenRow, string>({ partition: () => ALL, key: (r) => r.id, compare: compareStrings });
  const subscriptionByHash = new UniqueIndex<SubscriptionTokenRow>('a subscription link token with this hash', (r) => r.tokenHash);
  return {
    tokens: new Table<LinkTokenRow>('link token', [byHash], [byCustomer]),
    byHash,
    byCustomer,
    subscriptionTokens: new Table<SubscriptionTokenRow>('subscription link token', [subscriptionByHash]),
    subscriptionByHash,
  };
}

/** Link tokens; each call is one check and write under the storage's lock, so the first `ensure` wins. */
export function linkTokenOperations(
  { tokens, byHash, byCustomer, subscriptionTokens, subscriptionByHash }: LinkTokenTables,
  customers: Table<Customer>,
  subscriptions: Table<Subscription>,
) {
  function subscriptionChecked(subscriptionId: string, candidate: LinkTokenCandidate) {
    const parsed = parseLinkTokenCandidate(candidate);
    const sub = subscriptions.require(inputKey(subscriptionId, 'subscription id'));
    return { id: sub.id, customerId: sub.customerId, candidate: parsed };
  }

  function checked(customerId: string, candidate: LinkTokenCandidate): { id: string; candidate: LinkTokenCandidate } {
    const parsed = parseLinkTokenCandidate(candidate);
    const id = inputKey(customerId, 'customer id');
    customers.require(id);
    return { id, candidate: parsed };
  }

  function ensure(op: Op, customerId: string, candidate: LinkTokenCandidate): string {
    const { id, candidate: c } = checked(customerId, candidate);
    const held = tokens.get(id);
    if (held !== undefined) return held.nonce;
    tokens.insert(op.undo, { id, nonce: c.nonce, tokenHash: c.tokenHash, createdAt: op.now, rotatedAt: op.now });
    return c.nonce;
  }

  return {
    ensure,

    ensureMany(op: Op, requests: readonly LinkTokenRequest[]): string[] {
      // Every request checked before any is stored; a failed insert's rows are undone with the call (all or none).
      const asked = parseLinkTokenRequests(requests);
      for (const { customerId } of asked) customers.require(customerId);
      return asked.map(({ customerId, candidate }) => ensure(op, customerId, candidate));
    },

    rotate(op: Op, customerId: string, candidate: LinkTokenCandidate, fromHash?: string): boolean {
      const { id, candidate: c } = checked(customerId, candidate);
      const from = fromHash === undefined ? undefined : inputKey(fromHash, 'token hash');
      const held = tokens.get(id);
      if (from !== undefined && held?.tokenHash !== from) return false;
      if (held === undefined) tokens.insert(op.undo, { id, nonce: c.nonce, tokenHash: c.tokenHash, createdAt: op.now, rotatedAt: op.now });
      else tokens.replace(op.undo, { ...held, nonce: c.nonce, tokenHash: c.tokenHash, rotatedAt: op.now });
      return true;
    },

    customerByHash(_op: Op, tokenHash: string): string | null {
      return byHash.lookup(inputKey(tokenHash, 'token hash')) ?? null;
    },

    ensureForSubscription(op: Op, subscriptionId: string, candidate: LinkTokenCandidate): string {
      const { id, customerId, candidate: c } = subscriptionChecked(subscriptionId, candidate);
      const held = subscriptionTokens.get(id);
      if (held !== undefined) return held.nonce;
      subscriptionTokens.insert(op.undo, { id, customerId, nonce: c.nonce, tokenHash: c.tokenHash, createdAt: op.now, rotatedAt: op.now });
      return c.nonce;
    },

    rotateForSubscription(op: Op, subscriptionId: string, candidate: LinkTokenCandidate, fromHash?: string): boolean {
      const { id, customerId, candidate: c } = subscriptionChecked(subscriptionId, candidate);
      const from = fromHash === undefined ? undefined : inputKey(fromHash, 'token hash');
      const held = subscriptionTokens.get(id);
      if (from !== undefined && held?.tokenHash !== from) return false;
      if (held === undefined)
        subscriptionTokens.insert(op.undo, {
          id,
          customerId,
          nonce: c.nonce,
          tokenHash: c.tokenHash,
          createdAt: op.now,
          rotatedAt: op.now,
        });
      else subscriptionTokens.replace(op.undo, { ...held, nonce: c.nonce, tokenHash: c.tokenHash, rotatedAt: op.now });
      return true;
    },

    revokeForSubscription(op: Op, subscriptionId: string): boolean {
      return subscriptionTokens.delete(op.undo, inputKey(subscriptionId, 'subscription id')) !== undefined;
    },

    scopeByHash(_op: Op, tokenHash: string): LinkTokenScope | null {
      const hash = inputKey(tokenHash, 'token hash');
      const customerId = byHash.lookup(hash);
      if (customerId !== undefined) return { customerId, subscriptionId: null };
      const subscriptionId = subscriptionByHash.lookup(hash);
      if (subscriptionId === undefined) return null;
      return { customerId: subscriptionTokens.load(subscriptionId).customerId, subscriptionId };
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

/**
 * `scopeWithSubscriptions`: `scopeByHash` and `subscriptions.listByCustomer`'s first page in the same call (so under
 * the storage's one lock, as one read); `scopeRefreshingDevice`: that, and `devices.refresh` on each subscription of
 * the page the token serves in the statuses asked, in the same call.
 */
export function linkTokenScopeOperation<T extends { scopeByHash(op: Op, tokenHash: string): LinkTokenScope | null }>(
  linkTokens: T,
  subscriptions: { listByCustomer(op: Op, customerId: string, page: PageRequest): Page<Subscription> },
  devices: { refresh(op: Op, request: DeviceRefreshRequest): Device | null },
) {
  function scopeWithSubscriptions(op: Op, tokenHash: string, page: { limit: number }): LinkTokenScopeWithSubscriptions | null {
    const first = { limit: parsePageWindow({ limit: page?.limit }, timeCursorCodec).limit };
    const scope = linkTokens.scopeByHash(op, tokenHash);
    if (scope === null) return null;
    return { ...scope, subscriptions: subscriptions.listByCustomer(op, scope.customerId, first) };
  }
  return {
    ...linkTokens,
    scopeWithSubscriptions,
    scopeRefreshingDevice(op: Op, tokenHash: string, request: LinkDeviceRefreshRequest): LinkTokenScopeWithDevice | null {
      const r = parseLinkDeviceRefresh(request);
      const found = scopeWithSubscriptions(op, tokenHash, { limit: r.limit });
      if (found === null) return null;
      const refreshed: Device[] = [];
      for (const sub of found.subscriptions.items) {
        if (!r.statuses.includes(sub.status)) continue;
        if (found.subscriptionId !== null && sub.id !== found.subscriptionId) continue;
        const device = devices.refresh(op, { subscriptionId: sub.id, device: r.device, seenAfter: r.seenAfter });
        if (device !== null) refreshed.push(device);
      }
      return { ...found, refreshed };
    },
  };
}
