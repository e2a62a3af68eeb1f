import type { ChildProcess } from 'node:child_process';

/**
 * The port a forked server says it listens on, in its one `{ port }` IPC message (over IPC, so that nothing it prints
 * can be taken for it); rejects when `child` (named `what` in the error) exits first.
 */
export function listeningPort(child: ChildProcess, what: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const onMessage = (message: unknown) => {
      const port = (message as { port?: unknown }).port;
      if (typeof port !== 'number') return;
      child.off('message', onMessage);
      resolve(port);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code}`)));
  });
}
