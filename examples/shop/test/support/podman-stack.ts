import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** The repository's root and the compose file it ships (the test runs this one, never a copy). */
export const ROOT = join(import.meta.dirname, '../../../..');
export const COMPOSE = join(ROOT, 'deploy/compose.yaml');
/** podman-compose 1.0 ignores `stop_grace_period`: every stop is given the compose file's 30 s by hand. */
export const GRACE_SECONDS = '30';

const run = promisify(execFile);

/** Runs a command in the repository's root; its stdout. */
export async function sh(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 600_000): Promise<string> {
  const { stdout } = await run(cmd, args, { cwd: ROOT, env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** Tries `attempt` until it gives something other than `false` (errors count as not yet), up to `timeoutMs`. */
export async function until<T>(attempt: () => Promise<T | false>, timeoutMs: number, what = 'a condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const got = await attempt();
      if (got !== false) return got;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last === null ? '' : `: ${String(last)}`}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** One compose project of the shipped compose file: its own containers, network and volumes. */
export interface Stack {
  project: string;
  /** The settings podman-compose reads (from the shell: it does not read `.env` for bare names). */
  env: NodeJS.ProcessEnv;
  url: string;
}

/** A new project on a free loopback port, with the images and settings given (one web replica). */
export async function newStack(name: string, settings: Record<string, string>): Promise<Stack> {
  const port = await freePort();
  const env = {
    ...process.env,
    ...settings,
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    WEB_REPLICAS: '1',
    SHOP_PORTS: String(port),
  };
  return { project: `pkdeploy${name}${randomBytes(3).toString('hex')}`, env, url: `http://127.0.0.1:${port}` };
}

/** `podman-compose` on the shipped file for this project. */
export const compose = (stack: Stack, ...args: string[]) => sh('podman-compose', ['-p', stack.project, '-f', COMPOSE, ...args], stack.env);
/** The container podman-compose names for the service's first replica. */
export const container = (stack: Stack, service: string) => `${stack.project}_${service}_1`;

/**
 * Starts the stack as the README says for podman-compose 1.0 (which ignores `depends_on` conditions): PostgreSQL
 * until it answers, the one-shot `migrate` until it exited 0, then the shop's processes.
 */
export async function up(stack: Stack, services: string[] = ['web', 'worker']): Promise<void> {
  await compose(stack, 'up', '-d', 'postgres');
  await until(
    () => sh('podman', ['exec', container(stack, 'postgres'), 'pg_isready', '-U', 'shop', '-d', 'shop', '-h', '127.0.0.1']),
    120_000,
    'PostgreSQL',
  );
  if (services.length === 0) return;
  await compose(stack, 'up', '-d', 'migrate');
  const migrated = (await sh('podman', ['wait', container(stack, 'migrate')], process.env, 300_000)).trim();
  if (migrated !== '0') throw new Error(`migrate exited ${migrated}: ${await sh('podman', ['logs', container(stack, 'migrate')])}`);
  const starts = await workerStarts(stack);
  await compose(stack, 'up', '-d', ...services);
  if (services.includes('web')) await healthy(stack);
  if (services.includes('worker')) await workerStarted(stack, starts);
}

/** Until `/healthz` answers 200 through the published port. */
export async function healthy(stack: Stack): Promise<void> {
  await until(async () => (await fetch(`${stack.url}/healthz`)).ok || false, 240_000, `${stack.url}/healthz`);
}

/** How many times the worker container logged its start (0 when it does not exist yet). */
export async function workerStarts(stack: Stack): Promise<number> {
  const logs = await sh('podman', ['logs', container(stack, 'worker')]).catch(() => '');
  return logs.split('"msg":"worker started"').length - 1;
}

/** Until the worker logged one start more than `before` (its SIGTERM handler is in place from then). */
export async function workerStarted(stack: Stack, before: number): Promise<void> {
  await until(async () => (await workerStarts(stack)) > before, 240_000, 'the worker to start');
}

/** Removes the project's containers, network and volumes. */
export async function remove(stack: Stack): Promise<void> {
  await compose(stack, 'down', '-t', '1').catch(() => undefined);
  const volumes = (await sh('podman', ['volume', 'ls', '-q', '--filter', `label=io.podman.compose.project=${stack.project}`])).trim();
  const named = ['pgdata', 'shop-data', 'backups'].map((v) => `${stack.project}_${v}`);
  await sh('podman', ['volume', 'rm', '-f', ...new Set([...named, ...volumes.split('\n').filter(Boolean)])]).catch(() => undefined);
  await sh('podman', ['network', 'rm', '-f', `${stack.project}_default`]).catch(() => undefined);
}

/** One of the image's commands (e.g. `backup /backups`) run inside a service's running container. */
export async function imageCommand(stack: Stack, service: string, ...args: string[]): Promise<string> {
  const image = stack.env['SHOP_IMAGE'] as string;
  const entrypoint = JSON.parse(await sh('podman', ['image', 'inspect', '--format', '{{json .Config.Entrypoint}}', image])) as string[];
  return sh('podman', ['exec', container(stack, service), ...entrypoint, ...args]);
}
