import type { Logger } from 'pino';
import { isDatabaseAway } from '../db/database-away.js';

/**
 * The last net under a shop process: a database that went away, surfacing where nobody waited for it (an
 * unhandled rejection, an `error` event nobody heard), is logged and the process lives on; it recovers when
 * the database is back. Anything else still ends the process, as Node would have, after logging it.
 */
export function guardProcess(logger: Logger): void {
  const handle = (kind: string) => (error: unknown) => {
    if (isDatabaseAway(error)) {
      logger.warn({ err: error }, `${kind} while the database is away; the process goes on`);
      return;
    }
    logger.fatal({ err: error }, kind);
    process.exit(1);
  };
  process.on('unhandledRejection', handle('unhandled rejection'));
  process.on('uncaughtException', handle('uncaught exception'));
}
