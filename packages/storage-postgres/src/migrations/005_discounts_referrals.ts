/**
 * Discount codes and their uses, referrals and the referral program.
 *
 * - `discount_codes.uses` is moved only by a conditional `UPDATE … WHERE uses < max_uses`, which
 *   also serialises every redemption of one code on its row (the per-customer count is read after it).
 * - `discount_redemptions.key` is unique: one use per purchase, released at most once.
 * - `referrals` has one row per referred customer; the scheduler's sweep of qualified ones is served
 *   by a partial index.
 */
export const discountsReferrals = `
CREATE TABLE {{schema}}.discount_codes (
  id                    text COLLATE "C" PRIMARY KEY,
  code                  text COLLATE "C" NOT NULL,
  value                 jsonb NOT NULL,
  plan_ids              jsonb NOT NULL,
  locations             jsonb NOT NULL,
  min_amount            jsonb,
  starts_at             timestamptz,
  ends_at               timestamptz,
  max_uses              integer CHECK (max_uses >= 1),
  max_uses_per_customer integer CHECK (max_uses_per_customer >= 1),
  first_purchase_only   boolean NOT NULL,
  applies_to            jsonb NOT NULL,
  disabled              boolean NOT NULL,
  note                  text,
  uses                  integer NOT NULL CHECK (uses >= 0),
  created_at            timestamptz NOT NULL,
  updated_at            timestamptz NOT NULL,
  CONSTRAINT discount_codes_code_key UNIQUE (code)
);
CREATE INDEX discount_codes_created_idx ON {{schema}}.discount_codes (created_at, id);

CREATE TABLE {{schema}}.discount_redemptions (
  id              text COLLATE "C" PRIMARY KEY,
  code_id         text COLLATE "C" NOT NULL REFERENCES {{schema}}.discount_codes (id),
  customer_id     text COLLATE "C" NOT NULL REFERENCES {{schema}}.customers (id),
  key             text COLLATE "C" NOT NULL,
  use_kind        text NOT NULL,
  order_id        text COLLATE "C",
  subscription_id text COLLATE "C",
  discount        jsonb NOT NULL,
  released_at     timestamptz,
  created_at      timestamptz NOT NULL,
  CONSTRAINT discount_redemptions_key_key UNIQUE (key)
);
CREATE INDEX discount_redemptions_customer_idx ON {{schema}}.discount_redemptions (code_id, customer_id) WHERE released_at IS NULL;

CREATE TABLE {{schema}}.referrals (
  referred_id     text COLLATE "C" PRIMARY KEY REFERENCES {{schema}}.customers (id),
  referrer_id     text COLLATE "C" NOT NULL REFERENCES {{schema}}.customers (id),
  status          text NOT NULL,
  order_id        text COLLATE "C",
  reward          jsonb,
  ledger_entry_id text COLLATE "C",
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  CONSTRAINT referrals_not_self CHECK (referred_id <> referrer_id)
);
CREATE INDEX referrals_referrer_idx ON {{schema}}.referrals (referrer_id, created_at, referred_id);
CREATE INDEX referrals_qualified_idx ON {{schema}}.referrals (updated_at, referred_id) WHERE status = 'qualified';

CREATE TABLE {{schema}}.referral_program (
  id         integer PRIMARY KEY CHECK (id = 1),
  program    jsonb NOT NULL,
  updated_at timestamptz NOT NULL
);
`;
