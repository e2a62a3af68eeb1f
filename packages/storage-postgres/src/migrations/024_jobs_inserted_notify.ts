import { JOBS_QUEUED_CHANNEL } from './015_jobs_queued_notify.js';

/**
 * Jobs inserted due now are announced once a statement, not once a row (`jobs.enqueueMany`, storage port 19: a
 * thousand rows in one `INSERT` called `jobs_queued_notify` a thousand times, each a `DELETE` on `job_waiters` and a
 * `pg_notify`). `jobs_inserted_notify` runs after each `INSERT` on `jobs` with the inserted rows as a transition table:
 * it counts those written queued and due (the condition of migration 15), takes that many idle workers off
 * `job_waiters` in one `DELETE` (the ones that came idle last, locked rows skipped) and notifies each alone, and
 * notifies every listener when it found fewer workers than jobs: what the row trigger did, row by row. Updates (a
 * dedupe merge to an earlier time, `release`, `unpark`, `reapExpired`, `retry`) keep the row trigger of migrations 15
 * and 22, now on `UPDATE` only.
 */
export const jobsInsertedNotify = `
DROP TRIGGER jobs_queued_notify ON {{schema}}.jobs;
CREATE TRIGGER jobs_queued_notify AFTER UPDATE ON {{schema}}.jobs
  FOR EACH ROW WHEN (NEW.state = 'queued' AND NEW.run_at <= NEW.updated_at)
  EXECUTE FUNCTION {{schema}}.jobs_queued_notify();
CREATE FUNCTION {{schema}}.jobs_inserted_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  due integer;
  woken text;
  told integer := 0;
BEGIN
  SELECT count(*) INTO due FROM inserted AS n WHERE n.state = 'queued' AND n.run_at <= n.updated_at;
  IF due = 0 THEN
    RETURN NULL;
  END IF;
  FOR woken IN
    DELETE FROM {{schema}}.job_waiters AS w
    WHERE w.worker_id IN (
      SELECT i.worker_id FROM {{schema}}.job_waiters AS i
      WHERE i.until > clock_timestamp()
      ORDER BY i.until DESC
      LIMIT due
      FOR UPDATE SKIP LOCKED)
    RETURNING w.worker_id
  LOOP
    PERFORM pg_notify('${JOBS_QUEUED_CHANNEL}', TG_TABLE_SCHEMA || E'\\n' || woken);
    told := told + 1;
  END LOOP;
  IF told < due THEN
    PERFORM pg_notify('${JOBS_QUEUED_CHANNEL}', TG_TABLE_SCHEMA);
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER jobs_inserted_notify AFTER INSERT ON {{schema}}.jobs
  REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION {{schema}}.jobs_inserted_notify();
`;
