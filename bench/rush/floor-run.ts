/**
 * bench/rush's bare floor process (`floor-server.ts`) as main.ts runs it: forked in the shop's mode (compiled or
 * source, as the replicas), listening once it has made its tables.
 */
import { fork } from 'node:child_process';
import { listeningPort } from '../support/listening-port.js';

/** A running floor process. */
export interface FloorProcess {
  readonly pid: number;
  /** Its webhook's URL. */
  readonly url: string;
  /** The statements it has sent so far, by name. */
  counts(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

/** Forks `floor-server.ts` (`served`: its module, node flags and environment in the shop's mode) with `env` added. */
export async function startFloor(
  served: { module: string; execArgv: string[]; env: Record<string, string> },
  env: Record<string, string>,
): Promise<FloorProcess> {
  const child = fork(served.module, [], { execArgv: served.execArgv, env: { ...process.env, ...served.env, ...env } });
  const port = await listeningPort(child, 'the floor process');
  return {
    pid: child.pid!,
    url: `http://127.0.0.1:${port}/telegram/webhook`,
    counts: () =>
      new Promise((resolve) => {
        const onMessage = (message: unknown) => {
          const counts = (message as { counts?: Record<string, number> }).counts;
          if (counts === undefined) return;
          child.off('message', onMessage);
          resolve(counts);
        };
        child.on('message', onMessage);
        child.send({ cmd: 'counts' });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.send({ cmd: 'stop' });
      }),
  };
}
