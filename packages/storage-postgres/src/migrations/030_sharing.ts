/**
 * Several subscriptions and family sharing (storage port 21): the buyer's name for a subscription
 * (`subscriptions.label`), a family or team plan's seats (`plans.sharing`, JSON; `NULL` on every existing plan), a
 * subscription's own link token beside its customer's (same shape as `link_tokens`, one row per subscription), and
 * the groups: invites (single use, only the token's hash stored) and members (one row per member subscription; the
 * member's subscription is written later in the transaction that takes the seat, so its key is checked at commit).
 * The partial index serves counting and listing a group's current members.
 */
export const sharing = `
ALTER TABLE {{schema}}.subscriptions ADD COLUMN label text;
ALTER TABLE {{schema}}.plans ADD COLUMN sharing jsonb;
CREATE TABLE {{schema}}.subscription_link_tokens (
  subscription_id text COLLATE "C" PRIMARY KEY REFERENCES {{schema}}.subscriptions (id),
  customer_id     text COLLATE "C" NOT NULL REFERENCES {{schema}}.customers (id),
  nonce           text COLLATE "C" NOT NULL,
  token_hash      text COLLATE "C" NOT NULL UNIQUE,
  created_at      timestamptz NOT NULL,
  rotated_at      timestamptz NOT NULL
);
CREATE TABLE {{schema}}.sharing_invites (
  id          text COLLATE "C" PRIMARY KEY,
  group_id    text COLLATE "C" NOT NULL REFERENCES {{schema}}.subscriptions (id),
  token_hash  text COLLATE "C" NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL,
  accepted_by text COLLATE "C" REFERENCES {{schema}}.customers (id),
  accepted_at timestamptz
);
CREATE TABLE {{schema}}.sharing_members (
  subscription_id text COLLATE "C" PRIMARY KEY
    REFERENCES {{schema}}.subscriptions (id) DEFERRABLE INITIALLY DEFERRED,
  group_id        text COLLATE "C" NOT NULL REFERENCES {{schema}}.subscriptions (id),
  customer_id     text COLLATE "C" NOT NULL REFERENCES {{schema}}.customers (id),
  invite_id       text COLLATE "C" NOT NULL UNIQUE REFERENCES {{schema}}.sharing_invites (id),
  joined_at       timestamptz NOT NULL,
  removed_at      timestamptz
);
CREATE INDEX sharing_members_group_idx ON {{schema}}.sharing_members (group_id, joined_at, subscription_id) WHERE removed_at IS NULL;
`;
