import { SHOP_SCHEMA_VERSION } from '../src/db/migrations.js';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createXuiSimulator, serveOnLocalhost, type XuiSimulator } from '@panelkit/panel-adapters/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addPanel, addPlan, browser, buy, credit, linkFeed, orderOf, signIn, signUp, type WebSession } from './support/deployed-shop.js';
import {
  GRACE_SECONDS,
  ROOT,
  compose,
  container,
  healthy,
  imageCommand,
  newStack,
  remove,
  sh,
  until,
  up,
  workerStarted,
  workerStarts,
  type Stack,
} from './support/podman-stack.js';

/**
 * The shipped deployment on Debian's podman (scripts/ensure-podman.sh installs it; `npm test` runs it where the
 * machine allows): the image built from this tree (deploy/Dockerfile, on local stand-ins for the official base
 * images since no registry is reachable) and the shipped deploy/compose.yaml, run by podman-compose. An owner
 * sets the shop up in its admin pages against a simulated 3x-ui panel on this machine, a buyer buys through the
 * web, and the stack is restarted, upgraded, has its worker stopped mid-burst, and is moved by backup and restore.
 */

/** The release the upgrade starts from: no release is tagged yet, so a commit whose shop schema is older (it lacks
 * shop migration 15, telegram_unreachable_chats) and whose image is built by its own deploy files. */
const PREVIOUS = '5fba4a0';

async function whyNot(): Promise<string | null> {
  if (process.env['PANELKIT_TEST_PODMAN'] === '0') return 'PANELKIT_TEST_PODMAN=0';
  if (process.getuid?.() !== 0) return 'needs root (rootful podman with runc and cgroupfs)';
  for (const tool of ['podman', 'podman-compose', 'runc'])
    if ((await sh('sh', ['-c', `command -v ${tool} || true`])).trim() === '') return `${tool} is not installed (scripts/ensure-podman.sh)`;
  if (existsSync(join(ROOT, 'deploy/.env'))) return 'deploy/.env exists (podman-compose would read it instead of the test settings)';
  const previous = await sh('git', ['cat-file', '-t', PREVIOUS]).catch(() => '');
  if (previous.trim() !== 'commit') return `commit ${PREVIOUS} (the upgrade's starting point) is not in this clone (shallow?)`;
  return null;
}
const skipReason = await whyNot();
if (skipReason !== null) console.log(`deploy-podman.test.ts skipped: ${skipReason}`);

/** The images the stacks run: the stand-ins for the official bases, the current shop and the previous one. */
interface Images {
  node: string;
  postgres: string;
  current: string;
  previous: string;
}

async function buildImages(): Promise<Images> {
  const base: Record<string, string> = {};
  for (const line of (await sh('bash', ['scripts/podman-base-images.sh'], process.env, 900_000)).split('\n')) {
    const [name, value] = line.split('=');
    if (name !== undefined && value !== undefined) base[name] = value;
  }
  const node = base['NODE_IMAGE'] as string;
  const revision = (await sh('git', ['rev-parse', '--short', 'HEAD'])).trim();
  const images = {
    node,
    postgres: base['POSTGRES_IMAGE'] as string,
    current: `localhost/panelkit-shop:test-${revision}`,
    previous: `localhost/panelkit-shop:${PREVIOUS}`,
  };
  // Shop images of earlier runs (another commit, or another starting release) are not needed any more.
  const tags = (await sh('podman', ['images', '--format', '{{.Repository}}:{{.Tag}}'])).split('\n');
  const stale = tags.filter((tag) => tag.startsWith('localhost/panelkit-shop:') && tag !== images.previous);
  if (stale.length > 0) await sh('podman', ['rmi', '--force', ...stale]).catch(() => undefined);
  await sh(
    'bash',
    ['scripts/build-shop-image-at.sh', PREVIOUS, images.previous, '--build-arg', `NODE_IMAGE=${node}`],
    process.env,
    1_200_000,
  );
  await sh('bash', ['scripts/build-shop-image.sh', images.current, '--build-arg', `NODE_IMAGE=${node}`], process.env, 1_200_000);
  return images;
}

