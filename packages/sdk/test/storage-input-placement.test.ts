import { isDeepStrictEqual } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createId, deriveRemoteIdentity } from '../src/index.js';
import { NewAuditEventSchema, NewLedgerEntrySchema, NewOrderSchema, NewSubscriptionSchema } from '../src/schemas.js';
import { parsePlacement } from '../src/storage.js';
import type { OrderPlacement } from '../src/storage.js';
import { parseInput } from '../src/domain/validate.js';
import { handAuditEvent, handDebit, handOrder } from '../src/ports/storage-input/placement-rows.js';
import { handSubscription } from '../src/ports/storage-input/placement-subscription.js';
import { seeded } from './seeded.js';
import type { z } from 'zod';

/** What a parse gives: its value, or its error's name, message and issues. */
function outcome(parse: () => unknown): unknown {
  try {
    return { value: parse() };
  } catch (error) {
    const { name, message, issues } = error as { name: string; message: string; issues?: unknown };
    return { name, message, issues };
  }
}

/** The keys of a value in order, all the way down: `toStrictEqual` does not compare key order. */
function keyOrder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(keyOrder);
  if (typeof value !== 'object' || value === null || value instanceof Date) return typeof value;
  return Object.entries(value).map(([key, item]) => [key, keyOrder(item)]);
}

type Candidates = Record<string, readonly unknown[]>;

/**
 * A row of each field's candidates, mostly the first (good) one, ~1.5 fields a row picked at random, so rows with no
 * fault or one (the hard ones) are common; `undefined` leaves a field out (or, now and then, gives it as `undefined`).
 */
function randomRow(fields: Candidates, next: () => number): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  const entries = Object.entries(fields);
  const first = 1 - 1.5 / entries.length;
  for (const [field, values] of entries) {
    const value = next() < first ? values[0] : values[Math.floor(next() * values.length)];
    if (typeof value === 'function') row[field] = (value as (next: () => number) => unknown)(next);
    else if (value !== undefined) row[field] = value;
    else if (next() < 0.2) row[field] = undefined;
  }
  return row;
}

/** A candidate made afresh from its own candidates each time. */
function nested(fields: Candidates): (next: () => number) => unknown {
  return (next) => randomRow(fields, next);
}

const usd = (amount: number) => ({ amount, currency: 'USD' });
const MONEY = [usd(500), usd(0), usd(-1), usd(1.5), usd(2 ** 53), { amount: 5, currency: 'usd' }, { amount: 5 }, null, 'x'];
const ACTORS = [
  { type: 'customer', id: 'cus_1' },
  { type: 'system' },
  { type: 'system', id: null },
  { type: 'admin', id: '' },
  { type: 'customer', id: 'a'.repeat(128) },
  { type: 'customer', id: 'a'.repeat(129) },
  { type: 'customer', id: 5 },
  { type: 'robot' },
  null,
];
const IDS = ['x_1', 'i'.repeat(128), 'i'.repeat(129), '', 5, null, undefined];
const OPTIONAL_IDS = [undefined, 'x_1', '', 'i'.repeat(129), 5, null];
const NULLABLE_IDS = [undefined, null, 'x_1', '', 'i'.repeat(129), 5];
const KEYS = ['k', 'k'.repeat(200), 'k'.repeat(201), '', 5, undefined];
const DATES = [new Date(0), new Date(Number.NaN), '2026-01-01', 0, null, undefined];

