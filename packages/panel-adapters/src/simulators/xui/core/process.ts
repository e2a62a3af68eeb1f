/**
 * One running core process (v2ray or Xray) on a JSON config file in a temporary directory:
 * started, waited for until every port it should listen on accepts a connection, and stopped
 * (SIGTERM, then SIGKILL) with its exit awaited so the next start can bind the same ports. A
 * process that outlives its owner is killed when Node exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { delay } from '../../harness/delay.js';

/** How long a start may take before it counts as failed. */
const START_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 2_000;

/** A free TCP port on 127.0.0.1 (asked of the OS; free when this returns). */
export async function freeLocalPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Whether 127.0.0.1:`port` can be bound now. */
export function isLocalPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A core process started from `binary -config <file>`. */
export class CoreProcess {
  readonly #binary: string;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #dir: string | undefined;
  #output = '';
  readonly #killOnExit = () => this.#child?.kill('SIGKILL');

  constructor(binary: string) {
    this.#binary = binary;
  }

  /** The process id while it runs. */
  get pid(): number | undefined {
    return this.#child?.exitCode === null ? this.#child.pid : undefined;
  }

  /**
   * Starts the core on `config` and resolves once every one of `ports` accepts connections. Stops a
   * running one first; throws when one of `ports` is taken by another process (the wait would be fooled).
   */
  async start(config: Record<string, unknown>, ports: readonly number[]): Promise<void> {
    await this.stop();
    for (const port of ports)
      if (!(await isLocalPortFree(port))) throw new Error(`the core cannot listen on 127.0.0.1:${port}: the port is taken`);
    this.#dir ??= await mkdtemp(join(tmpdir(), 'panelkit-core-'));
    const file = join(this.#dir, 'config.json');
    await writeFile(file, JSON.stringify(config, null, 2));
    this.#output = '';
    const child = spawn(this.#binary, ['-config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    const collect = (chunk: Buffer) => {
      this.#output = (this.#output + chunk.toString('utf8')).slice(-4_000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.#exited = new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', (error) => {
        this.#output += `\n${error.message}`;
        resolve();
      });
    });
    process.once('exit', this.#killOnExit);
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (const port of ports) {
      while (!(await accepts(port))) {
        if (child.exitCode !== null || child.signalCode !== null || (child.pid === undefined && this.#output !== '')) {
          throw new Error(`the core (${this.#binary}) exited while starting:\n${this.#output.trim()}`);
        }
        if (Date.now() > deadline) {
          await this.stop();
          throw new Error(
            `the core (${this.#binary}) did not listen on 127.0.0.1:${port} within ${START_TIMEOUT_MS} ms:\n${this.#output.trim()}`,
          );
        }
        await delay(20);
      }
    }
  }

  /** Stops the process (if any) and waits for it to exit. Idempotent. */
  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    process.off('exit', this.#killOnExit);
    if (child === undefined) return;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await this.#exited;
      clearTimeout(timer);
    }
  }

  /** Stops the process and removes its config directory. */
  async dispose(): Promise<void> {
    await this.stop();
    if (this.#dir !== undefined) await rm(this.#dir, { recursive: true, force: true });
    this.#dir = undefined;
  }
}
