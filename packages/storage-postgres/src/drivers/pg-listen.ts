import type { SqlListener } from '../client.js';
import { quoteIdent } from '../internal/sql.js';

/** A `pg` notification, as a `Client` emits it. */
interface PgNotification {
  channel: string;
  payload?: string;
}

/** The part of a `pg` `Client` a listening connection uses. */
export interface PgListenClientLike {
  connect(): Promise<unknown>;
  query(text: string): Promise<unknown>;
  end(): Promise<unknown>;
  on(event: 'notification', listener: (message: PgNotification) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
}

/** Opens one connection outside the pool (a `pg.Pool` makes its own with `new pool.Client(pool.options)`). */
export type PgListenConnector = () => PgListenClientLike;

/** The first wait before opening a lost listening connection again; it doubles up to {@link MAX_BACKOFF_MS}. */
const FIRST_BACKOFF_MS = 250;
/** The longest wait between tries while the database stays away (an outage of hours costs one try in this). */
const MAX_BACKOFF_MS = 30_000;

/**
 * A connector for a `pg.Pool`: a client of the pool's own class, with the pool's connection options and TCP
 * keep-alive on (a database that vanished without closing the socket is noticed), outside the pool so its
 * `max` connections all stay for statements. `undefined` for a pool-like object that does not expose them.
 */
export function poolConnector(pool: object): PgListenConnector | undefined {
  const { Client, options } = pool as { Client?: unknown; options?: unknown };
  if (typeof Client !== 'function' || typeof options !== 'object' || options === null) return undefined;
  const Make = Client as new (config: object) => PgListenClientLike;
  return () => new Make({ keepAlive: true, ...options });
}

/**
 * `SqlClient.listen` on connections from `connect`: opens one, `LISTEN`s, and hands its notifications on the
 * channel to `listener`. When it fails or drops (the database restarted, went away for an hour), it is closed and
 * opened again after a backoff with jitter (250 ms doubling to 30 s), for as long as it takes; the driver's `error`
 * events are always heard, so a dropped connection never ends the process. Stopping closes the current one.
 */
export function listenOn(connect: PgListenConnector, channel: string, listener: SqlListener): () => Promise<void> {
  let stopped = false;
  let current: PgListenClientLike | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;

  const scheduleOpen = () => {
    const delay = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** failures) * (0.5 + Math.random() / 2);
    failures++;
    retry = setTimeout(open, delay);
    // A process with nothing else to do may exit while this waits.
    retry.unref?.();
  };

  function open(): void {
    retry = undefined;
    if (stopped) return;
    let client: PgListenClientLike;
    try {
      client = connect();
    } catch (error) {
      listener.lost(error);
      scheduleOpen();
      return;
    }
    current = client;
    let down = false;
    const drop = (error: unknown) => {
      if (down) return;
      down = true;
      if (current === client) current = undefined;
      client.end().catch(() => undefined);
      if (stopped) return;
      listener.lost(error);
      scheduleOpen();
    };
    client.on('error', drop);
    client.on('end', () => drop(new Error('the listening connection closed')));
    client.on('notification', (message) => {
      if (message.channel === channel) listener.notification(message.payload ?? '');
    });
    client
      .connect()
      .then(() => client.query(`LISTEN ${quoteIdent(channel)}`))
      .then(
        () => {
          if (down || stopped) return;
          failures = 0;
          listener.listening();
        },
        (error: unknown) => drop(error),
      );
  }

  open();
  return async () => {
    stopped = true;
    if (retry !== undefined) clearTimeout(retry);
    const client = current;
    current = undefined;
    await client?.end().catch(() => undefined);
  };
}
