import { JOBS_QUEUED_CHANNEL } from './015_jobs_queued_notify.js';

/**
 * A job inserted while a running job of its type holds its serialisation key wakes only the worker that claimed the
 * running one (`locked_by`), told the key: `<schema>\n<worker id>\n<serial key>` (`StoragePort.jobsQueued`'s
 * `heldSerialKey`). No claim can take the job before that key's job settles, and the holder claims again once it
 * has; the holder claims at once when the notification finds its settle already written (it came before the job's
 * commit). Before, each such job woke an idle worker or every worker, and each claimed nothing: in bench/rush one
 * empty claim a buyer on one replica and two on two, while a panel's batch held its target's key. The jobs of a
 * statement whose keys are not held wake as migration 36 has them, in the same one query of the inserted rows (the
 * holder looked up by `jobs_running_serial_key` for a row with a key). More than 16 holders of one type in one
 * statement (an `enqueueMany` of many keys) wake as before too: one notification each would cost more than the claims
 * they spare.
 *
 * An older replica's listener reads `<worker id>\n<serial key>` as a worker id no subscription has, so during a
 * rolling upgrade its holders are not told either; they claim at their settle, and their poll finds a job whose
 * commit came after that claim.
 */
export const jobHeldKeyWakes = `
CREATE OR REPLACE FUNCTION {{schema}}.jobs_inserted_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  queued record;
  holder text;
  unheld integer;
  woken text;
  told integer;
  everyone boolean := false;
BEGIN
  FOR queued IN
    SELECT n.type, count(*)::integer AS due, count(h.locked_by)::integer AS held,
      array_agg(DISTINCT h.locked_by || E'\\n' || n.serial_key) FILTER (WHERE h.locked_by IS NOT NULL) AS holders
    FROM inserted AS n
    LEFT JOIN LATERAL (
      SELECT r.locked_by FROM {{schema}}.jobs AS r
      WHERE n.serial_key IS NOT NULL AND r.serial_key = n.serial_key AND r.state = 'running' AND r.type = n.type
        AND r.locked_by IS NOT NULL
      LIMIT 1) AS h ON true
    WHERE n.state = 'queued' AND n.run_at <= n.updated_at
    GROUP BY n.type
  LOOP
    unheld := queued.due;
    IF queued.held > 0 AND cardinality(queued.holders) <= 16 THEN
      unheld := unheld - queued.held;
      FOREACH holder IN ARRAY queued.holders LOOP
        PERFORM pg_notify('${JOBS_QUEUED_CHANNEL}', TG_TABLE_SCHEMA || E'\\n' || holder);
      END LOOP;
    END IF;
    told := 0;
    IF unheld > 0 THEN
      FOR woken IN
        DELETE FROM {{schema}}.job_waiters AS w
        WHERE w.worker_id IN (
          SELECT i.worker_id FROM {{schema}}.job_waiters AS i
          WHERE i.until > clock_timestamp() AND (i.types IS NULL OR queued.type = ANY (i.types))
          ORDER BY i.until DESC
          LIMIT unheld
          FOR UPDATE SKIP LOCKED)
        RETURNING w.worker_id
      LOOP
        PERFORM pg_notify('${JOBS_QUEUED_CHANNEL}', TG_TABLE_SCHEMA || E'\\n' || woken);
        told := told + 1;
      END LOOP;
    END IF;
    IF told < unheld THEN
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
