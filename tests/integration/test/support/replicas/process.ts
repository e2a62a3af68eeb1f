/**
 * Replicas as separate OS processes. Each child imports a module of commands (its own pool, storage,
 * engine and worker on one PostgreSQL server) and answers the parent's calls over IPC. Several processes
 * prove what several pools in one process cannot: nothing held in one process's memory (a mutex, an
 * event loop's ordering) can make the result right.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundledEntry } from '../../../../../scripts/test-support/bundled-entry.js';

/** What a replica module exports: `setup(config)` returns the commands the parent may call. */
export type ReplicaCommands = Record<string, (...args: never[]) => Promise<unknown>>;

/** One replica process. */
export interface ReplicaProcess {
  readonly name: string;
  readonly pid: number;
  /** Runs a command in the child; rejects with the child's error message when it throws there. */
  call<T = unknown>(command: string, ...args: unknown[]): Promise<T>;
  /** Kills the process at once (SIGKILL by default): whatever it held is left to leases and reapers. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Runs the module's `close` command, if any, and waits for the process to exit. */
  close(): Promise<void>;
}

interface Reply {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: { name: string; message: string; code?: string };
}

const REPO_ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));

/** The entry of a process running `module` (see `child.ts`), bundled once per test worker. */
function replicaEntry(module: URL): Promise<string> {
  const contents = [
    `import { serveReplica } from ${JSON.stringify(CHILD)};`,
    `import * as replica from ${JSON.stringify(fileURLToPath(module))};`,
    'serveReplica(replica);',
  ].join('\n');
  const name = `replica-${basename(fileURLToPath(module), '.ts')}`;
  return bundledEntry({ name, contents, resolveDir: REPO_ROOT });
}

/**
 * Starts `module` (a file URL of a replica module) in a new Node process with `config`, waiting until
 * its `setup` has finished. Values cross the boundary with the structured clone (Dates survive).
 */
export async function startReplica(name: string, module: URL, config: unknown): Promise<ReplicaProcess> {
  const child = fork(await replicaEntry(module), [], {
    cwd: REPO_ROOT,
    execArgv: [],
    serialization: 'advanced',
    env: { ...process.env, PANELKIT_REPLICA_NAME: name },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then((code) => {
    for (const { reject } of pending.values()) reject(new Error(`replica ${name} exited (${code ?? 'signal'}) during a call`));
    pending.clear();
  });

  return new Promise((resolve, reject) => {
    const onEarlyExit = (code: number | null) => reject(new Error(`replica ${name} exited (${code ?? 'signal'}) before it was ready`));
    child.once('exit', onEarlyExit);
    child.on('message', (message: Reply | { ready: true } | { failed: string }) => {
      if ('ready' in message) {
        child.off('exit', onEarlyExit);
        resolve(handle(name, child, pending, () => nextId++, exited));
        return;
      }
      if ('failed' in message) {
        reject(new Error(`replica ${name} could not start: ${message.failed}`));
        return;
      }
      const waiter = pending.get(message.id);
      if (waiter === undefined) return;
      pending.delete(message.id);
      if (message.ok) waiter.resolve(message.value);
      else
        waiter.reject(
          Object.assign(new Error(`[${name}] ${message.error?.message}`), { name: message.error?.name, code: message.error?.code }),
        );
    });
    child.send({ config });
  });
}

function handle(
  name: string,
  child: ChildProcess,
  pending: Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>,
  id: () => number,
  exited: Promise<number | null>,
): ReplicaProcess {
  return {
    name,
    pid: child.pid!,
    call<T>(command: string, ...args: unknown[]) {
      return new Promise<T>((resolve, reject) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          reject(new Error(`replica ${name} has exited`));
          return;
        }
        const callId = id();
        pending.set(callId, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id: callId, command, args });
      });
    },
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        await this.call('close');
      } catch {
        // No close command, or it failed: the process is ended below either way.
      }
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
