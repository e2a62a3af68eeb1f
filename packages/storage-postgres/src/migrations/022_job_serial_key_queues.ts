/**
 * Each serialisation key's queue, for a claim that goes past a held key without reading its jobs
 * (`claimPickStatements`): `jobs_queued_serial_key` gives a key's queued jobs in claim order, and its leading
 * column lists the keys that have queued jobs (one index probe a key); `jobs_queued_unkeyed` gives the queued
 * jobs without a key in claim order, so that scan never meets a keyed job either.
 */
export const jobSerialKeyQueues = `
CREATE INDEX jobs_queued_serial_key ON {{schema}}.jobs (serial_key, priority, run_at, id) WHERE state = 'queued' AND serial_key IS NOT NULL;
CREATE INDEX jobs_queued_unkeyed ON {{schema}}.jobs (priority, run_at, id) WHERE state = 'queued' AND serial_key IS NULL;
`;
