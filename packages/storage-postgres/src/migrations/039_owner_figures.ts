/**
 * The owner figures' read models (storage port 29, issue 94; docs/design/owner-figures-and-guard.md §3): an inbox of
 * customers whose figures may have changed, each customer's last folded contribution, the rollups the pages read and
 * the settings row. The folded cells are stored compactly (`figure-cells-codec.ts`): a shop of 400 000 buyers keeps
 * 50–300 cells each.
 *
 * The inbox is written by triggers inside the statement that changes a figure's input, so no write path can forget it
 * and a checkout sends no statement more: statement triggers with a transition table on the inserts (one inbox row per
 * customer a statement), row triggers with a `WHEN` on the updates. A `WHEN` that is false queues nothing, so the usage
 * sync (a million `used_bytes` writes a cycle, heap-only since migration 10) pays one comparison a row. The inbox takes
 * plain inserts, never an upsert, and has no foreign key: a checkout locks nothing more. `IF NOT EXISTS` and
 * `CREATE OR REPLACE`: a database a test rolled back to an older version keeps what it had.
 */
export const ownerFigures = `
CREATE TABLE IF NOT EXISTS {{schema}}.figure_inbox (
  seq bigserial PRIMARY KEY,
  customer_id text COLLATE "C" NOT NULL
);
CREATE TABLE IF NOT EXISTS {{schema}}.figure_buyers (
  customer_id text COLLATE "C" PRIMARY KEY,
  definitions_version integer NOT NULL DEFAULT 0,
  cells jsonb NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS {{schema}}.figure_cohorts (
  scope text COLLATE "C" NOT NULL,
  cohort integer NOT NULL,
  age integer NOT NULL,
  value bigint NOT NULL,
  PRIMARY KEY (scope, cohort, age)
);
CREATE TABLE IF NOT EXISTS {{schema}}.figure_cohort_revenue (
  scope text COLLATE "C" NOT NULL,
  cohort integer NOT NULL,
  month integer NOT NULL,
  currency text COLLATE "C" NOT NULL,
  value bigint NOT NULL,
  PRIMARY KEY (scope, cohort, month, currency)
);
CREATE TABLE IF NOT EXISTS {{schema}}.figure_months (
  scope text COLLATE "C" NOT NULL,
  month integer NOT NULL,
  metric text COLLATE "C" NOT NULL,
  key text COLLATE "C" NOT NULL,
  currency text COLLATE "C" NOT NULL,
  value bigint NOT NULL,
  PRIMARY KEY (scope, month, metric, key, currency)
);
CREATE TABLE IF NOT EXISTS {{schema}}.figure_lapses (
  scope text COLLATE "C" NOT NULL,
  month integer NOT NULL,
  plan_id text COLLATE "C" NOT NULL,
  panel_id text COLLATE "C" NOT NULL,
  value bigint NOT NULL,
  PRIMARY KEY (scope, month, plan_id, panel_id)
);
CREATE TABLE IF NOT EXISTS {{schema}}.figure_cash (
  month integer NOT NULL,
  provider_id text COLLATE "C" NOT NULL,
  currency text COLLATE "C" NOT NULL,
  flow text COLLATE "C" NOT NULL,
  value bigint NOT NULL,
  PRIMARY KEY (month, provider_id, currency, flow)
);
CREATE TABLE IF NOT EXISTS {{schema}}.figure_buckets (
  bucket bigint NOT NULL,
  currency text COLLATE "C" NOT NULL,
  metric text COLLATE "C" NOT NULL,
  value bigint NOT NULL,
  PRIMARY KEY (bucket, currency, metric)
);
CREATE TABLE IF NOT EXISTS {{schema}}.figure_meta (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  time_zone text NOT NULL,
  calendar text NOT NULL,
  definitions_version integer NOT NULL,
  folded_at timestamptz,
  rebuild_cursor text COLLATE "C"
);
-- The sources' read finds a customer's claimed gifts by claimer (every other source has a customer index already).
CREATE INDEX IF NOT EXISTS gifts_claimer_idx ON {{schema}}.gifts (claimed_by) WHERE claimed_by IS NOT NULL;

CREATE OR REPLACE FUNCTION {{schema}}.figure_mark_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO {{schema}}.figure_inbox (customer_id) SELECT DISTINCT n.customer_id FROM inserted AS n;
  RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION {{schema}}.figure_mark_referred() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO {{schema}}.figure_inbox (customer_id) SELECT DISTINCT n.referred_id FROM inserted AS n;
  RETURN NULL;
END
$$;
-- A row's customer, and its former one when the update moved it.
CREATE OR REPLACE FUNCTION {{schema}}.figure_mark_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO {{schema}}.figure_inbox (customer_id) VALUES (NEW.customer_id);
  IF OLD.customer_id IS DISTINCT FROM NEW.customer_id THEN
    INSERT INTO {{schema}}.figure_inbox (customer_id) VALUES (OLD.customer_id);
  END IF;
  RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION {{schema}}.figure_mark_customer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO {{schema}}.figure_inbox (customer_id) VALUES (NEW.id);
  RETURN NULL;
END
$$;
-- A gift's giver (its expiry refunds them) and its claimer, before and after.
CREATE OR REPLACE FUNCTION {{schema}}.figure_mark_gift() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO {{schema}}.figure_inbox (customer_id)
    SELECT DISTINCT c FROM unnest(ARRAY[NEW.giver_id, NEW.claimed_by, OLD.claimed_by]) AS c WHERE c IS NOT NULL;
  RETURN NULL;
END
$$;
-- A refusal's subject is the customer refused; one that names no customer has no figures to change.
CREATE OR REPLACE FUNCTION {{schema}}.figure_mark_refusal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO {{schema}}.figure_inbox (customer_id)
    SELECT c.id FROM {{schema}}.customers AS c WHERE c.id = NEW.subject_id;
  RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS figure_mark ON {{schema}}.ledger_entries;
CREATE TRIGGER figure_mark AFTER INSERT ON {{schema}}.ledger_entries REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION {{schema}}.figure_mark_inserted();
DROP TRIGGER IF EXISTS figure_mark ON {{schema}}.orders;
CREATE TRIGGER figure_mark AFTER INSERT ON {{schema}}.orders REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION {{schema}}.figure_mark_inserted();
DROP TRIGGER IF EXISTS figure_mark ON {{schema}}.subscriptions;
CREATE TRIGGER figure_mark AFTER INSERT ON {{schema}}.subscriptions REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION {{schema}}.figure_mark_inserted();
DROP TRIGGER IF EXISTS figure_mark ON {{schema}}.campaign_attributions;
CREATE TRIGGER figure_mark AFTER INSERT ON {{schema}}.campaign_attributions REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION {{schema}}.figure_mark_inserted();
DROP TRIGGER IF EXISTS figure_mark ON {{schema}}.referrals;
CREATE TRIGGER figure_mark AFTER INSERT ON {{schema}}.referrals REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION {{schema}}.figure_mark_referred();

-- Every field of a subscription the figures read (FigureSubscription) but id and created_at, which never change.
-- used_bytes, usage_observed_at, notices, remote and the rest are not here: the usage writes mark nothing.
DROP TRIGGER IF EXISTS figure_mark_update ON {{schema}}.subscriptions;
CREATE TRIGGER figure_mark_update AFTER UPDATE ON {{schema}}.subscriptions FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status
    OR OLD.status_changed_at IS DISTINCT FROM NEW.status_changed_at
    OR OLD.expires_at IS DISTINCT FROM NEW.expires_at
    OR OLD.activated_at IS DISTINCT FROM NEW.activated_at
    OR OLD.plan_id IS DISTINCT FROM NEW.plan_id
    OR OLD.panel_id IS DISTINCT FROM NEW.panel_id
    OR OLD.trial IS DISTINCT FROM NEW.trial
    OR OLD.duration_days IS DISTINCT FROM NEW.duration_days
    OR OLD.order_id IS DISTINCT FROM NEW.order_id
    OR OLD.bundle_id IS DISTINCT FROM NEW.bundle_id
    OR OLD.customer_id IS DISTINCT FROM NEW.customer_id)
  EXECUTE FUNCTION {{schema}}.figure_mark_updated();
-- An order settled (its status; what the figures read of an order never changes, but its settlement follows its units').
DROP TRIGGER IF EXISTS figure_mark_update ON {{schema}}.orders;
CREATE TRIGGER figure_mark_update AFTER UPDATE ON {{schema}}.orders FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.customer_id IS DISTINCT FROM NEW.customer_id)
  EXECUTE FUNCTION {{schema}}.figure_mark_updated();
-- A payment's transitions, its entries and its provider refunds (details.refunds).
DROP TRIGGER IF EXISTS figure_mark_update ON {{schema}}.payments;
CREATE TRIGGER figure_mark_update AFTER UPDATE ON {{schema}}.payments FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status
    OR OLD.ledger_entry_id IS DISTINCT FROM NEW.ledger_entry_id
    OR OLD.reversal_entry_id IS DISTINCT FROM NEW.reversal_entry_id
    OR OLD.details IS DISTINCT FROM NEW.details
    OR OLD.customer_id IS DISTINCT FROM NEW.customer_id)
  EXECUTE FUNCTION {{schema}}.figure_mark_updated();
DROP TRIGGER IF EXISTS figure_mark_update ON {{schema}}.customers;
CREATE TRIGGER figure_mark_update AFTER UPDATE ON {{schema}}.customers FOR EACH ROW
  WHEN (OLD.storefront_id IS DISTINCT FROM NEW.storefront_id)
  EXECUTE FUNCTION {{schema}}.figure_mark_customer();
DROP TRIGGER IF EXISTS figure_mark_update ON {{schema}}.gifts;
CREATE TRIGGER figure_mark_update AFTER UPDATE ON {{schema}}.gifts FOR EACH ROW
  WHEN (OLD.claimed_by IS DISTINCT FROM NEW.claimed_by
    OR OLD.claimed_at IS DISTINCT FROM NEW.claimed_at
    OR OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION {{schema}}.figure_mark_gift();
DROP TRIGGER IF EXISTS figure_mark ON {{schema}}.audit_events;
CREATE TRIGGER figure_mark AFTER INSERT ON {{schema}}.audit_events FOR EACH ROW
  WHEN (NEW.subject_type = 'trial_refusal')
  EXECUTE FUNCTION {{schema}}.figure_mark_refusal();
`;
