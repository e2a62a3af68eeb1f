/**
 * The sharing guard (`guard`, storage port 30; design `docs/design/owner-figures-and-guard.md` §4): the owner's policy
 * (one row), each subscription's readings as hourly buckets in one jsonb row (`[{hour, readings, over, maxPrefixes}]`,
 * only counts, never addresses), and one case per subscription whose `step_seq` makes a transition conditional.
 */
export const guard = `
CREATE TABLE IF NOT EXISTS {{schema}}.guard_policy (
  id          smallint PRIMARY KEY CHECK (id = 1),
  policy      jsonb NOT NULL,
  version     integer NOT NULL,
  updated_at  timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS {{schema}}.guard_signals (
  subscription_id  text COLLATE "C" PRIMARY KEY REFERENCES {{schema}}.subscriptions (id) ON DELETE CASCADE,
  buckets          jsonb NOT NULL,
  last_reading_at  timestamptz,
  last_null_at     timestamptz
);
CREATE TABLE IF NOT EXISTS {{schema}}.guard_cases (
  subscription_id  text COLLATE "C" PRIMARY KEY REFERENCES {{schema}}.subscriptions (id) ON DELETE CASCADE,
  step             text COLLATE "C" NOT NULL CHECK (step IN ('watching', 'warn', 'limit', 'suspend')),
  step_seq         integer NOT NULL,
  step_at          timestamptz NOT NULL,
  evidence         jsonb NOT NULL,
  lifted_by        text,
  quiet_until      timestamptz,
  policy_version   integer NOT NULL
);
CREATE INDEX IF NOT EXISTS guard_cases_step_idx ON {{schema}}.guard_cases (step, subscription_id);
`;
