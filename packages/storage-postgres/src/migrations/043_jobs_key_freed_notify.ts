import { JOBS_QUEUED_CHANNEL } from './015_jobs_queued_notify.js';

/**
 * A job with a dedupe or serialisation key that leaves `running` (completed, so deleted into `succeeded_jobs`; failed,
 * released, parked, dead, reaped) while a queued job has that key announces it on the queued-jobs channel (storage port
 * 37): a claim that skipped the queued job for the key can take it now. The idle worker that came idle last and runs
 * the waiting job's type is told alone (as `jobs_queued_notify` tells of a queued job), else every listener.
 *
 * Before, the worker that settled a keyed job claimed again on its own, whether or not anything waited on the key (a
 * lone purchase: one empty claim after its provisioning job), and a key freed on another replica was found by the poll.
 * Here the row trigger runs only for keyed rows leaving `running` (a queue of jobs without keys pays nothing), costs one
 * or two probes of the partial indexes of queued jobs by key, and tells of a transaction's freed keys once (the setting
 * `panelkit.jobs_key_freed`, local to the transaction): the worker woken claims up to its limit, every job freed at once.
 * Whether the waiting job is due is not asked (one due later makes the claim come back empty): the storage's clock,
 * which wrote `run_at`, may not be the server's. Written to run again unchanged (a database rolled back by hand to an
 * earlier version, as the migration tests do, keeps the function and triggers).
 */
export const jobsKeyFreedNotify = `
CREATE OR REPLACE FUNCTION {{schema}}.jobs_key_freed_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  waiting text;
  woken text;
BEGIN
  IF current_setting('panelkit.jobs_key_freed', true) = 'told' THEN
    RETURN NULL;
  END IF;
  IF OLD.serial_key IS NOT NULL THEN
    SELECT q.type INTO waiting FROM {{schema}}.jobs AS q
    WHERE q.state = 'queued' AND q.serial_key = OLD.serial_key LIMIT 1;
  END IF;
  IF waiting IS NULL AND OLD.dedupe_key IS NOT NULL THEN
    SELECT q.type INTO waiting FROM {{schema}}.jobs AS q
    WHERE q.state = 'queued' AND q.dedupe_key = OLD.dedupe_key;
  END IF;
  IF waiting IS NULL THEN
    RETURN NULL;
  END IF;
  PERFORM set_config('panelkit.jobs_key_freed', 'told', true);
  DELETE FROM {{schema}}.job_waiters AS w
  WHERE w.worker_id = (
    SELECT i.worker_id FROM {{schema}}.job_waiters AS i
    WHERE i.until > clock_timestamp() AND (i.types IS NULL OR waiting = ANY (i.types))
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
DROP TRIGGER IF EXISTS jobs_key_freed_notify_deleted ON {{schema}}.jobs;
CREATE TRIGGER jobs_key_freed_notify_deleted AFTER DELETE ON {{schema}}.jobs
  FOR EACH ROW WHEN (OLD.state = 'running' AND (OLD.serial_key IS NOT NULL OR OLD.dedupe_key IS NOT NULL))
  EXECUTE FUNCTION {{schema}}.jobs_key_freed_notify();
DROP TRIGGER IF EXISTS jobs_key_freed_notify_updated ON {{schema}}.jobs;
CREATE TRIGGER jobs_key_freed_notify_updated AFTER UPDATE OF state ON {{schema}}.jobs
  FOR EACH ROW WHEN (OLD.state = 'running' AND NEW.state <> 'running' AND (OLD.serial_key IS NOT NULL OR OLD.dedupe_key IS NOT NULL))
  EXECUTE FUNCTION {{schema}}.jobs_key_freed_notify();
`;
