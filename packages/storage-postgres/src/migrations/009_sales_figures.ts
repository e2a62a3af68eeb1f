/**
 * The books read by order and by day: a refund lists its order's entries (`ledger.listByOrder`), and
 * the sales read model (`sales.figures`) scans the ledger and new subscriptions by creation time.
 */
export const salesFigures = `
CREATE INDEX ledger_entries_order_idx ON {{schema}}.ledger_entries (order_id, created_at, id) WHERE order_id IS NOT NULL;
CREATE INDEX ledger_entries_created_idx ON {{schema}}.ledger_entries (created_at, id);
CREATE INDEX subscriptions_created_idx ON {{schema}}.subscriptions (created_at, id);
`;
