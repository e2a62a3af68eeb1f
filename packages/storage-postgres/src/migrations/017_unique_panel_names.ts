/**
 * `unique_panel_names` (storage port 17): a panel's name is unique, so processes that add the same panel at once
 * (replicas starting together with one panels file) store it once; the loser's insert fails on `panels_name_key`
 * and reads the winner's panel by its name.
 *
 * A database may already hold one name twice or more (that very race, before this version). Nothing is deleted
 * and no start is refused for it: the oldest panel of each name (by `created_at`, then id) keeps it, and each
 * other one is renamed `<name> (duplicate <its id>)` (the name shortened to keep within 200 characters), with
 * its targets, subscriptions and settings untouched. The owner finds the renamed panels in the admin pages and
 * disables or keeps them; a panels file goes on matching the panel that kept the name.
 */
export const uniquePanelNames = `
WITH ranked AS (
  SELECT id, name, row_number() OVER (PARTITION BY name ORDER BY created_at, id) AS place
    FROM {{schema}}.panels
)
UPDATE {{schema}}.panels p
   SET name = left(r.name, 200 - length(' (duplicate ' || r.id || ')')) || ' (duplicate ' || r.id || ')'
  FROM ranked r
 WHERE p.id = r.id AND r.place > 1;
ALTER TABLE {{schema}}.panels ADD CONSTRAINT panels_name_key UNIQUE (name);
`;
