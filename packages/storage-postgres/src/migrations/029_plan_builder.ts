/**
 * Built plans (`Plan.builder`, storage port 21): a plan's base price and priced parts (locations, devices, traffic,
 * duration) as JSON; `NULL` (every existing plan) is a fixed plan. Subscriptions' frozen terms gain `built`, `null`
 * (every subscription so far was sold a fixed plan), so their terms compare equal to a fixed plan's. A subscription
 * gains `bundle_id` (`Subscription.bundleId`): the subscriptions of one built plan share it; `NULL` sold alone.
 */
export const planBuilder = `
ALTER TABLE {{schema}}.plans ADD COLUMN builder jsonb;
UPDATE {{schema}}.subscriptions SET terms = terms || '{"built": null}'::jsonb
  WHERE terms IS NOT NULL AND NOT terms ? 'built';
ALTER TABLE {{schema}}.subscriptions ADD COLUMN bundle_id text;
CREATE INDEX subscriptions_bundle_idx ON {{schema}}.subscriptions (bundle_id) WHERE bundle_id IS NOT NULL;
`;
