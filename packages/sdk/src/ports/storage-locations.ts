import type { LocationEntry } from '../domain/location.js';

/**
 * The owner's location catalog (storage port 22): each panel location tag named with its country and a display name.
 * One entry per tag; a tag without one is shown by its tag alone.
 */
export interface LocationRepository {
  /** Every entry, sorted by location tag. */
  list(): Promise<LocationEntry[]>;
  /** The entry of this tag, or `null`. */
  get(location: string): Promise<LocationEntry | null>;
  /**
   * Stores the entry, replacing the tag's previous one (the name as trimmed); returns it as stored. A bad entry is a
   * `ValidationError` (check with `parseLocationEntry`) and stores nothing.
   */
  put(entry: LocationEntry): Promise<LocationEntry>;
  /** Deletes the tag's entry; whether there was one. */
  remove(location: string): Promise<boolean>;
}
