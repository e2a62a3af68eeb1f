/**
 * Gifts (`gifts`, storage port 18): a plan one customer paid for another to claim once by its code. Claims and
 * expiries are conditional updates of the row (`status = 'unclaimed'`), so exactly one of them wins; the partial
 * index serves the expiry sweep from what is due.
 */
export const gifts = `
CREATE TABLE {{schema}}.gifts (
  id               text COLLATE "C" PRIMARY KEY,
  code             text COLLATE "C" NOT NULL UNIQUE,
  giver_id         text COLLATE "C" NOT NULL REFERENCES {{schema}}.customers (id),
  plan_id          text COLLATE "C" NOT NULL REFERENCES {{schema}}.plans (id),
  price_amount     bigint NOT NULL CHECK (price_amount > 0),
  price_currency   text COLLATE "C" NOT NULL,
  idempotency_key  text COLLATE "C" NOT NULL,
  status           text COLLATE "C" NOT NULL DEFAULT 'unclaimed' CHECK (status IN ('unclaimed', 'claimed', 'expired')),
  created_at       timestamptz NOT NULL,
  expires_at       timestamptz NOT NULL,
  claimed_by       text COLLATE "C" REFERENCES {{schema}}.customers (id),
  claimed_at       timestamptz,
  order_id         text COLLATE "C",
  expired_at       timestamptz,
  UNIQUE (giver_id, idempotency_key)
);
CREATE INDEX gifts_giver_idx ON {{schema}}.gifts (giver_id, created_at DESC, id DESC);
CREATE INDEX gifts_expiring_idx ON {{schema}}.gifts (expires_at, id) WHERE status = 'unclaimed';
`;
