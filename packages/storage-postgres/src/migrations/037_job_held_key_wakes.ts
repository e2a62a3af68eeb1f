import { JOBS_QUEUED_CHANNEL } from './015_jobs_queued_notify.js';

/**
 * A job inserted while a running job of its type holds its serialisation key wakes only the worker that claimed the
 * running one (`locked_by`), told the key: `<schema>\n<worker id>\n<serial key>` (`StoragePort.jobsQueued`'s
 * `heldSerialKey`). No claim can take the job before that key's job settles, and the holder claims again once it
 * has; the holder claims at once when the notification finds its settle already written (it came before the job's
 * commit). Before, each such job woke an idle worker or every worker, and each claimed nothing: in bench/rush one
 * empty claim a buyer on one replica and two on two, while a panel's batch held its target's key. The jobs of a
 * statement whose keys are not held wake as migration 36 has them. More than 16 holders in one statement (an
 * `enqueueMany` of many keys) wake as before too: one notification each would cost more than the claims they spare.
 *
 * An older replica's listener reads `<worker id>\n<serial key>` as a worker id no subscription has, so during a
 * rolling upgrade its holders are not told either; they claim at their settle, and their poll finds a job whose
 * commit came after that claim.
 */
export const jobHeldKeyWakes = `
CREATE OR REPLACE FUNCTION {{schema}}.jobs_inserted_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  holders text[];
  held text[];
  holder text;
  queued record;
  woken text;
  told integer;
  everyone boolean := false;
BEGIN
  SELECT array_agg(DISTINCT h.locked_by || E'\\n' || n.serial_key), array_agg(n.id) INTO holders, held
  FROM inserted AS n
  CROSS JOIN LATERAL (
    SELECT r.locked_by FROM {{schema}}.jobs AS r
    WHERE r.serial_key = n.serial_key AND r.state = 'running' AND r.type = n.type AND r.locked_by IS NOT NULL
    LIMIT 1) AS h
  WHERE n.state = 'queued' AND n.run_at <= n.updated_at AND n.serial_key IS NOT NULL;
  IF cardinality(holders) > 16 THEN
    holders := NULL;
    held := NULL;
  END IF;
  FOREACH holder IN ARRAY coalesce(holders, '{}') LOOP
    PERFORM pg_notify('${JOBS_QUEUED_CHANNEL}', TG_TABLE_SCHEMA || E'\\n' || holder);
  END LOOP;
  FOR queued IN
    SELECT n.type, count(*)::integer AS due FROM inserted AS n
    WHERE n.state = 'queued' AND n.run_at <= n.updated_at
      AND (held IS NULL OR NOT n.id = ANY (held))
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
