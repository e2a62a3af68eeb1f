/**
 * The terms each subscription was sold with (`Subscription.terms`), as JSON. Existing subscriptions get
 * the terms of their plan as it is at migration time: from then on, editing the plan no longer changes them.
 */
export const subscriptionTerms = `
ALTER TABLE {{schema}}.subscriptions ADD COLUMN terms jsonb;
UPDATE {{schema}}.subscriptions s SET terms = jsonb_build_object(
  'price', jsonb_build_object('amount', p.price_amount, 'currency', p.price_currency),
  'durationDays', p.duration_days,
  'trafficBytes', p.traffic_bytes,
  'deviceLimit', p.device_limit,
  'renewable', p.renewable,
  'startOnFirstUse', p.start_on_first_use,
  'extension', p.extension,
  'trafficTopUp', p.traffic_top_up
) FROM {{schema}}.plans p WHERE p.id = s.plan_id;
`;
