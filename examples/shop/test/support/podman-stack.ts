import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** The repository's root: the clone the README's commands copy the shipped compose files from. */
export const ROOT = join(import.meta.dirname, '../../../..');
/** The grace every documented stop gives (podman-compose 1.0 ignores `stop_grace_period`). */
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

/** A loopback port nothing listens on now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** One shop as the README sets it up: its own folder (podman-compose names the project, volumes and containers after it). */
export interface Stack {
  /** The folder holding compose.yaml, the Caddyfile and .env: the README's /opt/shop. */
  dir: string;
  /** The folder's name, which podman-compose 1.0 makes the project's name. */
  project: string;
  /** The two web replicas' loopback addresses. */
  urls: [string, string];
  /** Everything the documented commands printed, stdout and stderr, in order. */
  transcript: string[];
}

const stacksRoot = mkdtempSync(join(tmpdir(), 'panelkit-deploy-'));

/** A new, empty folder for a stack, with two free loopback ports for its web replicas. */
export async function newStack(name: string): Promise<Stack> {
  const project = `pkdeploy${name}${randomBytes(3).toString('hex')}`;
  const dir = join(stacksRoot, project);
  mkdirSync(dir);
  const ports = [await freePort(), await freePort()];
  return { dir, project, urls: ports.map((p) => `http://127.0.0.1:${p}`) as [string, string], transcript: [] };
}

/** Sets settings in the stack's .env: a `NAME=` line (commented out or not) becomes `NAME=value`, else one is added. */
export function setEnv(stack: Stack, settings: Record<string, string | null>): void {
  const file = join(stack.dir, '.env');
  let text = readFileSync(file, 'utf8');
  for (const [name, value] of Object.entries(settings)) {
    const line = new RegExp(`^#?\\s*${name}=.*$`, 'm');
    const next = value === null ? `# ${name}=` : `${name}=${value}`;
    text = line.test(text) ? text.replace(line, next) : `${text.replace(/\n?$/, '\n')}${next}\n`;
  }
  writeFileSync(file, text);
}

/** The value of a setting in the stack's .env, or undefined. */
export function envOf(stack: Stack, name: string): string | undefined {
  return new RegExp(`^${name}=(.*)$`, 'm').exec(readFileSync(join(stack.dir, '.env'), 'utf8'))?.[1];
}

/**
 * One command as an operator types it: by bash, in `cwd` (the stack's folder), with a root shell's environment
 * only (none of the test's settings: podman-compose must find them in .env). Its output goes into the transcript.
 */
export async function operator(stack: Stack, command: string, cwd = stack.dir, timeoutMs = 900_000): Promise<string> {
  const env = { PATH: process.env['PATH'], HOME: process.env['HOME'], LANG: 'C.UTF-8' };
  try {
    const { stdout, stderr } = await run('bash', ['-eo', 'pipefail', '-c', command], { cwd, env, timeout: timeoutMs, maxBuffer: 64 << 20 });
    stack.transcript.push(`$ ${command}\n${stdout}${stderr}`);
    return `${stdout}${stderr}`;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    stack.transcript.push(`$ ${command}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
    throw new Error(`\`${command}\` failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

/** The container podman-compose 1.0 names for a service of the stack. */
export const container = (stack: Stack, service: string) => `${stack.project}_${service}_1`;

/** The stack's containers (every state), by name. */
export async function containers(stack: Stack): Promise<string[]> {
  const out = await sh('podman', ['ps', '-a', '--format', '{{.Names}}', '--filter', `label=io.podman.compose.project=${stack.project}`]);
  return out.split('\n').filter(Boolean).sort();
}

/** Until both web replicas answer `/healthz` on their ports and the worker logged its start (after `starts` earlier ones). */
export async function settled(stack: Stack, starts = 0): Promise<void> {
  for (const url of stack.urls) await until(async () => (await fetch(`${url}/healthz`)).ok || false, 300_000, `${url}/healthz`);
  await workerStarted(stack, starts);
}

/** How many times the worker container logged its start (0 when it does not exist yet). */
export async function workerStarts(stack: Stack): Promise<number> {
  const logs = await sh('podman', ['logs', container(stack, 'worker')]).catch(() => '');
  return logs.split('"msg":"worker started"').length - 1;
}

/** Until the worker logged one start more than `before` (its SIGTERM handler is in place from then). */
export async function workerStarted(stack: Stack, before: number): Promise<void> {
  await until(async () => (await workerStarts(stack)) > before, 300_000, 'the worker to start');
}

/** Removes the stack's containers, network and volumes. */
export async function remove(stack: Stack): Promise<void> {
  for (const name of await containers(stack).catch(() => [])) await sh('podman', ['rm', '-f', '-t', '1', name]).catch(() => undefined);
  const volumes = ['pgdata', 'shop-data', 'backups', 'caddy-data', 'caddy-config'].map((v) => `${stack.project}_${v}`);
  await sh('podman', ['volume', 'rm', '-f', ...volumes]).catch(() => undefined);
  await sh('podman', ['network', 'rm', '-f', `${stack.project}_default`]).catch(() => undefined);
}
