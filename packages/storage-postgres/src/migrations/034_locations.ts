/**
 * The owner's location catalog (`locations`, storage port 22): each panel location tag named with its country (ISO
 * 3166-1 alpha-2) and the name buyers read, one row per tag.
 */
export const locations = `
CREATE TABLE {{schema}}.locations (
  location    text COLLATE "C" PRIMARY KEY,
  country     text COLLATE "C" NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  name        text NOT NULL,
  updated_at  timestamptz NOT NULL
);
`;
