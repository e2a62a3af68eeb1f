import { initial } from './001_initial.js';
import { jobParking } from './003_job_parking.js';

/** One schema change: applied once, in version order, inside the migration transaction. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** SQL with `{{schema}}` where the quoted schema name goes. */
  readonly sql: string;
}

/** Every migration this build knows, oldest first. Append only; never edit a released one. */
export const MIGRATIONS: readonly Migration[] = Object.freeze([
  { version: 1, name: 'initial', sql: initial },
  // Numbered 2 here only until the serialisation keys' migration (version 2) is merged; then this is 3.
  { version: 2, name: 'job_parking', sql: jobParking },
]);

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
