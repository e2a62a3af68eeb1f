/**
 * Resellers' storefronts (storage port 21): a storefront per reseller, its menu, its buyers
 * (`customers.storefront_id`), the record of each sale's split, and partners' payouts: an append-only payout ledger
 * with a balance row per partner and currency (the lock every payout write takes) and withdrawals, moved by
 * conditional updates so two approvals at once make one. `storefronts.reseller_id` has no foreign key (see there).
 */
export const storefronts = `
CREATE TABLE {{schema}}.storefronts (
  id                text COLLATE "C" PRIMARY KEY,
  -- No foreign key: customers.storefront_id points here, and a cycle would leave no order to copy or restore the
  -- tables in. storefronts.create checks the customer; customers are never deleted.
  reseller_id       text COLLATE "C" NOT NULL UNIQUE,
  name              text COLLATE "C" NOT NULL,
  status            text COLLATE "C" NOT NULL CHECK (status IN ('active', 'suspended')),
  quotas            jsonb NOT NULL,
  commission_tiers  jsonb NOT NULL,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL
);
CREATE INDEX storefronts_name_idx ON {{schema}}.storefronts (name, id);

ALTER TABLE {{schema}}.customers ADD COLUMN storefront_id text COLLATE "C" REFERENCES {{schema}}.storefronts (id);
CREATE INDEX customers_storefront_idx ON {{schema}}.customers (storefront_id, created_at, id) WHERE storefront_id IS NOT NULL;

CREATE TABLE {{schema}}.storefront_menu (
  storefront_id     text COLLATE "C" NOT NULL REFERENCES {{schema}}.storefronts (id),
  plan_id           text COLLATE "C" NOT NULL REFERENCES {{schema}}.plans (id),
  retail_amount     bigint NOT NULL CHECK (retail_amount >= 0),
  retail_currency   text COLLATE "C" NOT NULL,
  updated_at        timestamptz NOT NULL,
  PRIMARY KEY (storefront_id, plan_id)
);

CREATE TABLE {{schema}}.storefront_sales (
  id                text COLLATE "C" PRIMARY KEY,
  storefront_id     text COLLATE "C" NOT NULL REFERENCES {{schema}}.storefronts (id),
  reseller_id       text COLLATE "C" NOT NULL REFERENCES {{schema}}.customers (id),
  buyer_id          text COLLATE "C" NOT NULL REFERENCES {{schema}}.customers (id),
  order_id          text COLLATE "C" NOT NULL REFERENCES {{schema}}.orders (id),
  kind              text COLLATE "C" NOT NULL CHECK (kind IN ('sale', 'refund')),
  currency          text COLLATE "C" NOT NULL,
  retail            bigint NOT NULL,
  wholesale         bigint NOT NULL,
  margin            bigint NOT NULL,
  bonus             bigint NOT NULL,
  idempotency_key   text COLLATE "C" NOT NULL,
  created_at        timestamptz NOT NULL,
  CONSTRAINT storefront_sales_idempotency_key UNIQUE (idempotency_key)
);
CREATE INDEX storefront_sales_order_idx ON {{schema}}.storefront_sales (order_id, created_at, id);
CREATE INDEX storefront_sales_period_idx ON {{schema}}.storefront_sales (storefront_id, created_at);
CREATE INDEX storefront_sales_created_idx ON {{schema}}.storefront_sales (created_at);

CREATE TABLE {{schema}}.payout_balances (
  partner_id        text COLLATE "C" NOT NULL REFERENCES {{schema}}.customers (id),
  currency          text COLLATE "C" NOT NULL,
  amount            bigint NOT NULL,
  PRIMARY KEY (partner_id, currency)
);

CREATE TABLE {{schema}}.withdrawals (
  id                text COLLATE "C" PRIMARY KEY,
  partner_id        text COLLATE "C" NOT NULL REFERENCES {{schema}}.customers (id),
  amount            bigint NOT NULL CHECK (amount > 0),
  currency          text COLLATE "C" NOT NULL,
  status            text COLLATE "C" NOT NULL CHECK (status IN ('requested', 'approved', 'paid', 'refused')),
  destination       text NOT NULL,
  idempotency_key   text COLLATE "C" NOT NULL,
  reason            text,
  reference         text,
  requested_at      timestamptz NOT NULL,
  decided_at        timestamptz,
  decided_by        jsonb,
  paid_at           timestamptz,
  updated_at        timestamptz NOT NULL,
  CONSTRAINT withdrawals_partner_key UNIQUE (partner_id, idempotency_key)
);
CREATE INDEX withdrawals_requested_idx ON {{schema}}.withdrawals (requested_at DESC, id DESC);
CREATE INDEX withdrawals_partner_idx ON {{schema}}.withdrawals (partner_id, requested_at DESC, id DESC);
CREATE INDEX withdrawals_open_idx ON {{schema}}.withdrawals (partner_id) WHERE status IN ('requested', 'approved');
CREATE INDEX withdrawals_paid_idx ON {{schema}}.withdrawals (paid_at) WHERE status = 'paid';

CREATE TABLE {{schema}}.payout_entries (
  id                text COLLATE "C" PRIMARY KEY,
  partner_id        text COLLATE "C" NOT NULL REFERENCES {{schema}}.customers (id),
  kind              text COLLATE "C" NOT NULL,
  amount            bigint NOT NULL CHECK (amount <> 0),
  currency          text COLLATE "C" NOT NULL,
  idempotency_key   text COLLATE "C" NOT NULL,
  storefront_id     text COLLATE "C" REFERENCES {{schema}}.storefronts (id),
  order_id          text COLLATE "C" REFERENCES {{schema}}.orders (id),
  withdrawal_id     text COLLATE "C" REFERENCES {{schema}}.withdrawals (id),
  note              text,
  actor             jsonb NOT NULL,
  balance_after     bigint NOT NULL,
  created_at        timestamptz NOT NULL,
  CONSTRAINT payout_entries_idempotency_key UNIQUE (idempotency_key)
);
CREATE INDEX payout_entries_partner_idx ON {{schema}}.payout_entries (partner_id, created_at DESC, id DESC);
`;
