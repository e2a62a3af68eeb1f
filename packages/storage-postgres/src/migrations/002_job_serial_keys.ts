/**
 * Serialisation keys on jobs (`Job.serialKey`): work a panel must see one at a time. Existing
 * jobs get none. The partial index answers the claim's "is this key held by a running job?" from
 * the running jobs alone.
 */
export const jobSerialKeys = `
ALTER TABLE {{schema}}.jobs ADD COLUMN serial_key text COLLATE "C";
CREATE INDEX jobs_running_serial_key ON {{schema}}.jobs (serial_key) WHERE state = 'running' AND serial_key IS NOT NULL;
`;
