import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfFrom } from './support/shop-under-test.js';

/**
 * The shipped deployment on Debian's podman (scripts/ensure-podman.sh installs it): the image built from this
 * tree (deploy/Dockerfile, on local stand-ins for the official base images since no registry is reachable) and
 * the shipped deploy/compose.yaml, run by podman-compose. Skips, saying why, where podman cannot run.
 */
const ROOT = join(import.meta.dirname, '../../..');
const COMPOSE = join(ROOT, 'deploy/compose.yaml');
const run = promisify(execFile);

async function sh(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 600_000): Promise<string> {
  const { stdout } = await run(cmd, args, { cwd: ROOT, env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

async function whyNot(): Promise<string | null> {
  // Opt-in until it passes reliably: it has not yet passed whole with the image builds (issue 49's note).
  if (process.env['PANELKIT_TEST_PODMAN'] !== '1') return 'set PANELKIT_TEST_PODMAN=1 (after scripts/ensure-podman.sh) to run it';
  if (process.getuid?.() !== 0) return 'needs root';
  for (const tool of ['podman', 'podman-compose'])
    if ((await sh('sh', ['-c', `command -v ${tool} || true`])).trim() === '') return `${tool} is not installed (scripts/ensure-podman.sh)`;
  if (existsSync(join(ROOT, 'deploy/.env'))) return 'deploy/.env exists (podman-compose would read it instead of the test settings)';
  return null;
}
const skipReason = await whyNot();
if (skipReason !== null) console.log(`deploy-podman.test.ts skipped: ${skipReason}`);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** One compose project (its own containers, network and volumes) of the shipped compose file. */
interface Stack {
  project: string;
  env: NodeJS.ProcessEnv;
  url: string;
}

async function newStack(name: string, images: Record<string, string>, secrets: Record<string, string>): Promise<Stack> {
  const port = await freePort();
  const env = {
    ...process.env,
    ...images,
    ...secrets,
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    WEB_REPLICAS: '1',
    SHOP_PORTS: String(port),
    STAFF_TOTP: 'optional',
  };
  return { project: `pkdeploy${name}${randomBytes(3).toString('hex')}`, env, url: `http://127.0.0.1:${port}` };
}

const compose = (stack: Stack, ...args: string[]) => sh('podman-compose', ['-p', stack.project, '-f', COMPOSE, ...args], stack.env);
const container = (stack: Stack, service: string) => `${stack.project}_${service}_1`;

/** podman-compose 1.0 starts services without waiting for health: PostgreSQL first, then the shop. */
async function up(stack: Stack, services = ['migrate', 'web', 'worker']): Promise<void> {
  await compose(stack, 'up', '-d', 'postgres');
  await until(async () => {
    await sh('podman', ['exec', container(stack, 'postgres'), 'pg_isready', '-U', 'shop', '-d', 'shop', '-h', '127.0.0.1']);
    return true;
  }, 120_000);
  if (services.length === 0) return; // `up` without services would start them all
  await compose(stack, 'up', '-d', ...services);
  if (services.includes('web')) await healthy(stack);
}

async function until<T>(attempt: () => Promise<T | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const got = await attempt();
      if (got !== false) return got;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function healthy(stack: Stack): Promise<void> {
  await until(async () => (await fetch(`${stack.url}/healthz`)).ok || false, 240_000);
}

async function down(stack: Stack): Promise<void> {
  await compose(stack, 'down').catch(() => undefined);
  const volumes = (await sh('podman', ['volume', 'ls', '-q', '--filter', `label=io.podman.compose.project=${stack.project}`])).trim();
  const named = ['pgdata', 'shop-data', 'backups'].map((v) => `${stack.project}_${v}`);
  await sh('podman', ['volume', 'rm', '-f', ...new Set([...named, ...volumes.split('\n').filter(Boolean)])]).catch(() => undefined);
  await sh('podman', ['network', 'rm', '-f', `${stack.project}_default`]).catch(() => undefined);
}

async function signUp(url: string, email: string, password: string): Promise<void> {
  const agent = supertest.agent(url);
  const page = await agent.get('/signin').expect(200);
  await agent
    .post('/signup')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email, password })
    .expect(303);
}

/** Whether the buyer's password opens a session (303 to their account; a refusal re-renders the form). */
async function signsIn(url: string, email: string, password: string): Promise<boolean> {
  const agent = supertest.agent(url);
  const page = await agent.get('/signin').expect(200);
  const res = await agent
    .post('/signin')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email, password });
  return res.status === 303;
}

