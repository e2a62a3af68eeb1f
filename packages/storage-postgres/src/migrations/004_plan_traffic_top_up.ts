/**
 * Extra traffic a plan sells to its subscribers (`Plan.trafficTopUp`): the price per GiB and the most
 * one purchase may add, as JSON; `NULL` (every existing plan) is not offered.
 */
export const planTrafficTopUp = `
ALTER TABLE {{schema}}.plans ADD COLUMN traffic_top_up jsonb;
`;
