import type { LocationEntry } from '@panelkit/sdk/storage';
import { parseLocationEntry, parseLocationTag } from '@panelkit/sdk/storage';
import { compareStrings } from '../internal/keys.js';
import type { Op } from '../internal/op.js';
import { Table } from '../internal/table.js';

/** One catalog entry, stored under its location tag. */
interface LocationRow {
  readonly id: string;
  readonly country: string;
  readonly name: string;
}

/** The location catalog, one row per tag. */
export type LocationTable = Table<LocationRow>;

/** An empty location catalog for a new memory storage. */
export function createLocationTable(): LocationTable {
  return new Table<LocationRow>('location', []);
}

const entry = (row: LocationRow): LocationEntry => ({ location: row.id, country: row.country, name: row.name });

/** The location catalog (`locations`). */
export function locationOperations(locations: LocationTable) {
  return {
    list(_op: Op): LocationEntry[] {
      return [...locations.values()].sort((a, b) => compareStrings(a.id, b.id)).map(entry);
    },
    get(_op: Op, location: string): LocationEntry | null {
      const row = locations.get(parseLocationTag(location));
      return row === undefined ? null : entry(row);
    },
    put(op: Op, value: LocationEntry): LocationEntry {
      const e = parseLocationEntry(value);
      const row = { id: e.location, country: e.country, name: e.name };
      if (locations.get(row.id) === undefined) locations.insert(op.undo, row);
      else locations.replace(op.undo, row);
      return entry(row);
    },
    remove(op: Op, location: string): boolean {
      return locations.delete(op.undo, parseLocationTag(location)) !== undefined;
    },
  };
}