const ITEM: Candidates = {
  planId: IDS,
  quantity: [1, 100, 0, 101, 1.5, '1', undefined],
  unitPrice: MONEY,
  trial: [false, true, 'no', undefined],
  built: [undefined, null, {}, 'x'],
  extra: [undefined, 'dropped'],
};
const ORDER: Candidates = {
  id: OPTIONAL_IDS,
  customerId: IDS,
  status: [undefined, 'completed', 'provisioning', 'bogus', null],
  items: [
    (next: () => number) => [randomRow(ITEM, next)],
    (next: () => number) => [randomRow(ITEM, next), randomRow(ITEM, next)],
    [],
    Array.from({ length: 20 }, () => ({ planId: 'p', quantity: 1, unitPrice: usd(1), trial: false })),
    Array.from({ length: 21 }, () => ({ planId: 'p', quantity: 1, unitPrice: usd(1), trial: false })),
    'x',
  ],
  total: MONEY,
  idempotencyKey: KEYS,
  requestHash: KEYS,
  ledgerEntryId: NULLABLE_IDS,
  extra: [undefined, 'dropped'],
};
const DEBIT: Candidates = {
  id: OPTIONAL_IDS,
  customerId: IDS,
  kind: ['purchase', 'top_up', 'adjustment', 'refund', 'bogus', undefined],
  amount: [-500, 500, 0, -1.5, Number.NaN, -(2 ** 53), Number.MIN_SAFE_INTEGER, '5', undefined],
  currency: ['USD', 'usd', 'US', undefined],
  idempotencyKey: KEYS,
  orderId: NULLABLE_IDS,
  subscriptionId: NULLABLE_IDS,
  reference: [undefined, null, '', 'r'.repeat(200), 'r'.repeat(201), 5],
  note: [undefined, null, 'n'.repeat(1000), 'n'.repeat(1001), false],
  actor: ACTORS,
  extra: [undefined, 'dropped'],
};
const AUDIT: Candidates = {
  id: OPTIONAL_IDS,
  at: [undefined, ...DATES],
  actor: ACTORS,
  action: ['order.placed', 'Order.placed', 'order', 'a.b.c', 5, undefined],
  subjectType: ['order', '', 's'.repeat(50), 's'.repeat(51), undefined],
  subjectId: IDS,
  data: [undefined, {}, { n: 1, a: [1, { b: null }] }, null, [], { d: new Date(0) }, { n: Number.NaN }, 'x'],
  extra: [undefined, 'dropped'],
};

