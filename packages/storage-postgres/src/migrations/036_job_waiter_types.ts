import { JOBS_QUEUED_CHANNEL } from './015_jobs_queued_notify.js';

/**
 * An idle worker is woken only for a job of a type it runs. `job_waiters` (migration 22) gains the types of the
 * worker's claim (`types`, null: every type), and both triggers take a waiter whose types hold the job's: the row
 * trigger of migrations 15 and 22 (updates), and the insert trigger of migration 24, which now takes, type by type, as
 * many idle workers as the statement queued jobs of that type. Before, a job woke the worker that came idle last
 * whatever it ran: in a shop whose bot runs a broadcasts-only worker beside the main one, a buyer's provisioning job
 * could wake the broadcasts worker, which claimed nothing, and wait for the next job's wake or the main worker's poll
 * (bench/rush: the tail of a provisioning job's wait to be claimed). With no such worker idle, every listener is told,
 * as before.
 */
export const jobWaiterTypes = `
ALTER TABLE {{schema}}.job_waiters ADD COLUMN types text[] COLLATE "C";
CREATE OR REPLACE FUNCTION {{schema}}.jobs_queued_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  woken text;
BEGIN
  DELETE FROM {{schema}}.job_waiters AS w
  WHERE w.worker_id = (
    SELECT i.worker_id FROM {{schema}}.job_waiters AS i
    WHERE i.until > clock_timestamp() AND (i.types IS NULL OR NEW.type = ANY (i.types))
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
CREATE OR REPLACE FUNCTION {{schema}}.jobs_inserted_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  queued record;
  woken text;
  told integer;
  everyone boolean := false;
BEGIN
  FOR queued IN
    SELECT n.type, count(*)::integer AS due FROM inserted AS n
    WHERE n.state = 'queued' AND n.run_at <= n.updated_at
    GROUP BY n.type
  LOOP
    told := 0;
    FOR woken IN
      DELETE FROM {{schema}}.job_waiters AS w
      WHERE w.worker_id IN (
        SELECT i.worker_id FROM {{schema}}.job_waiters AS i
        WHERE i.until > clock_timestamp() AND (i.types IS NULL OR queued.type = ANY (i.types))
        ORDER BY i.until DESC
        LIMIT queued.due
        FOR UPDATE SKIP LOCKED)
      RETURNING w.worker_id
    LOOP
      PERFORM pg_notify('${JOBS_QUEUED_CHANNEL}', TG_TABLE_SCHEMA || E'\\n' || woken);
      told := told + 1;
    END LOOP;
    IF told < queued.due THEN
      everyone := true;
    END IF;
  END LOOP;
  IF everyone THEN
    PERFORM pg_notify('${JOBS_QUEUED_CHANNEL}', TG_TABLE_SCHEMA);
  END IF;
  RETURN NULL;
END
$$;
`;
