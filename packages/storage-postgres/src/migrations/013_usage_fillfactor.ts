/**
 * Room on every page of `subscriptions` for the next version of each of its rows: `fillfactor` 50.
 *
 * A usage cycle rewrites every row (a new `used_bytes` and `usage_observed_at`). Migration 10 made that
 * write touch no index where the row's page has room for the new version; at `fillfactor` 85 a page of
 * ~480-byte rows has room for one or two, so most of a cycle's writes still moved their row to another page
 * and wrote an entry into each of the table's indexes. Measured on a copy of 100 000 bench/scale rows, three
 * cycles one after another (PostgreSQL 15): at 85, 29% / 46% / 58% of the writes were heap-only, 24–26 µs of
 * the backend's CPU and 620–1 006 bytes of WAL a row, and the table grew 60 → 160 MB; at 50, every write
 * was heap-only, 8–12 µs and ~100 bytes of WAL a row, and the table stayed at 98 MB (each page prunes the
 * version before last when it needs the room). So the table starts 1.6× larger and stays smaller than it
 * grows to at 85.
 *
 * The setting applies to pages written from now on; a table loaded before keeps its packed pages until its
 * rows move (`VACUUM FULL` or pg_repack in a quiet hour gives every page its room at once).
 */
export const usageFillfactor = `
ALTER TABLE {{schema}}.subscriptions SET (fillfactor = 50);
`;
