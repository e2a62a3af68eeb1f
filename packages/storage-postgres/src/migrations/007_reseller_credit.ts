/**
 * Resellers. A credit limit per customer and currency lives beside the balance it bounds, so the
 * database itself refuses a balance below minus the limit (`ledger_balances_within_credit`), on top of
 * the customer row lock every append takes. An entry's `balance_after` may now be negative (down to
 * minus the limit). Price books: per customer and plan, the prices that customer buys at.
 */
export const resellerCredit = `
ALTER TABLE {{schema}}.ledger_entries DROP CONSTRAINT IF EXISTS ledger_entries_balance_after_check;
ALTER TABLE {{schema}}.ledger_balances ADD COLUMN credit_limit bigint NOT NULL DEFAULT 0
  CONSTRAINT ledger_balances_credit_limit_check CHECK (credit_limit >= 0);
ALTER TABLE {{schema}}.ledger_balances DROP CONSTRAINT IF EXISTS ledger_balances_amount_check;
ALTER TABLE {{schema}}.ledger_balances ADD CONSTRAINT ledger_balances_within_credit CHECK (amount >= -credit_limit);

CREATE TABLE {{schema}}.price_book_entries (
  customer_id           text COLLATE "C" NOT NULL REFERENCES {{schema}}.customers (id),
  plan_id               text COLLATE "C" NOT NULL REFERENCES {{schema}}.plans (id),
  price                 jsonb NOT NULL,
  extension_price       jsonb,
  traffic_price_per_gib jsonb,
  updated_at            timestamptz NOT NULL,
  PRIMARY KEY (customer_id, plan_id)
);
`;
