/**
 * Saved payment methods (`paymentMethods`, storage port 17): a row per method a buyer saved with a provider
 * for off-session charges, its provider reference sealed by the SDK (never readable from the database alone),
 * one row per customer, provider and fingerprint (a digest of the reference), and whether the buyer let it pay
 * auto-renewals.
 */
export const savedPaymentMethods = `
CREATE TABLE {{schema}}.saved_payment_methods (
  id             text COLLATE "C" PRIMARY KEY,
  customer_id    text COLLATE "C" NOT NULL REFERENCES {{schema}}.customers (id),
  provider_id    text COLLATE "C" NOT NULL,
  sealed_ref     text NOT NULL,
  fingerprint    text COLLATE "C" NOT NULL,
  label          text NOT NULL,
  allow_renewal  boolean NOT NULL DEFAULT false,
  payment_id     text COLLATE "C",
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL,
  UNIQUE (customer_id, provider_id, fingerprint)
);
`;
