/**
 * The first schema. `{{schema}}` is replaced by the quoted schema name before it runs.
 *
 * - Every sorted text column is `COLLATE "C"` (code-point order, as the port requires).
 * - Times are `timestamptz` written from the storage's clock as parameters: no `now()` here.
 * - Money and bytes are `bigint`; nested value objects are `jsonb`.
 * - Each scheduler due-query and each listing has an index that returns rows in its order, so
 *   its cost follows the rows it reads, not the table size.
 */
export const initial = `
CREATE TABLE {{schema}}.panels (
  id            text COLLATE "C" PRIMARY KEY,
  kind          text NOT NULL,
  name          text COLLATE "C" NOT NULL,
  base_url      text NOT NULL,
  credentials   jsonb NOT NULL,
  location_tags jsonb NOT NULL,
  options       jsonb NOT NULL,
  enabled       boolean NOT NULL,
  health        jsonb NOT NULL,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL
);
CREATE INDEX panels_list_idx ON {{schema}}.panels (name, id);

CREATE TABLE {{schema}}.targets (
  id                   text COLLATE "C" PRIMARY KEY,
  panel_id             text COLLATE "C" NOT NULL REFERENCES {{schema}}.panels (id),
  remote_ref           text COLLATE "C" NOT NULL,
  name                 text COLLATE "C" NOT NULL,
  protocol             text NOT NULL,
  remote_meta          jsonb NOT NULL,
  capacity             integer CHECK (capacity >= 0),
  is_default           boolean NOT NULL,
  provisioning_enabled boolean NOT NULL,
  tags                 jsonb NOT NULL,
  allocated            integer NOT NULL CHECK (allocated >= 0),
  created_at           timestamptz NOT NULL,
  updated_at           timestamptz NOT NULL,
  CONSTRAINT targets_remote_ref_key UNIQUE (panel_id, remote_ref)
);
CREATE INDEX targets_list_idx ON {{schema}}.targets (panel_id, name, id);

CREATE TABLE {{schema}}.plans (
  id                 text COLLATE "C" PRIMARY KEY,
  name               text COLLATE "C" NOT NULL,
  family             text NOT NULL,
  description        text,
  price_amount       bigint NOT NULL,
  price_currency     text NOT NULL,
  duration_days      integer NOT NULL,
  traffic_bytes      bigint,
  device_limit       integer,
  placement          jsonb NOT NULL,
  max_clients        integer CHECK (max_clients >= 0),
  auto_provision     boolean NOT NULL,
  trial              jsonb,
  renewable          boolean NOT NULL,
  start_on_first_use boolean NOT NULL,
  extension          jsonb NOT NULL,
  on_sale            boolean NOT NULL,
  allocated          integer NOT NULL CHECK (allocated >= 0),
  created_at         timestamptz NOT NULL,
  updated_at         timestamptz NOT NULL
);
CREATE INDEX plans_list_idx ON {{schema}}.plans (price_amount, name, id);

CREATE TABLE {{schema}}.customers (
  id           text COLLATE "C" PRIMARY KEY,
  email        text COLLATE "C",
  name         text,
  locale       text NOT NULL,
  telegram_id  text,
  external_ref text COLLATE "C",
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL,
  CONSTRAINT customers_email_key UNIQUE (email),
  CONSTRAINT customers_external_ref_key UNIQUE (external_ref)
);
CREATE INDEX customers_created_idx ON {{schema}}.customers (created_at, id);

CREATE TABLE {{schema}}.orders (
  id              text COLLATE "C" PRIMARY KEY,
  customer_id     text COLLATE "C" NOT NULL REFERENCES {{schema}}.customers (id),
  status          text COLLATE "C" NOT NULL,
  items           jsonb NOT NULL,
  total_amount    bigint NOT NULL,
  total_currency  text NOT NULL,
  idempotency_key text COLLATE "C" NOT NULL,
  request_hash    text NOT NULL,
  ledger_entry_id text COLLATE "C",
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  CONSTRAINT orders_idempotency_key UNIQUE (customer_id, idempotency_key)
);
CREATE INDEX orders_created_idx ON {{schema}}.orders (created_at, id);
CREATE INDEX orders_customer_idx ON {{schema}}.orders (customer_id, created_at, id);
CREATE INDEX orders_status_idx ON {{schema}}.orders (status, created_at, id);

CREATE TABLE {{schema}}.subscriptions (
  id                  text COLLATE "C" PRIMARY KEY,
  customer_id         text COLLATE "C" NOT NULL REFERENCES {{schema}}.customers (id),
  order_id            text COLLATE "C" REFERENCES {{schema}}.orders (id),
  plan_id             text COLLATE "C" NOT NULL REFERENCES {{schema}}.plans (id),
  panel_id            text COLLATE "C" NOT NULL REFERENCES {{schema}}.panels (id),
  target_id           text COLLATE "C" NOT NULL REFERENCES {{schema}}.targets (id),
  status              text COLLATE "C" NOT NULL,
  status_changed_at   timestamptz NOT NULL,
  remote              jsonb NOT NULL,
  remote_username     text COLLATE "C" GENERATED ALWAYS AS (remote ->> 'username') STORED,
  remote_client_id    text,
  traffic_limit_bytes bigint,
  used_bytes          bigint,
  usage_observed_at   timestamptz,
  expires_at          timestamptz,
  duration_days       integer NOT NULL,
  start_on_first_use  boolean NOT NULL,
  activated_at        timestamptz,
  device_limit        integer,
  subscription_url    text,
  share_links         jsonb NOT NULL,
  auto_renew          boolean NOT NULL,
  trial               boolean NOT NULL,
  notices             jsonb NOT NULL,
  failure_reason      text,
  revision            integer NOT NULL,
  created_at          timestamptz NOT NULL,
  updated_at          timestamptz NOT NULL,
  CONSTRAINT subscriptions_username_key UNIQUE (panel_id, remote_username)
);
CREATE INDEX subscriptions_customer_idx ON {{schema}}.subscriptions (customer_id, created_at, id);
CREATE INDEX subscriptions_order_idx ON {{schema}}.subscriptions (order_id, created_at, id) WHERE order_id IS NOT NULL;
CREATE INDEX subscriptions_panel_idx ON {{schema}}.subscriptions (panel_id, status, id);
-- The scheduler's due-queries, one index each.
CREATE INDEX subscriptions_expiring_idx ON {{schema}}.subscriptions (status, expires_at, id) WHERE expires_at IS NOT NULL;
CREATE INDEX subscriptions_status_since_idx ON {{schema}}.subscriptions (status, status_changed_at, id);
CREATE INDEX subscriptions_over_limit_idx ON {{schema}}.subscriptions (id)
  WHERE status = 'active' AND traffic_limit_bytes IS NOT NULL AND used_bytes >= traffic_limit_bytes;
CREATE INDEX subscriptions_first_use_idx ON {{schema}}.subscriptions (id) WHERE status = 'on_hold' AND used_bytes > 0;

CREATE TABLE {{schema}}.ledger_entries (
  id              text COLLATE "C" PRIMARY KEY,
  customer_id     text COLLATE "C" NOT NULL REFERENCES {{schema}}.customers (id),
  kind            text NOT NULL,
  amount          bigint NOT NULL CHECK (amount <> 0),
  currency        text COLLATE "C" NOT NULL,
  idempotency_key text COLLATE "C" NOT NULL,
  order_id        text COLLATE "C" REFERENCES {{schema}}.orders (id),
  subscription_id text COLLATE "C" REFERENCES {{schema}}.subscriptions (id),
  reference       text,
  note            text,
  actor           jsonb NOT NULL,
  balance_after   bigint NOT NULL CHECK (balance_after >= 0),
  created_at      timestamptz NOT NULL,
  CONSTRAINT ledger_entries_idempotency_key UNIQUE (idempotency_key)
);
CREATE INDEX ledger_entries_customer_idx ON {{schema}}.ledger_entries (customer_id, created_at, id);

-- One row per customer and currency, locked by every append: the balance check cannot race.
CREATE TABLE {{schema}}.ledger_balances (
  customer_id text COLLATE "C" NOT NULL REFERENCES {{schema}}.customers (id),
  currency    text COLLATE "C" NOT NULL,
  amount      bigint NOT NULL CHECK (amount >= 0),
  PRIMARY KEY (customer_id, currency)
);

CREATE TABLE {{schema}}.jobs (
  id               text COLLATE "C" PRIMARY KEY,
  type             text COLLATE "C" NOT NULL,
  payload          jsonb NOT NULL,
  dedupe_key       text COLLATE "C",
  priority         integer NOT NULL,
  run_at           timestamptz NOT NULL,
  max_attempts     integer NOT NULL,
  state            text COLLATE "C" NOT NULL,
  attempts         integer NOT NULL,
  last_error       jsonb,
  locked_by        text,
  lease_token      text COLLATE "C",
  lease_expires_at timestamptz,
  result           jsonb,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  finished_at      timestamptz
);
-- At most one queued and one running job per dedupe key.
CREATE UNIQUE INDEX jobs_queued_dedupe_key ON {{schema}}.jobs (dedupe_key) WHERE state = 'queued';
CREATE UNIQUE INDEX jobs_running_dedupe_key ON {{schema}}.jobs (dedupe_key) WHERE state = 'running';
-- Claim order, and reaping by lease expiry.
CREATE INDEX jobs_queue_idx ON {{schema}}.jobs (priority, run_at, id) WHERE state = 'queued';
CREATE INDEX jobs_leases_idx ON {{schema}}.jobs (lease_expires_at, id) WHERE state = 'running';
CREATE INDEX jobs_created_idx ON {{schema}}.jobs (created_at, id);
CREATE INDEX jobs_state_idx ON {{schema}}.jobs (state, created_at, id);
CREATE INDEX jobs_dedupe_idx ON {{schema}}.jobs (dedupe_key, created_at, id) WHERE dedupe_key IS NOT NULL;

CREATE TABLE {{schema}}.ticks (
  name text COLLATE "C" PRIMARY KEY,
  slot timestamptz NOT NULL
);

CREATE TABLE {{schema}}.audit_events (
  id           text COLLATE "C" PRIMARY KEY,
  at           timestamptz NOT NULL,
  actor        jsonb NOT NULL,
  actor_type   text NOT NULL,
  action       text NOT NULL,
  subject_type text COLLATE "C" NOT NULL,
  subject_id   text COLLATE "C" NOT NULL,
  data         jsonb NOT NULL
);
CREATE INDEX audit_events_at_idx ON {{schema}}.audit_events (at, id);
CREATE INDEX audit_events_subject_idx ON {{schema}}.audit_events (subject_id, at, id);
CREATE INDEX audit_events_subject_type_idx ON {{schema}}.audit_events (subject_type, at, id);
`;
