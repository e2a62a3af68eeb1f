/** Child processes of bench/scale: forked with tsx, driven by one request/answer message at a time. */
import { fork, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const EXEC_ARGV = ['--conditions=@panelkit/source', '--import', 'tsx', '--max-old-space-size=4096'];

/** A forked bench process. */
export interface Child {
  readonly process: ChildProcess;
  /** Sends one message and resolves with the next message the child sends back. */
  ask<T>(message: object): Promise<T>;
  /** Resolves with the first line the child prints. */
  firstLine(): Promise<string>;
  stop(): void;
}

export function start(file: string, args: readonly string[]): Child {
  const child = fork(fileURLToPath(new URL(file, import.meta.url)), [...args], {
    execArgv: EXEC_ARGV,
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  child.on('exit', (code, signal) => {
    if (code !== 0 && code !== null) console.error(`${file} exited with ${code} (${String(signal)})`);
  });
  const lines = createInterface({ input: child.stdout! });
  return {
    process: child,
    ask<T>(message: object): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const onExit = () => reject(new Error(`${file} exited`));
        child.once('exit', onExit);
        child.once('message', (answer) => {
          child.off('exit', onExit);
          resolve(answer as T);
        });
        child.send(message);
      });
    },
    firstLine: () => new Promise<string>((resolve) => lines.once('line', resolve)),
    stop: () => {
      // A child exits on its own when disconnected (writing its profile); one that does not is killed.
      if (child.connected) child.disconnect();
      setTimeout(() => child.kill(), 3000).unref();
    },
  };
}

/** Resolves with the next message the child sends (e.g. its `ready`). */
export function nextMessage<T>(child: Child): Promise<T> {
  return new Promise<T>((resolve) => child.process.once('message', (m) => resolve(m as T)));
}

/** Runs a bench file in its own process to its end, its output printed as it comes (e.g. `adapter-call-cpu.ts` after the orders). */
export function runToEnd(file: string, args: readonly string[]): number | null {
  const path = fileURLToPath(new URL(file, import.meta.url));
  return spawnSync(process.execPath, [...EXEC_ARGV, path, ...args], { stdio: 'inherit' }).status;
}
