import type { ChildProcess } from 'node:child_process';
import type { Update } from 'grammy/types';

/** A shop replica with its bot in its own OS process, handling one update at a time. */
export class BotReplica {
  private waiting: { resolve: () => void; reject: (e: Error) => void } | null = null;
  readonly ready: Promise<void>;

  constructor(readonly child: ChildProcess) {
    this.ready = this.next();
    child.on('message', (message: { type: 'done' } | { type: 'error'; message: string }) => {
      const waiting = this.waiting;
      this.waiting = null;
      if (message.type === 'error') waiting?.reject(new Error(message.message));
      else waiting?.resolve();
    });
    child.on('exit', (code) => this.waiting?.reject(new Error(`replica exited with ${code}`)));
  }

  private next(): Promise<void> {
    return new Promise<void>((resolveNext, rejectNext) => {
      this.waiting = { resolve: resolveNext, reject: rejectNext };
    });
  }

  /** Hands the update to the replica's bot (to storefront bot `botId`'s, in a storefront bot replica). */
  handle(update: Update, botId?: string): Promise<void> {
    const done = this.next();
    this.child.send({ type: 'update', update, ...(botId === undefined ? {} : { botId }) });
    return done;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.send({ type: 'stop' });
    await exited;
  }
}