const secret = { secret: 'placement-test-secret-0123456789' };
const xray = deriveRemoteIdentity('sub_1', 0, secret);
const wireguard = deriveRemoteIdentity('sub_1', 0, secret, 'wireguard');
const mtproto = deriveRemoteIdentity('sub_1', 2, secret, 'mtproto');
const otherWireguard = deriveRemoteIdentity('sub_2', 0, secret, 'wireguard');
const REMOTE: Candidates = {
  username: [xray.username, 'Not Derived', '', 'u'.repeat(256), 5],
  uuid: [xray.uuid, 'not-a-uuid', ''],
  password: [xray.password, 'short', 'p'.repeat(256)],
  subId: [xray.subId, 'NOT16'],
  ssKey: [xray.ssKey, 'k'],
  generation: [0, 3, -1, 1.5, 2 ** 53, '0', undefined],
  adopted: [undefined, true, false, 'yes', null],
  wireguard: [
    undefined,
    wireguard.wireguard,
    { privateKey: wireguard.wireguard!.privateKey, publicKey: otherWireguard.wireguard!.publicKey },
    { privateKey: 'short', publicKey: 'short' },
    { ...wireguard.wireguard, extra: 1 },
    null,
  ],
  mtproto: [undefined, mtproto.mtproto, { secretCore: 'XYZ' }, { secretCore: 5 }, null],
  extra: [undefined, 'dropped'],
};
const EXTENSION: Candidates = {
  windowDays: [3, undefined, 0, 1.5, 3650, 3651, -1, Number.NaN, '3'],
  trafficOnExtend: ['replace', undefined, 'carry_over', 'bogus'],
  daysOnExtend: ['stack', undefined, 'restart', 'bogus'],
  price: [null, undefined, usd(100), usd(0), usd(-1)],
  extra: [undefined, 'dropped'],
};
const TERMS: Candidates = {
  price: MONEY,
  durationDays: [30, 1, 3650, 0, 3651, 1.5, undefined],
  trafficBytes: [null, 50_000_000_000, 0, -1, 2 ** 53, undefined],
  deviceLimit: [3, null, 1000, 0, 1001, undefined],
  noHwidPolicy: ['serve', undefined, 'refuse', 'bogus'],
  renewable: [true, false, undefined, 'yes'],
  startOnFirstUse: [false, true, undefined],
  extension: [nested(EXTENSION), {}, null, undefined],
  trafficTopUp: [
    null,
    { pricePerGiB: usd(10) },
    { pricePerGiB: usd(10), maxGiBPerPurchase: 100_000 },
    { pricePerGiB: usd(0) },
    { pricePerGiB: usd(10), maxGiBPerPurchase: 100_001 },
    { pricePerGiB: usd(10), maxGiBPerPurchase: 0 },
    undefined,
  ],
  devicePack: [
    undefined,
    null,
    { pricePer30Days: usd(50), maxExtraDevices: 2 },
    { pricePer30Days: usd(0), maxExtraDevices: 2 },
    { pricePer30Days: usd(50), maxExtraDevices: 101 },
    { pricePer30Days: usd(50) },
  ],
  built: [undefined, null, {}, 'x'],
  sharing: [undefined, null, { maxMembers: 3 }, { maxMembers: 20 }, { maxMembers: 21 }, { maxMembers: 3, extra: 1 }, {}],
  kinds: [
    ['xray'],
    undefined,
    ['xray', 'wireguard'],
    ['xray', 'xray'],
    [],
    ['bogus'],
    ['xray', 'wireguard', 'amneziawg', 'mtproto'],
    'xray',
  ],
  extra: [undefined, 'dropped'],
};
const SUBSCRIPTION: Candidates = {
  id: IDS,
  customerId: IDS,
  orderId: ['ord_1', null, '', undefined],
  planId: IDS,
  panelId: IDS,
  targetId: IDS,
  status: [undefined, 'active', 'pending', 'bogus', null],
  statusChangedAt: [undefined, ...DATES],
  remote: [nested(REMOTE), wireguard, mtproto, { ...xray, adopted: true, username: 'Old User' }, null],
  remoteClientId: [undefined, null, '', 'r'.repeat(256), 'r'.repeat(257), 5],
  trafficLimitBytes: [50_000_000_000, null, 0, -1, 1.5, undefined],
  usedBytes: [undefined, null, 0, -1, 2 ** 53],
  usageObservedAt: [undefined, ...DATES],
  expiresAt: [null, ...DATES],
  durationDays: [30, 1, 3650, 0, 3651, undefined],
  startOnFirstUse: [false, true, undefined, 0],
  activatedAt: [undefined, ...DATES],
  deviceLimit: [3, undefined, null, 0, 1001],
  subscriptionUrl: [undefined, null, 'https://x', 'u'.repeat(2048), 'u'.repeat(2049)],
  shareLinks: [undefined, [], ['vless://x'], ['l'.repeat(8193)], Array.from({ length: 65 }, () => 'l'), 'x', [5]],
  autoRenew: [false, undefined, true, 'no'],
  trial: [false, undefined, true, 1],
  notices: [undefined, [], ['expiry:72h'], ['n'.repeat(101)], Array.from({ length: 101 }, () => 'n'), null],
  failureReason: [undefined, null, 'r'.repeat(1000), 'r'.repeat(1001)],
  terms: [nested(TERMS), null, undefined, 'x'],
  label: [undefined, null, 'Phone', '  Phone  ', ''],
  bundleId: [null, undefined, 'bnd_1', ''],
  kind: ['xray', undefined, 'wireguard', 'bogus'],
  extra: [undefined, 'dropped'],
};

const PARTS: [string, Candidates, z.ZodType, (value: unknown) => unknown][] = [
  ['order', ORDER, NewOrderSchema, handOrder],
  ['debit', DEBIT, NewLedgerEntrySchema, handDebit],
  ['audit event', AUDIT, NewAuditEventSchema, handAuditEvent],
  ['subscription', SUBSCRIPTION, NewSubscriptionSchema, handSubscription],
];

