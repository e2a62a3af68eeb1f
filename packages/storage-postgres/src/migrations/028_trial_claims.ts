/**
 * Trial claims (`trialClaims`, storage port 21): who has had a trial of a plan family, by identity key (the SHA-256 of a
 * Telegram id, a normalised e-mail, a verified phone or a device id). The primary key is what makes a second claim of
 * one key by another customer fail atomically across connections and replicas. Rows are kept for good: a deleted
 * account's trial still counts.
 */
export const trialClaims = `
CREATE TABLE {{schema}}.trial_claims (
  family       text COLLATE "C" NOT NULL,
  key          text COLLATE "C" NOT NULL,
  customer_id  text COLLATE "C" NOT NULL REFERENCES {{schema}}.customers (id),
  created_at   timestamptz NOT NULL,
  PRIMARY KEY (family, key)
);
CREATE INDEX trial_claims_customer_idx ON {{schema}}.trial_claims (customer_id);
`;
