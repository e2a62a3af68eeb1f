/**
 * Jobs that wait out a panel outage: `parked_on` names the panel a queued job is parked on (it spends
 * no attempts there and `unpark` wakes it when the panel recovers), and `failing_since` is when the
 * job's current run of failures began (the engine gives up a set time after it, not after a count).
 */
export const jobParking = `
ALTER TABLE {{schema}}.jobs ADD COLUMN failing_since timestamptz;
ALTER TABLE {{schema}}.jobs ADD COLUMN parked_on text COLLATE "C";
-- unpark(panelId) touches only the queued jobs parked on that panel.
CREATE INDEX jobs_parked_idx ON {{schema}}.jobs (parked_on) WHERE state = 'queued' AND parked_on IS NOT NULL;
`;
