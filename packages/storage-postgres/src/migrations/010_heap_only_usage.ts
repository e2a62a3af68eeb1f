/**
 * Usage writes become heap-only (HOT). PostgreSQL can update a row in place, without touching any
 * index, only when no indexed column changes value; `used_bytes` sat in the predicates of the
 * over-limit and first-use partial indexes, so every usage reading (a million rows a sync cycle)
 * wrote a new entry into each of the table's nine indexes.
 *
 * The two due predicates move onto flags a trigger keeps: `due_over_limit` (active, with a limit, at
 * or over it) and `due_first_use` (on hold, with traffic). A reading changes a flag only when it
 * crosses the limit or ends the wait, so the rest of the writes leave every indexed value as it was.
 * The flags are plain columns with a constant default (added without rewriting the table) rather than
 * stored generated columns (whose `ADD COLUMN` rewrites the whole table under an exclusive lock); the
 * backfill touches only the rows that are due now, a handful, and the indexes are built on them alone.
 *
 * `fillfactor` 85 leaves room on each page for the next version of its rows. It applies to pages
 * written from now on; a table loaded before keeps its packed pages until its rows move, so a big
 * shop may `VACUUM FULL` (or pg_repack) it once in a quiet hour to get the room at once.
 */
export const heapOnlyUsage = `
ALTER TABLE {{schema}}.subscriptions
  ADD COLUMN due_over_limit boolean NOT NULL DEFAULT false,
  ADD COLUMN due_first_use boolean NOT NULL DEFAULT false;

CREATE FUNCTION {{schema}}.subscriptions_due_flags() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.due_over_limit := NEW.status = 'active' AND NEW.traffic_limit_bytes IS NOT NULL
    AND coalesce(NEW.used_bytes, 0) >= NEW.traffic_limit_bytes;
  NEW.due_first_use := NEW.status = 'on_hold' AND coalesce(NEW.used_bytes, 0) > 0;
  RETURN NEW;
END
$$;

CREATE TRIGGER subscriptions_due_flags
  BEFORE INSERT OR UPDATE OF status, traffic_limit_bytes, used_bytes ON {{schema}}.subscriptions
  FOR EACH ROW EXECUTE FUNCTION {{schema}}.subscriptions_due_flags();

UPDATE {{schema}}.subscriptions SET due_over_limit = true
  WHERE status = 'active' AND traffic_limit_bytes IS NOT NULL AND used_bytes >= traffic_limit_bytes;
UPDATE {{schema}}.subscriptions SET due_first_use = true WHERE status = 'on_hold' AND used_bytes > 0;

DROP INDEX {{schema}}.subscriptions_over_limit_idx;
DROP INDEX {{schema}}.subscriptions_first_use_idx;
CREATE INDEX subscriptions_over_limit_idx ON {{schema}}.subscriptions (id) WHERE due_over_limit;
CREATE INDEX subscriptions_first_use_idx ON {{schema}}.subscriptions (id) WHERE due_first_use;

ALTER TABLE {{schema}}.subscriptions SET (fillfactor = 85);
`;
