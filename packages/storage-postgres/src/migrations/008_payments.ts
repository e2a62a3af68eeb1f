/**
 * Payment intents (`payments`): one row per payment, moved between statuses by conditional updates.
 * A provider's reference is unique per provider, a buyer's request key per buyer and provider; the
 * pending limit is counted per buyer and provider, and the expiry sweep reads pending rows by expiry.
 */
export const payments = `
CREATE TABLE {{schema}}.payments (
  id                text COLLATE "C" PRIMARY KEY,
  customer_id       text COLLATE "C" NOT NULL REFERENCES {{schema}}.customers (id),
  provider_id       text COLLATE "C" NOT NULL,
  amount            bigint NOT NULL CHECK (amount > 0),
  currency          text COLLATE "C" NOT NULL,
  status            text COLLATE "C" NOT NULL
    CHECK (status IN ('pending', 'credited', 'rejected', 'expired', 'cancelled', 'reversed')),
  external_ref      text COLLATE "C",
  request_key       text COLLATE "C",
  details           jsonb NOT NULL DEFAULT '{}'::jsonb,
  expires_at        timestamptz,
  confirmation      text COLLATE "C",
  ledger_entry_id   text COLLATE "C",
  reversal_entry_id text COLLATE "C",
  decided_by        jsonb,
  note              text,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  CONSTRAINT payments_credited_has_entry CHECK (status NOT IN ('credited', 'reversed') OR ledger_entry_id IS NOT NULL)
);
CREATE UNIQUE INDEX payments_external_ref ON {{schema}}.payments (provider_id, external_ref) WHERE external_ref IS NOT NULL;
CREATE UNIQUE INDEX payments_request_key ON {{schema}}.payments (customer_id, provider_id, request_key) WHERE request_key IS NOT NULL;
CREATE INDEX payments_customer ON {{schema}}.payments (customer_id, created_at DESC, id DESC);
CREATE INDEX payments_pending ON {{schema}}.payments (customer_id, provider_id) WHERE status = 'pending';
CREATE INDEX payments_expiring ON {{schema}}.payments (expires_at, id) WHERE status = 'pending' AND expires_at IS NOT NULL;
CREATE INDEX payments_newest ON {{schema}}.payments (created_at DESC, id DESC);
`;
