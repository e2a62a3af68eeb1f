/**
 * Extra devices a plan sells to its subscribers (`Plan.devicePack`, storage port 18): the price of one device per
 * 30 days and the most a subscription holds on top of the plan's limit, as JSON; `NULL` (every existing plan) is
 * not offered. Subscriptions' frozen terms gain the same field, `null` (what every subscription was sold with), so
 * terms compare equal to a plan's that sells none.
 */
export const planDevicePack = `
ALTER TABLE {{schema}}.plans ADD COLUMN device_pack jsonb;
UPDATE {{schema}}.subscriptions SET terms = terms || '{"devicePack": null}'::jsonb
  WHERE terms IS NOT NULL AND NOT terms ? 'devicePack';
`;
