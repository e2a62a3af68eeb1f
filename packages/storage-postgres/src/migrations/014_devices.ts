/**
 * Devices (`devices`, storage port 14): a row per hardware id registered on a subscription, with what its app
 * said about it and when it was first and last seen. Plans state what their subscriptions do with an app that
 * sends no hardware id (`no_hwid_policy`); subscriptions' frozen terms gain the same field, `serve` (what every
 * subscription did before).
 */
export const devices = `
ALTER TABLE {{schema}}.plans ADD COLUMN no_hwid_policy text NOT NULL DEFAULT 'serve'
  CHECK (no_hwid_policy IN ('serve', 'refuse'));
UPDATE {{schema}}.subscriptions SET terms = terms || '{"noHwidPolicy": "serve"}'::jsonb
  WHERE terms IS NOT NULL AND NOT terms ? 'noHwidPolicy';
CREATE TABLE {{schema}}.devices (
  id              text COLLATE "C" PRIMARY KEY,
  subscription_id text COLLATE "C" NOT NULL REFERENCES {{schema}}.subscriptions (id) ON DELETE CASCADE,
  hwid            text COLLATE "C" NOT NULL,
  platform        text,
  os_version      text,
  model           text,
  app             text,
  app_version     text,
  user_agent      text,
  first_seen_at   timestamptz NOT NULL,
  last_seen_at    timestamptz NOT NULL,
  UNIQUE (subscription_id, hwid)
);
`;
