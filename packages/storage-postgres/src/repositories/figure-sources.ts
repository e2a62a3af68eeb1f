import { NotFoundError } from '@panelkit/sdk';
import type { Actor, LedgerEntry, SubscriptionStatus } from '@panelkit/sdk';
import type { BuyerRows, FigureLedgerEntry, FigureOrder, FigurePayment, FigureSubscription } from '@panelkit/sdk/rules';
import type { SqlQueryable } from '../client.js';
import { dec } from '../internal/sql.js';
import type { Row } from '../internal/sql.js';

/** The subject type of a `trial.refused` audit event, whose subject id is the customer refused (`engine/trial-claims.ts`). */
const TRIAL_REFUSAL_SUBJECT = 'trial_refusal';

/**
 * Each customer's `BuyerRows` as one statement: a row per customer, each source a subquery over its customer index
 * giving its rows as a JSON array of arrays (only the fields `BuyerRows` names, positionally: a buyer with three years
 * of history has hundreds of rows, and their column names once each would be most of the bytes). Lists are oldest
 * first, as the memory storage gives them.
 */
function sourcesSql(schema: string): string {
  return `SELECT c.id, c.storefront_id,
    (SELECT json_agg(json_build_array(l.id, l.kind, l.amount, l.currency, l.order_id, l.subscription_id, l.created_at,
        l.actor->>'type') ORDER BY l.created_at, l.id)
       FROM ${schema}.ledger_entries l WHERE l.customer_id = c.id) AS ledger,
    (SELECT json_agg(json_build_array(s.id, s.order_id, s.plan_id, s.panel_id, s.status, s.status_changed_at, s.expires_at,
        s.duration_days, s.activated_at, s.trial, s.bundle_id, s.created_at) ORDER BY s.created_at, s.id)
       FROM ${schema}.subscriptions s WHERE s.customer_id = c.id) AS subscriptions,
    (SELECT json_agg(json_build_array(o.id, o.total_amount, o.total_currency, o.created_at) ORDER BY o.created_at, o.id)
       FROM ${schema}.orders o WHERE o.customer_id = c.id) AS orders,
    (SELECT json_agg(json_build_array(p.id, p.provider_id, p.currency, p.ledger_entry_id, p.reversal_entry_id, p.details)
        ORDER BY p.created_at, p.id)
       FROM ${schema}.payments p WHERE p.customer_id = c.id) AS payments,
    (SELECT json_build_array(a.campaign, a.attributed_at) FROM ${schema}.campaign_attributions a WHERE a.customer_id = c.id)
      AS attribution,
    EXISTS (SELECT 1 FROM ${schema}.referrals r WHERE r.referred_id = c.id) AS referred,
    (SELECT json_agg(g.claimed_at ORDER BY g.created_at, g.id) FROM ${schema}.gifts g WHERE g.claimed_by = c.id) AS gift_claims,
    (SELECT json_agg(e.at ORDER BY e.at, e.id) FROM ${schema}.audit_events e
      WHERE e.subject_id = c.id AND e.subject_type = '${TRIAL_REFUSAL_SUBJECT}' AND e.action = 'trial.refused') AS refusals,
    (SELECT json_object_agg(pl.id, pl.family) FROM ${schema}.plans pl
      WHERE pl.id IN (SELECT t.plan_id FROM ${schema}.subscriptions t WHERE t.customer_id = c.id AND t.trial)) AS families
  FROM ${schema}.customers c WHERE c.id = ANY($1::text[])`;
}

/** A JSON array column (`json_agg` gives `null` for none). */
function list(value: unknown): unknown[][] {
  return value === null || value === undefined ? [] : dec.json<unknown[][]>(value);
}

function ledgerEntry(customerId: string, r: unknown[]): FigureLedgerEntry {
  return {
    id: dec.text(r[0]),
    customerId,
    kind: dec.text(r[1]) as LedgerEntry['kind'],
    amount: dec.int(r[2]),
    currency: dec.text(r[3]),
    orderId: dec.textOrNull(r[4]),
    subscriptionId: dec.textOrNull(r[5]),
    createdAt: dec.time(r[6]),
    actor: { type: dec.text(r[7]) as Actor['type'] },
  };
}

function subscription(customerId: string, r: unknown[]): FigureSubscription {
  return {
    id: dec.text(r[0]),
    customerId,
    orderId: dec.textOrNull(r[1]),
    planId: dec.text(r[2]),
    panelId: dec.text(r[3]),
    status: dec.text(r[4]) as SubscriptionStatus,
    statusChangedAt: dec.time(r[5]),
    expiresAt: dec.timeOrNull(r[6]),
    durationDays: dec.int(r[7]),
    activatedAt: dec.timeOrNull(r[8]),
    trial: r[9] === true,
    bundleId: dec.textOrNull(r[10]),
    createdAt: dec.time(r[11]),
  };
}

function order(customerId: string, r: unknown[]): FigureOrder {
  return { id: dec.text(r[0]), customerId, total: { amount: dec.int(r[1]), currency: dec.text(r[2]) }, createdAt: dec.time(r[3]) };
}

function payment(customerId: string, r: unknown[]): FigurePayment {
  return {
    id: dec.text(r[0]),
    customerId,
    providerId: dec.text(r[1]),
    currency: dec.text(r[2]),
    ledgerEntryId: dec.textOrNull(r[3]),
    reversalEntryId: dec.textOrNull(r[4]),
    details: dec.json(r[5]),
  };
}

function buyerRows(r: Row): BuyerRows {
  const id = dec.text(r['id']);
  const attribution = r['attribution'] === null || r['attribution'] === undefined ? null : dec.json<unknown[]>(r['attribution']);
  return {
    customer: { id, storefrontId: dec.textOrNull(r['storefront_id']) },
    ledger: list(r['ledger']).map((row) => ledgerEntry(id, row)),
    subscriptions: list(r['subscriptions']).map((row) => subscription(id, row)),
    orders: list(r['orders']).map((row) => order(id, row)),
    payments: list(r['payments']).map((row) => payment(id, row)),
    attribution: attribution === null ? null : { campaign: dec.text(attribution[0]), attributedAt: dec.time(attribution[1]) },
    referral: dec.bool(r['referred']) ? { referredId: id } : null,
    giftClaims: (list(r['gift_claims']) as unknown[]).map((at) => ({ claimedBy: id, claimedAt: dec.timeOrNull(at) })),
    trialRefusals: (list(r['refusals']) as unknown[]).map((at) => dec.time(at)),
    planFamilies: r['families'] === null || r['families'] === undefined ? {} : dec.json<Record<string, string>>(r['families']),
  };
}

/** `figures.sources` for checked ids (distinct, in id order): one statement; an unknown id is a `NotFoundError`. */
export async function readBuyerRows(db: SqlQueryable, schema: string, ids: readonly string[]): Promise<BuyerRows[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query(sourcesSql(schema), [ids]);
  const found = new Map(rows.map((r) => [dec.text(r['id']), r]));
  return ids.map((id) => {
    const row = found.get(id);
    if (row === undefined) throw new NotFoundError('customer', id);
    return buyerRows(row);
  });
}
