/**
 * `jobs_state_idx` (an admin's job list filtered by state, newest first) leaves out succeeded and running jobs.
 *
 * A job row is written three times (queued, running, succeeded), and no write can be heap-only: `state` is in the
 * predicate of the queue's partial indexes. So each write added an entry to every index over all rows: the primary
 * key, `jobs_created_idx` and this one. Succeeded jobs are nearly all of the table: listed by state, they are read
 * from `jobs_created_idx` almost without a miss. Running jobs are at most what the workers hold, found through
 * `jobs_leases_idx` (running jobs only). The queue's backlog, dead and cancelled jobs keep the index. Measured on
 * 2 000 jobs of bench/queue's (PostgreSQL 15): a claim's write from 7.2 to 6.1 WAL records a job, a completion's
 * from 5.2 to 4.1.
 */
export const jobStateIndex = `
DROP INDEX {{schema}}.jobs_state_idx;
CREATE INDEX jobs_state_idx ON {{schema}}.jobs (state, created_at, id) WHERE state NOT IN ('succeeded', 'running');
`;
