import { JOBS_QUEUED_CHANNEL } from './015_jobs_queued_notify.js';

/**
 * One worker woken a queued job, not every worker a commit. `job_waiters` holds the workers that sleep on
 * `jobsQueued` after an empty claim (`ClaimRequest.awaitWakeMs`), each `until` it polls anyway. `jobs_queued_notify`
 * (migration 15: every row written queued and due) now takes one such worker off the list for each row (the one
 * that came idle last, locked rows skipped, so concurrent commits take different ones) and notifies that worker
 * alone (payload `<schema>\n<worker id>`); only when it finds none does it notify every listener (payload
 * `<schema>`), as before. The row comes back if the commit rolls back, and PostgreSQL sends the notifications at
 * commit only.
 */
export const jobWaiters = `
CREATE TABLE {{schema}}.job_waiters (
  worker_id text COLLATE "C" PRIMARY KEY,
  until     timestamptz NOT NULL
);
CREATE INDEX job_waiters_until ON {{schema}}.job_waiters (until);
CREATE OR REPLACE FUNCTION {{schema}}.jobs_queued_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  woken text;
BEGIN
  DELETE FROM {{schema}}.job_waiters AS w
  WHERE w.worker_id = (
    SELECT i.worker_id FROM {{schema}}.job_waiters AS i
    WHERE i.until > clock_timestamp()
    ORDER BY i.until DESC
    LIMIT 1
    FOR UPDATE SKIP LOCKED)
  RETURNING w.worker_id INTO woken;
  IF woken IS NULL THEN
    PERFORM pg_notify('${JOBS_QUEUED_CHANNEL}', TG_TABLE_SCHEMA);
  ELSE
    PERFORM pg_notify('${JOBS_QUEUED_CHANNEL}', TG_TABLE_SCHEMA || E'\\n' || woken);
  END IF;
  RETURN NULL;
END
$$;
`;