/** The simulated panel the shop sells on, listening where containers reach this machine (host.containers.internal). */
async function startPanel() {
  const login = { username: 'operator', password: 'panel-secret-Zq81x' };
  const sim = createXuiSimulator({ version: '2.8.x', basePath: '/hidden-path/', credentials: login });
  sim.seedDemo();
  /**
   * Client writes that arrived and that were answered (the simulator counts a request only once answered), and how
   * long a write waits before the simulator sees it: only writes are slowed, so the worker's sign-in and reads
   * (each within the engine's call timeout) still lead it to a write that is in flight when it is stopped.
   */
  const writes = { arrived: 0, answered: 0, delayMs: 0 };
  const server = await serveOnLocalhost(
    async (request) => {
      const write = request.method === 'POST' && new URL(request.url).pathname.endsWith('/addClient');
      if (write) writes.arrived++;
      if (write && writes.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, writes.delayMs));
      const response = await sim.handle(request);
      if (write) writes.answered++;
      return response;
    },
    { host: '0.0.0.0' },
  );
  const port = new URL(server.origin).port;
  return { sim, login, writes, baseUrl: `http://host.containers.internal:${port}/hidden-path/`, close: () => server.close() };
}

/** The clients on the panel, one entry per client in an inbound (a client added twice would be two). */
function panelClients(sim: XuiSimulator): string[] {
  return [...sim.state.inbounds.values()].flatMap((inbound) => sim.state.clientsOf(inbound).map((c) => `${inbound.id}:${c.email}`));
}

/** The shop's schema version in the stack's database (the shop's migrations table). */
async function shopSchemaVersion(stack: Stack, password: string): Promise<number> {
  const sql = 'SELECT max(version) FROM panelkit_shop.shop_migrations';
  const args = [
    'exec',
    '-e',
    `PGPASSWORD=${password}`,
    container(stack, 'postgres'),
    'psql',
    '-h',
    '127.0.0.1',
    '-U',
    'shop',
    '-d',
    'shop',
    '-tAc',
    sql,
  ];
  return Number((await sh('podman', args)).trim());
}

