import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { bundledEntry } from '../../../../scripts/test-support/bundled-entry.js';

const SHOP_DIR = resolve(import.meta.dirname, '../..');

/** One message a replica's stand-in Telegram channel sent (reported before it counts as sent). */
export interface TelegramSend {
  replica: string;
  address: string;
  subject: string;
  text: string;
  idempotencyKey: string;
}

type ReplicaMessage =
  | ({ type: 'sent' } & TelegramSend)
  | { type: 'ready' | 'done'; replica: string }
  | { type: 'error'; replica: string; message: string };

/** A worker replica (`notify-replica.ts`) in its own OS process, answering one command at a time. */
export class NotifyReplica {
  private waiting: { resolve: () => void; reject: (e: Error) => void } | null = null;
  readonly ready: Promise<void>;

  constructor(
    readonly child: ChildProcess,
    onSent: (send: TelegramSend) => void,
  ) {
    this.ready = new Promise<void>((resolveReady, rejectReady) => {
      this.waiting = { resolve: resolveReady, reject: rejectReady };
    });
    child.on('message', (message: ReplicaMessage) => {
      if (message.type === 'sent') return onSent(message);
      const waiting = this.waiting;
      this.waiting = null;
      if (message.type === 'error') waiting?.reject(new Error(`${message.replica}: ${message.message}`));
      else waiting?.resolve();
    });
    child.on('exit', (code) => this.waiting?.reject(new Error(`replica exited with ${code}`)));
  }

  /** Sets the replica's clock to `now`, ticks its scheduler and drains its worker; resolves when it is done. */
  round(now: Date): Promise<void> {
    return new Promise<void>((resolveRound, rejectRound) => {
      this.waiting = { resolve: resolveRound, reject: rejectRound };
      this.child.send({ type: 'round', now: now.toISOString() });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.send({ type: 'stop' });
    await exited;
  }
}

/**
 * Forks one worker replica per name with `env` (on top of this process's; it must name the database and schema), its
 * manual clock at `start`, and waits until all are ready. Each Telegram send is handed to `onSent`.
 */
export async function startNotifyReplicas(
  names: readonly string[],
  env: Record<string, string>,
  start: Date,
  onSent: (send: TelegramSend) => void,
): Promise<NotifyReplica[]> {
  const entry = await bundledEntry(resolve(SHOP_DIR, 'test/support/notify-replica.ts'));
  const replicas = names.map(
    (name) =>
      new NotifyReplica(
        fork(entry, [], {
          cwd: SHOP_DIR,
          execArgv: [],
          env: { ...process.env, ...env, REPLICA_NAME: name, REPLICA_START: start.toISOString() },
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        }),
        onSent,
      ),
  );
  try {
    await Promise.all(replicas.map((r) => r.ready));
  } catch (error) {
    await Promise.all(replicas.map((r) => r.stop()));
    throw error;
  }
  return replicas;
}
