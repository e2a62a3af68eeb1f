/** The channel `jobs_queued_notify` notifies on; the payload is the schema's name (one database may hold several). */
export const JOBS_QUEUED_CHANNEL = 'panelkit_jobs_queued';

/**
 * Jobs queued due now are announced (`StoragePort.jobsQueued`, no port version: optional): a trigger notifies
 * {@link JOBS_QUEUED_CHANNEL} for every row written queued with `run_at` at or before its `updated_at` (due on the
 * storage's clock when written: a new job due now, a dedupe merge to an earlier time, `release`, `unpark`,
 * `reapExpired`, `retry`), from whatever statement wrote it (`jobs.enqueue`, `orders.place`), so no statement or round
 * trip is added. PostgreSQL sends a notification at commit only, and one a transaction however many rows raised it
 * (same channel and payload). Rows written to run later are not announced: the worker's poll finds them. Claims,
 * heartbeats and completions fail the `WHEN` and cost no call.
 */
export const jobsQueuedNotify = `
CREATE FUNCTION {{schema}}.jobs_queued_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('${JOBS_QUEUED_CHANNEL}', TG_TABLE_SCHEMA);
  RETURN NULL;
END
$$;
CREATE TRIGGER jobs_queued_notify AFTER INSERT OR UPDATE ON {{schema}}.jobs
  FOR EACH ROW WHEN (NEW.state = 'queued' AND NEW.run_at <= NEW.updated_at)
  EXECUTE FUNCTION {{schema}}.jobs_queued_notify();
`;