/** The provisioning jobs of a subscription as the owner's admin page lists them: state and attempts made. */
async function provisioningJobs(owner: WebSession, subscriptionId: string): Promise<{ state: string; attempts: number }[]> {
  const res = await owner.get(`/admin/subscriptions/${subscriptionId}`);
  const rows = [
    ...res.text.matchAll(/data-job-type="([^"]+)" data-job-state="([^"]+)">[\s\S]*?<\/td>\s*<td>[\s\S]*?<\/td>\s*<td>(\d+) \//g),
  ];
  return rows.filter((m) => (m[1] as string).includes('provision')).map((m) => ({ state: m[2] as string, attempts: Number(m[3]) }));
}

describe.skipIf(skipReason !== null)('the shipped compose file on podman', () => {
  let images: Images;
  let panel: Awaited<ReturnType<typeof startPanel>>;
  const settings = {
    POSTGRES_PASSWORD: randomBytes(12).toString('hex'),
    SHOP_SECRET: randomBytes(32).toString('base64url'),
    SHOP_SECRET_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    ADMIN_EMAIL: 'owner@example.com',
    ADMIN_PASSWORD: randomBytes(12).toString('base64url'),
    STAFF_TOTP: 'optional',
  };
  const stacks: Stack[] = [];
  let a: Stack;
  const buyer = { email: `buyer-${randomBytes(3).toString('hex')}@example.com`, password: 'correct horse battery' };
  let owner: WebSession;
  let buyerSession: WebSession;
  let planId: string;
  let firstOrder: { id: string; link: string };

  beforeAll(async () => {
    const started = Date.now();
    images = await buildImages();
    console.log(`deploy-podman: images ready in ${Math.round((Date.now() - started) / 1000)} s`);
    panel = await startPanel();
  }, 2_400_000);

  afterAll(async () => {
    for (const stack of stacks) await remove(stack);
    await panel?.close();
    // This tree's image is built again by the next run (the previous release's is kept: its commit fixes it).
    if (images !== undefined) await sh('podman', ['rmi', '--force', images.current]).catch(() => undefined);
  }, 300_000);

  // A failed step shows what the shop's processes said (the stacks are removed afterwards).
  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    for (const stack of stacks)
      for (const service of ['worker', 'web']) {
        const logs = await sh('podman', ['logs', '--tail', '80', container(stack, service)]).catch((error: unknown) => String(error));
        console.log(`--- ${container(stack, service)}, its last lines:\n${logs}`);
      }
  });

  const imagesFor = (shop: string) => ({ SHOP_IMAGE: shop, POSTGRES_IMAGE: images.postgres });

  it('on the previous release: the owner adds a panel and a plan, and a buyer buys through the web', async () => {
    a = await newStack('a', { ...settings, ...imagesFor(images.previous) });
    stacks.push(a);
    await up(a);

    owner = browser(a.url);
    expect(await signIn(owner, settings.ADMIN_EMAIL, settings.ADMIN_PASSWORD)).toBe(true);
    await addPanel(owner, { name: 'Helsinki', baseUrl: panel.baseUrl, ...panel.login, locationTags: 'fi' });
    planId = await addPlan(owner, 'Helsinki · 1 month', 'fi');

    const clientsBefore = panelClients(panel.sim).length;
    buyerSession = browser(a.url);
    await signUp(buyerSession, buyer.email, buyer.password);
    await credit(owner, buyer.email, '100');
    const orderId = await buy(buyerSession, planId);
    const done = await until(
      async () => {
        const order = await orderOf(buyerSession, orderId);
        return order.status === 'completed' && order.link !== null ? order : false;
      },
      120_000,
      'the order to complete',
    );
    firstOrder = { id: orderId, link: done.link as string };
    expect(panelClients(panel.sim).length - clientsBefore).toBe(1);
    const feed = await linkFeed(a.url, firstOrder.link);
    expect(feed.status).toBe(200);
    expect(feed.links.length).toBeGreaterThan(0);
  }, 900_000);

  it('upgrades to the current image with the data kept (the new shop migration applied by `migrate`)', async () => {
    // podman-compose 1.0 starts an existing container again as it is (it never recreates one for a new image):
    // the README's podman upgrade takes the stack down (volumes kept) and up on the new SHOP_IMAGE.
    expect(await shopSchemaVersion(a, settings.POSTGRES_PASSWORD)).toBe(14);
    await compose(a, 'down', '-t', GRACE_SECONDS);
    a.env = { ...a.env, ...imagesFor(images.current) };
    await up(a);
    expect(await shopSchemaVersion(a, settings.POSTGRES_PASSWORD)).toBe(SHOP_SCHEMA_VERSION);
    expect((await sh('podman', ['inspect', '--format', '{{.ImageName}}', container(a, 'web')])).trim()).toBe(images.current);

    const order = await orderOf(buyerSession, firstOrder.id);
    expect(order.status).toBe('completed');
    expect(await signIn(browser(a.url), buyer.email, buyer.password)).toBe(true);
    expect((await linkFeed(a.url, firstOrder.link)).links.length).toBeGreaterThan(0);
  }, 900_000);

  it('restarts the whole stack and finds the order', async () => {
    await compose(a, 'stop', '-t', GRACE_SECONDS);
    // Both shop processes stopped on SIGTERM by themselves (a SIGKILL after the grace would be 137).
    for (const service of ['web', 'worker'])
      expect((await sh('podman', ['inspect', '--format', '{{.State.ExitCode}}', container(a, service)])).trim()).toBe('0');
    await up(a);
    const session = browser(a.url);
    expect(await signIn(session, buyer.email, buyer.password)).toBe(true);
    const order = await orderOf(session, firstOrder.id);
    expect(order.status).toBe('completed');
    expect(order.link).toBe(firstOrder.link);
  }, 900_000);

  it('stops the worker with SIGTERM mid-burst and loses no job: each subscription is provisioned exactly once', async () => {
    await credit(owner, buyer.email, '200');
    const clientsBefore = panelClients(panel.sim).length;
    const writesBefore = panel.writes.arrived;
    // A slow write: the worker's write is in flight when the signal comes, and lands after the worker gave up on it
    // (the case an idempotent job must survive: done on the panel, never answered). Slowing the whole panel instead
    // made the worker's sign-in and inbound read before the write pass the engine's call timeout, so no write came.
    panel.writes.delayMs = 15_000;
    const orders = [await buy(buyerSession, planId, 10), await buy(buyerSession, planId, 10)];
    await until(async () => panel.writes.arrived > writesBefore || false, 120_000, 'the burst to reach the panel');

    // What compose does to stop a service: SIGTERM, then SIGKILL after the grace.
    const starts = await workerStarts(a);
    const stopping = Date.now();
    await sh('podman', ['stop', '-t', GRACE_SECONDS, container(a, 'worker')], process.env, 120_000);
    const stoppedIn = Date.now() - stopping;
    expect((await sh('podman', ['inspect', '--format', '{{.State.ExitCode}}', container(a, 'worker')])).trim()).toBe('0');
    expect(stoppedIn).toBeLessThan(Number(GRACE_SECONDS) * 1000);
    const atStop = await Promise.all(orders.map((id) => orderOf(buyerSession, id)));
    expect(atStop.some((o) => o.status !== 'completed')).toBe(true); // the stop came mid-burst

    // The write lands with nobody waiting for it; then the worker starts again.
    await until(async () => panel.writes.answered === panel.writes.arrived || false, 60_000, 'the panel to answer');
    panel.writes.delayMs = 0;
    await compose(a, 'start', 'worker');
    await workerStarted(a, starts);
    const subscriptions = await until(
      async () => {
        const seen = await Promise.all(orders.map((id) => orderOf(buyerSession, id)));
        return seen.every((o) => o.status === 'completed') ? seen.flatMap((o) => o.subscriptions) : false;
      },
      300_000,
      'every order of the burst to complete',
    );

    expect(subscriptions).toHaveLength(20);
    const clients = panelClients(panel.sim);
    expect(clients.length - clientsBefore).toBe(20);
    expect(new Set(clients).size).toBe(clients.length);
    // Each subscription's provisioning ran to success once, the interrupted run given back without an attempt spent.
    for (const id of subscriptions) expect(await provisioningJobs(owner, id)).toEqual([{ state: 'succeeded', attempts: 1 }]);
  }, 900_000);

  it('restores a backup made in one stack into a fresh one, where the buyer and their link work', async () => {
    const made = await imageCommand(a, 'web', 'backup', '/backups');
    const file = /wrote (\S+):/.exec(made)?.[1];
    expect(file).toMatch(/^\/backups\/panelkit-backup-.*\.ndjson\.gz$/);
    const local = join((await sh('mktemp', ['-d'])).trim(), 'backup.ndjson.gz');
    await sh('podman', ['cp', `${container(a, 'web')}:${file}`, local]);
    // The move: the old shop stops before the new one serves (the same panel must not be driven by both).
    await compose(a, 'stop', '-t', GRACE_SECONDS);

    const b = await newStack('b', { ...settings, ...imagesFor(images.current) });
    stacks.push(b);
    await up(b, []);
    // As the README's restore: into the new PostgreSQL before anything else runs, by the image's `restore`.
    await sh('chmod', ['644', local]); // read by the image's unprivileged user
    const restored = await sh('podman', [
      'run',
      '--rm',
      '--network',
      `${b.project}_default`,
      '-v',
      `${local}:/tmp/moved.ndjson.gz:ro`,
      '-e',
      `DATABASE_URL=postgres://shop:${settings.POSTGRES_PASSWORD}@postgres:5432/shop`,
      '-e',
      `SHOP_SECRET=${settings.SHOP_SECRET}`,
      '-e',
      `SHOP_SECRET_KEYS=${settings.SHOP_SECRET_KEYS}`,
      images.current,
      'restore',
      '/tmp/moved.ndjson.gz',
    ]);
    expect(restored).toMatch(/restored \d+ rows/);
    await up(b);

    const session = browser(b.url);
    expect(await signIn(session, buyer.email, buyer.password)).toBe(true);
    expect(await signIn(browser(b.url), buyer.email, 'wrong horse battery')).toBe(false);
    expect((await orderOf(session, firstOrder.id)).status).toBe('completed');
    const feed = await linkFeed(b.url, firstOrder.link);
    expect(feed.status).toBe(200);
    expect(feed.links.length).toBeGreaterThan(0);
    await healthy(b);
  }, 900_000);
});
