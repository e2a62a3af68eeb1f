/**
 * Link tokens (`linkTokens`, storage port 20): each customer's one subscription link, kept as the nonce its token is
 * derived from and the token's SHA-256 (the lookup key; the token itself is never stored). One row per customer, so
 * concurrent first uses insert once; a rotation rewrites the row in one statement. The partial index serves
 * `customers.getByTelegramId` (the id is not unique: the oldest customer first).
 */
export const linkTokens = `
CREATE TABLE {{schema}}.link_tokens (
  customer_id  text COLLATE "C" PRIMARY KEY REFERENCES {{schema}}.customers (id),
  nonce        text COLLATE "C" NOT NULL,
  token_hash   text COLLATE "C" NOT NULL UNIQUE,
  created_at   timestamptz NOT NULL,
  rotated_at   timestamptz NOT NULL
);
CREATE INDEX customers_telegram_id_idx ON {{schema}}.customers (telegram_id, created_at, id) WHERE telegram_id IS NOT NULL;
`;