describe.skipIf(skipReason !== null)('the shipped compose file on podman', () => {
  const images: Record<string, string> = {};
  const secrets = {
    POSTGRES_PASSWORD: randomBytes(12).toString('hex'),
    SHOP_SECRET: randomBytes(32).toString('base64url'),
    SHOP_SECRET_KEYS: `k1:${randomBytes(32).toString('base64')}`,
  };
  const stacks: Stack[] = [];
  const buyer = { email: `buyer-${randomBytes(3).toString('hex')}@example.com`, password: 'correct horse battery' };

  beforeAll(async () => {
    // Images built by an earlier run may be named to save the build (PANELKIT_TEST_SHOP_IMAGE and _POSTGRES_IMAGE).
    const given = { SHOP_IMAGE: process.env['PANELKIT_TEST_SHOP_IMAGE'], POSTGRES_IMAGE: process.env['PANELKIT_TEST_POSTGRES_IMAGE'] };
    if (given.SHOP_IMAGE !== undefined && given.POSTGRES_IMAGE !== undefined) {
      Object.assign(images, given);
      return;
    }
    for (const line of (await sh('bash', ['scripts/podman-base-images.sh'])).split('\n')) {
      const [name, value] = line.split('=');
      if (name !== undefined && value !== undefined) images[name] = value;
    }
    images['SHOP_IMAGE'] = `localhost/panelkit-shop:test-${(await sh('git', ['rev-parse', '--short', 'HEAD'])).trim()}`;
    await sh(
      'bash',
      ['scripts/build-shop-image.sh', images['SHOP_IMAGE'], '--build-arg', `NODE_IMAGE=${images['NODE_IMAGE']}`],
      process.env,
      900_000,
    );
  }, 1_200_000);

  afterAll(async () => {
    for (const stack of stacks) await down(stack);
  }, 300_000);

  it('serves, keeps a buyer across a restart, stops the worker on SIGTERM, and restores a backup into a fresh stack', async () => {
    const a = await newStack('a', images, secrets);
    stacks.push(a);
    await up(a);
    await signUp(a.url, buyer.email, buyer.password);

    // A restart of the whole stack keeps the buyer (PostgreSQL's named volume).
    await compose(a, 'stop');
    await up(a);
    expect(await signsIn(a.url, buyer.email, buyer.password)).toBe(true);

    // SIGTERM: the worker hands its jobs back and exits 0 well within the compose file's 30 s grace.
    await sh('podman', ['kill', '--signal', 'TERM', container(a, 'worker')]);
    const code = (await sh('podman', ['wait', container(a, 'worker')], process.env, 60_000)).trim();
    expect(code).toBe('0');
    expect(await sh('podman', ['logs', container(a, 'worker')])).toMatch(/"msg":"worker started"/);

    // A backup made by the image's `backup` command, restored by its `restore` command into a fresh stack.
    const made = await sh('podman', ['exec', container(a, 'web'), 'node', '--import', 'tsx', '/app/src/cli.ts', 'backup', '/backups']);
    const file = /wrote (\S+):/.exec(made)?.[1];
    expect(file).toMatch(/^\/backups\/panelkit-backup-.*\.ndjson\.gz$/);
    const local = join(await sh('mktemp', ['-d']).then((d) => d.trim()), 'backup.ndjson.gz');
    await sh('podman', ['cp', `${container(a, 'web')}:${file}`, local]);
    await sh('chmod', ['644', local]); // read by the image's unprivileged user

    const b = await newStack('b', images, secrets);
    stacks.push(b);
    await up(b, []);
    const restoreEnv = ['DATABASE_URL', 'SHOP_SECRET', 'SHOP_SECRET_KEYS', 'LOG_FORMAT'].flatMap((name) => [
      '-e',
      name === 'DATABASE_URL'
        ? `DATABASE_URL=postgres://shop:${secrets.POSTGRES_PASSWORD}@postgres:5432/shop`
        : name === 'LOG_FORMAT'
          ? 'LOG_FORMAT=json'
          : `${name}=${secrets[name as keyof typeof secrets]}`,
    ]);
    const mount = ['-v', `${local}:/tmp/backup.ndjson.gz:ro`];
    const restored = await sh('podman', [
      'run',
      '--rm',
      '--network',
      `${b.project}_default`,
      ...restoreEnv,
      ...mount,
      images['SHOP_IMAGE'] as string,
      'restore',
      '/tmp/backup.ndjson.gz',
    ]);
    expect(restored).toMatch(/restored \d+ rows/);
    await compose(b, 'up', '-d', 'migrate', 'web', 'worker');
    await healthy(b);
    expect(await signsIn(b.url, buyer.email, buyer.password)).toBe(true);
    expect(await signsIn(b.url, buyer.email, 'wrong horse battery')).toBe(false);
  }, 1_800_000);
});
