/**
 * Batch keys on jobs (`Job.batchKey`): a claim takes a key's due jobs together. Existing jobs get none. The
 * partial index gives a batch's queued jobs in claim order, from the queued jobs with a key alone.
 */
export const jobBatchKeys = `
ALTER TABLE {{schema}}.jobs ADD COLUMN batch_key text COLLATE "C";
CREATE INDEX jobs_queued_batch_key ON {{schema}}.jobs (batch_key, priority, run_at, id) WHERE state = 'queued' AND batch_key IS NOT NULL;
`;
