import { createJobQueueSignal } from '@panelkit/sdk/storage';
import type { Logger } from '@panelkit/sdk';
import type { JobQueueSignal } from '@panelkit/sdk/storage';
import type { SqlClient } from './client.js';
import { JOBS_QUEUED_CHANNEL } from './migrations/015_jobs_queued_notify.js';

/** A storage's `jobsQueued`, and how its `close()` ends it. */
export interface JobsQueuedListening {
  readonly signal: JobQueueSignal;
  /** Whether the listening connection is open and listening now. */
  listening(): boolean;
  /** Drops the subscribers and waits for the listening connection to close. */
  close(): Promise<void>;
}

/**
 * `StoragePort.jobsQueued` on the `jobs_queued_notify` trigger (migration 15): one listening connection per storage
 * (`SqlClient.listen`), opened when the first subscriber comes (a worker's `start()`) and closed when the last leaves,
 * however many workers subscribe. A notification for `schema` tells every subscriber, one for a worker of `schema`
 * (`job_waiters`, migration 22) that worker's subscriptions alone; each (re)opening of
 * the connection, since what was sent while it was down is lost (and a subscriber that comes while it is open is
 * told once at once). A lost connection is logged and opened again by the
 * driver; subscribers meanwhile poll. `undefined` when the client cannot listen.
 */
export function listenForQueuedJobs(client: SqlClient, schema: string, logger: Logger): JobsQueuedListening | undefined {
  const listen = client.listen?.bind(client);
  if (listen === undefined) return undefined;
  let stop: (() => Promise<void>) | undefined;
  let stopped: Promise<void> = Promise.resolve();
  let lost = false;
  let listeningNow = false;
  const source = createJobQueueSignal({
    firstSubscribed() {
      stop = listen(JOBS_QUEUED_CHANNEL, {
        notification(payload) {
          // `<schema>`: every worker; `<schema>\n<worker id>`: that worker alone (migration 22).
          if (payload === schema) source.emit();
          else if (payload.startsWith(`${schema}\n`)) source.emit(payload.slice(schema.length + 1));
        },
        listening() {
          if (lost) logger.info({ schema }, 'listening for queued jobs again');
          lost = false;
          listeningNow = true;
          source.setListening(true);
        },
        lost(error) {
          // Once an outage: the driver tries again every few seconds for as long as it lasts.
          if (!lost)
            logger.warn({ schema, err: error }, 'the connection listening for queued jobs was lost; workers poll until it is back');
          lost = true;
          listeningNow = false;
          source.setListening(false);
        },
      });
    },
    lastUnsubscribed() {
      const ending = stop;
      stop = undefined;
      listeningNow = false;
      source.setListening(false);
      if (ending !== undefined) stopped = ending().catch(() => undefined);
    },
  });
  return {
    signal: source.signal,
    listening: () => listeningNow,
    async close() {
      listeningNow = false;
      source.close();
      await stopped;
    },
  };
}
