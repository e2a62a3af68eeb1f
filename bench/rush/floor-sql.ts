/**
 * bench/rush's floor (`floor-server.ts`): its tables and the statements it sends, the least PostgreSQL work each step of
 * a lone purchase needs for the guarantees the shop keeps. One statement a step, each its own transaction (autocommit),
 * except the jobs' two (claim, then complete after the outside call):
 *
 * - a tap: the update claimed once (its id's row) and the buyer read, in one statement;
 * - `/start`: the update claimed and the new buyer written, in one statement;
 * - the buy: one transaction of the update's claim, the wallet debited if it holds the price, the order with its
 *   idempotency key (unique: a second use fails the whole statement, so nothing is debited twice), its ledger entry and
 *   the provisioning job;
 * - a job: claimed under a lease token (by its id: the process that queued it runs it), then completed only with that
 *   token; provisioning's completion writes the subscription and queues the link message's job in the same transaction.
 */

/** The floor's tables in `schema` (dropped and made by the bench). */
export function floorSchemaSql(schema: string): string {
  return `
CREATE SCHEMA ${schema};
CREATE TABLE ${schema}.updates (update_id bigint PRIMARY KEY);
CREATE TABLE ${schema}.buyers (telegram_id bigint PRIMARY KEY, balance bigint NOT NULL DEFAULT 0);
CREATE TABLE ${schema}.orders (
  id bigserial PRIMARY KEY,
  buyer_id bigint NOT NULL REFERENCES ${schema}.buyers,
  idempotency_key text NOT NULL,
  plan text NOT NULL,
  amount bigint NOT NULL,
  UNIQUE (buyer_id, idempotency_key)
);
CREATE TABLE ${schema}.ledger (
  id bigserial PRIMARY KEY,
  buyer_id bigint NOT NULL REFERENCES ${schema}.buyers,
  order_id bigint REFERENCES ${schema}.orders,
  amount bigint NOT NULL
);
CREATE TABLE ${schema}.subscriptions (order_id bigint PRIMARY KEY REFERENCES ${schema}.orders, client_id uuid NOT NULL, token text NOT NULL);
CREATE TABLE ${schema}.jobs (
  id bigserial PRIMARY KEY,
  kind text NOT NULL,
  order_id bigint NOT NULL REFERENCES ${schema}.orders,
  chat_id bigint NOT NULL,
  state text NOT NULL DEFAULT 'queued',
  attempts integer NOT NULL DEFAULT 0,
  lease_token uuid,
  lease_expires_at timestamptz
);`;
}

/** A statement the floor sends, named so that each connection parses and plans it once (as the shop's are). */
export interface FloorStatement {
  name: string;
  text: string;
}

/** The floor's statements over `schema`. */
export function floorStatements(schema: string) {
  const statement = (name: string, text: string): FloorStatement => ({ name: `floor_${name}`, text });
  const claimUpdate = `claimed AS (INSERT INTO ${schema}.updates (update_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING update_id)`;
  return {
    /** $1 update id, $2 Telegram user id → `fresh` (0: handled before), `known` (the buyer existed). */
    start: statement(
      'start',
      `WITH ${claimUpdate},
        added AS (INSERT INTO ${schema}.buyers (telegram_id) SELECT $2 FROM claimed ON CONFLICT DO NOTHING RETURNING 1)
       SELECT (SELECT count(*) FROM claimed)::int AS fresh, NOT EXISTS (SELECT 1 FROM added) AS known`,
    ),
    /** $1 update id, $2 Telegram user id → `fresh`, `balance` (null: no such buyer). */
    tap: statement(
      'tap',
      `WITH ${claimUpdate}
       SELECT (SELECT count(*) FROM claimed)::int AS fresh, (SELECT balance FROM ${schema}.buyers WHERE telegram_id = $2) AS balance`,
    ),
    /**
     * $1 update id, $2 Telegram user id, $3 price, $4 idempotency key, $5 plan → `fresh`, `job_id` (null: nothing bought:
     * the update handled before, or the wallet short). A used key fails the statement (unique violation): nothing of it stays.
     */
    buy: statement(
      'buy',
      `WITH ${claimUpdate},
        debited AS (UPDATE ${schema}.buyers SET balance = balance - $3
                    WHERE telegram_id = $2 AND balance >= $3 AND EXISTS (SELECT 1 FROM claimed) RETURNING telegram_id),
        ordered AS (INSERT INTO ${schema}.orders (buyer_id, idempotency_key, plan, amount)
                    SELECT telegram_id, $4, $5, $3 FROM debited RETURNING id),
        entry AS (INSERT INTO ${schema}.ledger (buyer_id, order_id, amount) SELECT $2, id, -$3 FROM ordered),
        job AS (INSERT INTO ${schema}.jobs (kind, order_id, chat_id) SELECT 'provision', id, $2 FROM ordered RETURNING id)
       SELECT (SELECT count(*) FROM claimed)::int AS fresh, (SELECT id FROM job) AS job_id`,
    ),
    /** $1 job id, $2 lease token, $3 lease ms → the job's `order_id`, `chat_id` and subscription `token` (if any); no row: not queued. */
    claimJob: statement(
      'claim_job',
      `UPDATE ${schema}.jobs AS j SET state = 'running', attempts = attempts + 1, lease_token = $2,
              lease_expires_at = clock_timestamp() + $3::integer * interval '1 millisecond'
       WHERE j.id = $1 AND j.state = 'queued'
       RETURNING j.order_id, j.chat_id, (SELECT s.token FROM ${schema}.subscriptions AS s WHERE s.order_id = j.order_id) AS token`,
    ),
    /** $1 job id, $2 lease token, $3 client id, $4 link token → the link message's job `id`; no row: the lease was lost. */
    completeProvisioning: statement(
      'complete_provisioning',
      `WITH done AS (UPDATE ${schema}.jobs SET state = 'done' WHERE id = $1 AND lease_token = $2 AND state = 'running'
                     RETURNING order_id, chat_id),
        sub AS (INSERT INTO ${schema}.subscriptions (order_id, client_id, token) SELECT order_id, $3, $4 FROM done RETURNING order_id)
       INSERT INTO ${schema}.jobs (kind, order_id, chat_id) SELECT 'link', d.order_id, d.chat_id FROM done AS d JOIN sub USING (order_id)
       RETURNING id`,
    ),
    /** $1 job id, $2 lease token → a row when completed; none: the lease was lost. */
    completeJob: statement(
      'complete_job',
      `UPDATE ${schema}.jobs SET state = 'done' WHERE id = $1 AND lease_token = $2 AND state = 'running' RETURNING id`,
    ),
  };
}
