import { createId, normalizeDiscountCode } from '@panelkit/sdk';
import { DiscountCodePatchSchema, NewDiscountCodeSchema, NewDiscountRedemptionSchema } from '@panelkit/sdk/schemas';
import { definedFields, inputKey, parseInput, parsePageWindow, timeCursorCodec, timeKey } from '@panelkit/sdk/storage';
import type {
  Customer,
  DiscountCode,
  DiscountCodePatch,
  DiscountRedemption,
  NewDiscountCode,
  NewDiscountRedemption,
  Page,
  PageRequest,
} from '@panelkit/sdk';
import type { RedeemResult } from '@panelkit/sdk/storage';
import { copy } from '../internal/copy.js';
import type { Op } from '../internal/op.js';
import { Table } from '../internal/table.js';
import { UniqueIndex } from '../internal/unique-index.js';
import { newestFirst } from './page-scan.js';

/** Codes (unique by text) and their redemptions (unique by purchase key). */
export interface DiscountTables {
  readonly codes: Table<DiscountCode>;
  readonly byCode: UniqueIndex<DiscountCode>;
  readonly redemptions: Table<DiscountRedemption>;
  readonly byKey: UniqueIndex<DiscountRedemption>;
}

/** Empty discount tables for a new memory storage. */
export function createDiscountTables(): DiscountTables {
  const byCode = new UniqueIndex<DiscountCode>('a discount code with this text', (c) => c.code);
  const byKey = new UniqueIndex<DiscountRedemption>('a discount use with this key', (r) => r.key);
  return { codes: new Table('discount code', [byCode]), byCode, redemptions: new Table('discount redemption', [byKey]), byKey };
}

/**
 * Codes and uses. Each call runs under the storage's lock, so a redemption's check of the limits and
 * its write are one atomic step, as the port requires.
 */
export function discountOperations(tables: DiscountTables, customers: Table<Customer>) {
  const { codes, byCode, redemptions, byKey } = tables;
  const customerUses = (codeId: string, customerId: string): number => {
    let n = 0;
    for (const r of redemptions.values()) if (r.codeId === codeId && r.customerId === customerId && r.releasedAt === null) n++;
    return n;
  };
  const byKeyOf = (key: string) => {
    const id = byKey.lookup(key);
    return id === undefined ? undefined : redemptions.load(id);
  };

  return {
    create(op: Op, input: NewDiscountCode): DiscountCode {
      const parsed = copy(parseInput(NewDiscountCodeSchema, input, 'discount code'));
      if (parsed.customerId !== null) customers.require(parsed.customerId);
      const code: DiscountCode = { ...parsed, id: parsed.id ?? createId('dc'), uses: 0, createdAt: op.now, updatedAt: op.now };
      codes.insert(op.undo, code);
      return copy(code);
    },

    get(_op: Op, id: string): DiscountCode | null {
      const code = codes.get(inputKey(id, 'discount code id'));
      return code === undefined ? null : copy(code);
    },

    getByCode(_op: Op, text: string): DiscountCode | null {
      const normal = normalizeDiscountCode(inputKey(text, 'discount code'));
      const id = normal === null ? undefined : byCode.lookup(normal);
      return id === undefined ? null : copy(codes.load(id));
    },

    list(_op: Op, page: PageRequest): Page<DiscountCode> {
      return newestFirst([...codes.values()], parsePageWindow(page, timeCursorCodec), (c) => timeKey(c.createdAt, c.id));
    },

    update(op: Op, id: string, patch: DiscountCodePatch): DiscountCode {
      const changes = definedFields(copy(parseInput(DiscountCodePatchSchema, patch, 'discount code patch')));
      const before = codes.require(inputKey(id, 'discount code id'));
      const after: DiscountCode = { ...before, ...changes, updatedAt: op.now };
      codes.replace(op.undo, after);
      return copy(after);
    },

    redeem(op: Op, input: NewDiscountRedemption): RedeemResult {
      const parsed = parseInput(NewDiscountRedemptionSchema, input, 'discount redemption');
      const code = codes.require(parsed.codeId);
      customers.require(parsed.customerId);
      const existing = byKeyOf(parsed.key);
      if (existing !== undefined) return { ok: true, redemption: copy(existing), created: false };
      if (code.disabled) return { ok: false, reason: 'disabled' };
      if (code.customerId !== null && code.customerId !== parsed.customerId) return { ok: false, reason: 'wrong_customer' };
      if (code.maxUses !== null && code.uses >= code.maxUses) return { ok: false, reason: 'exhausted' };
      if (code.maxUsesPerCustomer !== null && customerUses(code.id, parsed.customerId) >= code.maxUsesPerCustomer)
        return { ok: false, reason: 'customer_exhausted' };
      const redemption: DiscountRedemption = { ...copy(parsed), id: createId('dr'), releasedAt: null, createdAt: op.now };
      redemptions.insert(op.undo, redemption);
      codes.replace(op.undo, { ...code, uses: code.uses + 1 });
      return { ok: true, redemption: copy(redemption), created: true };
    },

    release(op: Op, key: string): DiscountRedemption | null {
      const found = byKeyOf(inputKey(key, 'discount use key'));
      if (found === undefined || found.releasedAt !== null) return null;
      const released = { ...found, releasedAt: op.now };
      redemptions.replace(op.undo, released);
      const code = codes.load(found.codeId);
      codes.replace(op.undo, { ...code, uses: Math.max(0, code.uses - 1) });
      return copy(released);
    },

    getRedemption(_op: Op, key: string): DiscountRedemption | null {
      const found = byKeyOf(inputKey(key, 'discount use key'));
      return found === undefined ? null : copy(found);
    },

    customerUses(_op: Op, codeId: string, customerId: string): number {
      return customerUses(inputKey(codeId, 'discount code id'), inputKey(customerId, 'customer id'));
    },
  };
}
