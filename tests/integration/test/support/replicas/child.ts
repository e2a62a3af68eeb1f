/**
 * The protocol of a replica process (see `process.ts`): `serveReplica(module)` receives the config, runs
 * the module's `setup`, then runs each command the parent sends and answers with its result or error.
 * The entry `process.ts` bundles for each replica calls it with that replica's module.
 */
import type { ReplicaCommands } from './process.js';

/** A replica module: `setup(config)` returns the commands the parent may call. */
export interface ReplicaModule {
  setup(config: unknown): Promise<ReplicaCommands>;
}

interface Start {
  config: unknown;
}
interface Call {
  id: number;
  command: string;
  args: unknown[];
}

const send = (message: unknown) => process.send?.(message);

/** Answers the parent's first message with `replica.setup(config)`, then serves its commands until the parent goes away. */
export function serveReplica(replica: ReplicaModule): void {
  process.once('message', async (start: Start) => {
    let commands: ReplicaCommands;
    try {
      commands = await replica.setup(start.config);
    } catch (error) {
      send({ failed: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      process.exit(1);
    }
    process.on('message', async ({ id, command, args }: Call) => {
      try {
        const run = commands[command];
        if (run === undefined) throw new Error(`no command ${command}`);
        const value = await (run as (...a: unknown[]) => Promise<unknown>)(...args);
        send({ id, ok: true, value });
      } catch (error) {
        const e = error as { name?: string; message?: string; code?: unknown };
        send({
          id,
          ok: false,
          error: { name: e.name ?? 'Error', message: e.message ?? String(error), code: typeof e.code === 'string' ? e.code : undefined },
        });
      }
    });
    // The parent went away: nothing is left to answer to.
    process.on('disconnect', () => process.exit(0));
    send({ ready: true });
  });
}
