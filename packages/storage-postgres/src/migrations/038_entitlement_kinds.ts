/**
 * Product kinds (storage port 28): a plan sells one or more kinds, a target serves some, and each subscription is
 * one kind (`xray` for every row written before). A constant default is a catalog change, no table rewrite; the terms
 * update rewrites the subscriptions that have terms once, so every stored terms object names its kinds. `IF NOT
 * EXISTS`: a database a test rolled back to an older version keeps the columns it had.
 */
export const entitlementKinds = `
ALTER TABLE {{schema}}.plans ADD COLUMN IF NOT EXISTS kinds jsonb NOT NULL DEFAULT '["xray"]';
ALTER TABLE {{schema}}.targets ADD COLUMN IF NOT EXISTS kinds jsonb NOT NULL DEFAULT '["xray"]';
ALTER TABLE {{schema}}.subscriptions ADD COLUMN IF NOT EXISTS kind text COLLATE "C" NOT NULL DEFAULT 'xray';
UPDATE {{schema}}.subscriptions SET terms = terms || '{"kinds": ["xray"]}'::jsonb
  WHERE terms IS NOT NULL AND NOT terms ? 'kinds';
`;
