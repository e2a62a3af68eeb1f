import { parseLocationEntry, parseLocationTag } from '@panelkit/sdk/storage';
import type { LocationEntry, LocationRepository } from '@panelkit/sdk/storage';
import type { RepositoryContext } from '../internal/runner.js';
import { dec, enc } from '../internal/sql.js';

const entry = (r: Record<string, unknown>): LocationEntry => ({
  location: dec.text(r['location']),
  country: dec.text(r['country']),
  name: dec.text(r['name']),
});

/** The location catalog in `{schema}.locations`, one row per tag; `put` is one upsert. */
export function locationRepository({ runner, schema }: RepositoryContext): LocationRepository {
  const table = `${schema}.locations`;
  return {
    list: () =>
      runner.run(
        'locations.list',
        async ({ db }) => (await db.query(`SELECT location, country, name FROM ${table} ORDER BY location`, [])).rows.map(entry),
        { read: true },
      ),
    get: (location: string) =>
      runner.run(
        'locations.get',
        async ({ db }) => {
          const { rows } = await db.query(`SELECT location, country, name FROM ${table} WHERE location = $1`, [parseLocationTag(location)]);
          return rows[0] === undefined ? null : entry(rows[0]);
        },
        { read: true },
      ),
    put: (value: LocationEntry) =>
      runner.run('locations.put', async ({ db, now }) => {
        const e = parseLocationEntry(value);
        const { rows } = await db.query(
          `INSERT INTO ${table} (location, country, name, updated_at) VALUES ($1, $2, $3, $4::timestamptz)
           ON CONFLICT (location) DO UPDATE SET country = EXCLUDED.country, name = EXCLUDED.name, updated_at = EXCLUDED.updated_at
           RETURNING location, country, name`,
          [e.location, e.country, e.name, enc.time(now)],
        );
        return entry(rows[0]!);
      }),
    remove: (location: string) =>
      runner.run('locations.remove', async ({ db }) => {
        const { rows } = await db.query(`DELETE FROM ${table} WHERE location = $1 RETURNING location`, [parseLocationTag(location)]);
        return rows.length > 0;
      }),
  };
}