/** A lone buyer's wallet checkout, as kit.checkout places it. */
function checkout(): OrderPlacement {
  const customerId = createId('cus');
  const orderId = createId('ord');
  const id = createId('sub');
  const actor = { type: 'customer' as const, id: customerId };
  const price = usd(500);
  const terms = randomRow(TERMS, () => 0) as never;
  return {
    order: {
      id: orderId,
      customerId,
      items: [{ planId: 'pln_1', quantity: 1, unitPrice: price, trial: false }],
      total: price,
      idempotencyKey: 'tg:1',
      requestHash: 'h',
    },
    debit: { customerId, kind: 'purchase', amount: -500, currency: 'USD', idempotencyKey: `purchase:${orderId}`, orderId, actor },
    subscriptions: [
      {
        id,
        customerId,
        orderId,
        planId: 'pln_1',
        panelId: 'pnl_1',
        targetId: 'tgt_1',
        remote: deriveRemoteIdentity(id, 0, secret),
        trafficLimitBytes: null,
        expiresAt: null,
        durationDays: 30,
        startOnFirstUse: false,
        terms,
      },
    ],
    jobs: [{ type: 'subscription.provision', payload: { subscriptionId: id } }],
    audit: [{ actor, action: 'order.placed', subjectType: 'order', subjectId: orderId }],
  };
}

describe("parsePlacement's hand checks: its rows' schemas checked without zod", () => {
  afterEach(() => vi.restoreAllMocks());

  for (const [name, fields, schema, hand] of PARTS) {
    // Compared with node's isDeepStrictEqual (own keys, undefined values and prototypes included) and the rows that
    // differ reported together: an expect a row cost more than both parses.
    it(`${name}: the hand check accepts only what the schema accepts, and gives what it gives (key order too)`, () => {
      let accepted = 0;
      const differing: unknown[] = [];
      for (let i = 0; i < 4000; i++) {
        const row = randomRow(fields, seeded(i + 1));
        const byHand = hand(row);
        if (byHand === undefined) continue;
        accepted++;
        const byZod = outcome(() => parseInput(schema, row, name));
        const sameOrder = isDeepStrictEqual(keyOrder(byHand), keyOrder((byZod as { value?: unknown }).value));
        if (!isDeepStrictEqual(byZod, { value: byHand }) || !sameOrder) differing.push({ row: i, byHand, byZod });
      }
      expect(differing.slice(0, 3)).toEqual([]);
      // Every hand check takes a good share of the rows (not a check that refuses all and proves nothing).
      expect(accepted).toBeGreaterThan(200);
    });

    it(`${name}: with zod behind it, every row gives the schema's value or its own ValidationError`, () => {
      const differing: unknown[] = [];
      for (let i = 0; i < 1000; i++) {
        const row = randomRow(fields, seeded(10_000 + i));
        const withHand = outcome(() => hand(row) ?? parseInput(schema, row, name));
        const byZod = outcome(() => parseInput(schema, row, name));
        if (!isDeepStrictEqual(withHand, byZod)) differing.push({ row: i, withHand, byZod });
      }
      expect(differing.slice(0, 3)).toEqual([]);
    });
  }

  it("leaves a lone buyer's checkout to zod never; a row the hand checks refuse gets the schema's own error", () => {
    const schemas = [NewOrderSchema, NewLedgerEntrySchema, NewSubscriptionSchema, NewAuditEventSchema];
    const spies = schemas.map((schema) => vi.spyOn(schema, 'safeParse'));
    const placement = checkout();
    const parsed = parsePlacement(placement, createId);
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    expect(parsed.subscriptions[0]).toStrictEqual(parseInput(NewSubscriptionSchema, placement.subscriptions[0], 's'));
    expect(parsed.order).toStrictEqual({ ...parseInput(NewOrderSchema, placement.order, 'o'), ledgerEntryId: parsed.debit!.id });

    const bad = checkout();
    const subscription = { ...bad.subscriptions[0]!, durationDays: 0 };
    const refused = outcome(() => parsePlacement({ ...bad, subscriptions: [subscription] }, createId));
    expect(refused).toStrictEqual(outcome(() => parseInput(NewSubscriptionSchema, subscription, 'order placement subscription 0')));
    expect(refused).toMatchObject({ name: 'ValidationError', issues: [{ path: 'durationDays' }] });
  });
});
