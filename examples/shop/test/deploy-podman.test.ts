import { SHOP_SCHEMA_VERSION } from '../src/db/migrations.js';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { createXuiSimulator, serveOnLocalhost, type XuiSimulator } from '@panelkit/panel-adapters/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { holdNetworkChanges, type Release } from '../../../scripts/test-support/network-gate.js';
import { addPanel, addPlan, browser, buy, credit, linkFeed, orderOf, signIn, signUp, type WebSession } from './support/deployed-shop.js';
import { documentedBlock, filledIn } from './support/deploy-readme.js';
import {
  GRACE_SECONDS,
  ROOT,
  container,
  containers,
  envOf,
  freePort,
  newStack,
  operator,
  remove,
  setEnv,
  settled,
  sh,
  until,
  workerStarted,
  workerStarts,
  type Stack,
} from './support/podman-stack.js';

/**
 * The deployment as the shop's README documents it, on Debian's podman 4.3 and podman-compose 1.0 (the only compose
 * tool the README names; scripts/ensure-podman.sh installs them; `npm test` runs this where the machine allows).
 * The README's commands are taken from its "Deploy" section (the blocks marked `<!-- deploy:… -->`) and run by
 * bash in a folder of their own, as written but for the placeholders (paths, image tags, e-mail, address); what
 * cannot run here is left out and named: `git clone` (the clone is this tree) and `pnpm install` (it is installed).
 * The shipped deploy/compose.yaml runs as shipped: both web replicas, `up -d` of the whole stack, Caddy absent
 * until compose.caddy.yaml is copied in. An owner sets the shop up against a simulated 3x-ui panel on this
 * machine, a buyer buys through the web; the stack is upgraded from an earlier image, has its worker stopped
 * mid-burst, and is moved by backup and restore into a fresh stack behind Caddy. No documented command prints a
 * secret. No image registry is needed: the base images are local stand-ins (scripts/podman-base-images.sh).
 */

/** The release the upgrade starts from: no release is tagged yet, so a commit whose shop schema is older (it lacks
 * shop migration 15, telegram_unreachable_chats) and whose image is built by its own deploy files. */
const PREVIOUS = '5fba4a0';
/** The image tags the README writes, and what they stand for here. */
const README_IMAGE = 'localhost/panelkit-shop:0.2.0';
const README_NEXT_IMAGE = 'localhost/panelkit-shop:0.3.0';
/** The release this tree is (the packages' version, which the image build script labels and tags it with). */
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'packages', 'sdk', 'package.json'), 'utf8')) as { version: string }).version;

async function whyNot(): Promise<string | null> {
  if (process.env['PANELKIT_TEST_PODMAN'] === '0') return 'PANELKIT_TEST_PODMAN=0';
  if (process.getuid?.() !== 0) return 'needs root (rootful podman with runc and cgroupfs)';
  for (const tool of ['podman', 'podman-compose', 'runc', 'caddy'])
    if ((await sh('sh', ['-c', `command -v ${tool} || true`])).trim() === '') return `${tool} is not installed (scripts/ensure-podman.sh)`;
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
  caddy: string;
  current: string;
  previous: string;
  /** The `podman build` command scripts/build-shop-image.sh ran for `current`, as it printed it. */
  buildCommand: string;
}

/** A documented block's lines with the placeholders every stack shares filled in: the clone is this tree. */
function commands(block: string, stack: Stack, more: Array<[string | RegExp, string]> = []): string[] {
  return documentedBlock(block).map((line) =>
    filledIn(line, [['/opt/panelkit', ROOT], ['/opt/shop', stack.dir], [/\bshop_(pgdata|backups)\b/g, `${stack.project}_$1`], ...more]),
  );
}

/**
 * The README's upgrade of a stack, from the layout it runs (`upgrade-stop`: web-1 and web-2; `upgrade-stop-web`: one
 * `web` service) to this tree's files and image. Without Caddy, as the README's own-proxy case, unless `caddy`.
 */
function upgradeCommands(stack: Stack, from: 'upgrade-stop' | 'upgrade-stop-web', caddy = false): string[] {
  const next = commands('upgrade', stack, [[README_NEXT_IMAGE, `localhost/panelkit-shop:${VERSION}`]]);
  return [...commands(from, stack), ...next.filter((line) => caddy || !line.includes('compose.caddy.yaml'))];
}

/** The stand-in images, then the shop's images: the previous release's by its own scripts, this tree's as the README's step 3. */
async function buildImages(builder: Stack): Promise<Images> {
  const base: Record<string, string> = {};
  for (const line of (await sh('bash', ['scripts/podman-base-images.sh'], process.env, 900_000)).split('\n')) {
    const [name, value] = line.split('=');
    if (name !== undefined && value !== undefined) base[name] = value;
  }
  const node = base['NODE_IMAGE'] as string;
  const images = {
    node,
    postgres: base['POSTGRES_IMAGE'] as string,
    caddy: base['CADDY_IMAGE'] as string,
    // This tree's image under its release's tag, as the README's build makes it (the README writes the coming release).
    current: `localhost/panelkit-shop:${VERSION}`,
    previous: `localhost/panelkit-shop:${PREVIOUS}`,
    buildCommand: '',
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
  // The README's build, on the stand-in for the official Node.js image (no registry here).
  for (const line of commands('image', builder, [[README_IMAGE, images.current]])) {
    if (/\bpnpm@[\d.]+ install\b/.test(line)) continue; // this tree is installed (npm test runs in it)
    const script = line.startsWith('bash scripts/build-shop-image.sh');
    const output = await operator(builder, script ? `${line} --build-arg NODE_IMAGE=${node}` : line, ROOT, 1_200_000);
    if (script) images.buildCommand = /^build command: (.+)$/m.exec(output)?.[1] ?? '';
  }
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
    async (req) => {
      const write = req.method === 'POST' && new URL(req.url).pathname.endsWith('/addClient');
      if (write) writes.arrived++;
      if (write && writes.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, writes.delayMs));
      const response = await sim.handle(req);
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
async function shopSchemaVersion(stack: Stack): Promise<number> {
  const sql = 'SELECT max(version) FROM panelkit_shop.shop_migrations';
  // The container has PGPASSWORD from .env.
  const out = await sh('podman', [
    'exec',
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
  ]);
  return Number(out.trim());
}

/** The provisioning jobs of a subscription as the owner's admin page lists them: state and attempts made. */
async function provisioningJobs(owner: WebSession, subscriptionId: string): Promise<{ state: string; attempts: number }[]> {
  const res = await owner.get(`/admin/subscriptions/${subscriptionId}`);
  const rows = [
    ...res.text.matchAll(/data-job-type="([^"]+)" data-job-state="([^"]+)">[\s\S]*?<\/td>\s*<td>[\s\S]*?<\/td>\s*<td>(\d+) \//g),
  ];
  return rows.filter((m) => (m[1] as string).includes('provision')).map((m) => ({ state: m[2] as string, attempts: Number(m[3]) }));
}

/** A GET through Caddy on the host's port, for the site PUBLIC_URL names (its Host). */
function throughCaddy(port: number, host: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject);
    req.end();
  });
}

/** The settings of a stack that are this machine's, not the README's: local images, free ports, TOTP optional. */
async function localSettings(stack: Stack, images: Images): Promise<Record<string, string>> {
  return {
    POSTGRES_IMAGE: images.postgres,
    CADDY_IMAGE: images.caddy,
    WEB_1_PORT: new URL(stack.urls[0]).port,
    WEB_2_PORT: new URL(stack.urls[1]).port,
    CADDY_HTTP_PORT: String(await freePort()),
    CADDY_HTTPS_PORT: String(await freePort()),
    STAFF_TOTP: 'optional',
  };
}

describe.skipIf(skipReason !== null)('the deployment as the README documents it, on podman-compose', () => {
  let images: Images;
  let panel: Awaited<ReturnType<typeof startPanel>>;
  const stacks: Stack[] = [];
  let a: Stack;
  let admin: { email: string; password: string };
  const buyer = { email: 'buyer@example.com', password: 'correct horse battery' };
  let owner: WebSession;
  let buyerSession: WebSession;
  let planId: string;
  let firstOrder: { id: string; link: string };
  // The browser tests wait while this file starts and stops containers (scripts/test-support/network-gate.ts).
  let releaseNetwork: Release = () => {};

  beforeAll(async () => {
    releaseNetwork = await holdNetworkChanges();
    const started = Date.now();
    a = await newStack('a');
    stacks.push(a);
    images = await buildImages(a);
    console.log(`deploy-podman: images ready in ${Math.round((Date.now() - started) / 1000)} s`);
    panel = await startPanel();
  }, 2_400_000);

  afterAll(async () => {
    try {
      for (const stack of stacks) await remove(stack);
      await panel?.close();
      // This tree's image is built again by the next run (the previous release's is kept: its commit fixes it).
      if (images !== undefined) await sh('podman', ['rmi', '--force', images.current]).catch(() => undefined);
    } finally {
      releaseNetwork();
    }
  }, 300_000);

  // A failed step shows what the shop's processes said (the stacks are removed afterwards).
  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    for (const stack of stacks)
      for (const service of ['migrate', 'worker', 'web-1', 'web-2']) {
        const logs = await sh('podman', ['logs', '--tail', '40', container(stack, service)]).catch((error: unknown) => String(error));
        console.log(`--- ${container(stack, service)}, its last lines:\n${logs}`);
      }
  });

  it('builds with the README’s `podman build` command and keeps the HEALTHCHECK; tags and labels it as a release', async () => {
    const revision = (await sh('git', ['rev-parse', '--short', 'HEAD'])).trim();
    expect(documentedBlock('image').join('\n')).toContain(`bash scripts/build-shop-image.sh ${README_IMAGE}`);
    expect(README_IMAGE).toMatch(/^localhost\/panelkit-shop:\d+\.\d+\.\d+$/);
    // The README's build from source, with this tree's tag, version and commit, is what the script ran, given the
    // `prebuilt` target, the stand-in base image and its assembled folder in place of `.`.
    const fromSource = documentedBlock('image-from-source').find((line) => line.startsWith('podman build ')) as string;
    expect(fromSource).toMatch(/ \.$/);
    const documented = filledIn(fromSource.replace(/ \.$/, ''), [
      [README_IMAGE, images.current],
      ['VERSION=0.2.0', `VERSION=${VERSION}`],
      ['$(git rev-parse --short HEAD)', revision],
    ]);
    expect(images.buildCommand.startsWith(`${documented} --target prebuilt --build-arg NODE_IMAGE=${images.node} `)).toBe(true);
    const inspected = JSON.parse(await sh('podman', ['image', 'inspect', images.current])) as Array<{
      RepoTags: string[];
      Labels: Record<string, string>;
      Healthcheck?: { Test?: string[] };
    }>;
    // `--format docker` kept the Dockerfile's HEALTHCHECK (podman's default OCI format drops it).
    expect(inspected[0]?.Healthcheck?.Test?.[0]).toBe('CMD');
    expect(inspected[0]?.Healthcheck?.Test?.join(' ')).toContain('/healthz');
    expect(inspected[0]?.RepoTags).toContain(`localhost/panelkit-shop:${VERSION}`);
    expect(inspected[0]?.Labels).toMatchObject({
      'org.opencontainers.image.version': VERSION,
      'org.opencontainers.image.revision': revision,
      'org.opencontainers.image.source': 'https://github.com/panelkit/panelkit',
    });
  });

  it('upgrades a shop of the oldest layout (one `web` service, set up by its own README) by the README’s upgrade alone', async () => {
    // The first releases' files, as their README had them copied: PREVIOUS is of that layout.
    const o = await newStack('o');
    stacks.push(o);
    const oldCompose = await sh('git', ['show', `${PREVIOUS}:deploy/compose.yaml`]);
    expect(oldCompose).toMatch(/^ {2}web:$/m);
    expect(oldCompose).not.toMatch(/^ {2}web-1:$/m);
    // Its Caddy published 80 and 443 on every address (podman-compose 1.0 ignores its `tls` profile): here free ports.
    const local = await localSettings(o, images);
    const [http, https] = [local['CADDY_HTTP_PORT'] as string, local['CADDY_HTTPS_PORT'] as string];
    const caddyPorts: Array<[string, string]> = [
      ['"80:80"', `"${http}:80"`],
      ['"443:443"', `"${https}:443"`],
      ['"443:443/udp"', `"${https}:443/udp"`],
    ];
    writeFileSync(join(o.dir, 'compose.yaml'), filledIn(oldCompose, caddyPorts));
    writeFileSync(join(o.dir, 'Caddyfile'), await sh('git', ['show', `${PREVIOUS}:deploy/Caddyfile`]));
    // Its step 3: `init` of its image, then SHOP_IMAGE and COMPOSE_PROFILES=tls added by hand.
    const init = await operator(
      o,
      `podman run --rm -v "$PWD:/out" --user "$(id -u)" ${images.previous} init --email owner@example.com --url ${o.urls[0]} /out/.env`,
    );
    const first = /first owner: (\S+) \/ (\S+)/.exec(init);
    const owner0 = { email: first?.[1] as string, password: first?.[2] as string };
    expect(envOf(o, 'PGPASSWORD')).toBeUndefined();
    setEnv(o, { SHOP_IMAGE: images.previous, COMPOSE_PROFILES: 'tls' });
    // This machine's images and ports; podman-compose 1.0 runs that file only with one replica on one port.
    setEnv(o, { POSTGRES_IMAGE: local['POSTGRES_IMAGE'] as string, CADDY_IMAGE: local['CADDY_IMAGE'] as string });
    setEnv(o, { WEB_REPLICAS: '1', SHOP_PORTS: local['WEB_1_PORT'] as string, STAFF_TOTP: 'optional' });
    setEnv(o, { CADDY_HTTP_PORT: http, CADDY_HTTPS_PORT: https }); // for the new compose.caddy.yaml
    // Its step 4, podman's way: the settings loaded into the shell.
    await operator(o, 'set -a; . ./.env; set +a; podman-compose up -d');
    await until(async () => (await fetch(`${o.urls[0]}/healthz`)).ok || false, 300_000, 'the old shop to answer');
    expect(await containers(o)).toContain(container(o, 'web'));
    expect(await signIn(browser(o.urls[0]), owner0.email, owner0.password)).toBe(true);
    await signUp(browser(o.urls[0]), buyer.email, buyer.password);

    // The README's upgrade, its words alone, but for this machine's second port (the README: SHOP_PORTS becomes
    // WEB_1_PORT and WEB_2_PORT). Caddy is kept: that owner had it (COMPOSE_PROFILES=tls).
    setEnv(o, { WEB_1_PORT: local['WEB_1_PORT'] as string, WEB_2_PORT: local['WEB_2_PORT'] as string });
    const upgradeStarts = o.transcript.length;
    for (const line of upgradeCommands(o, 'upgrade-stop-web', true)) {
      const output = await operator(o, line);
      // The backup came first, with the old file (podman-compose 1.0 prints its exit code; `run` exits 0 itself).
      if (line.includes(' backup ')) expect(/wrote \/backups\/(\S+):/.exec(output)?.[1]).toMatch(/^panelkit-backup-.*\.ndjson\.gz$/);
    }
    await settled(o);
    const names = await containers(o);
    expect(names).not.toContain(container(o, 'web'));
    for (const service of ['web-1', 'web-2', 'worker'])
      expect((await sh('podman', ['inspect', '--format', '{{.ImageName}}', container(o, service)])).trim()).toBe(images.current);
    expect(names).toContain(container(o, 'caddy'));
    expect(await shopSchemaVersion(o)).toBe(SHOP_SCHEMA_VERSION);
    expect(envOf(o, 'PGPASSWORD')).toBe(envOf(o, 'POSTGRES_PASSWORD'));
    expect(await signIn(browser(o.urls[1]), owner0.email, owner0.password)).toBe(true);
    expect(await signIn(browser(o.urls[0]), buyer.email, buyer.password)).toBe(true);

    // Without PGPASSWORD (the old .env as it was), the new file's shop names the setting, not the driver's error.
    const password = envOf(o, 'PGPASSWORD') as string;
    setEnv(o, { PGPASSWORD: null });
    // (podman-compose 1.0 prints the exit code of `run` and exits 0 itself.)
    const refused = await operator(o, 'podman-compose run -T --rm --no-deps web-1 migrate').catch((error: unknown) => String(error));
    expect(refused).toContain('exit code: 1');
    expect(refused).toMatch(/cannot start: .*PGPASSWORD/);
    expect(refused).not.toContain('SCRAM');
    expect(refused).not.toMatch(/\n\s+at /);
    setEnv(o, { PGPASSWORD: password });

    // The upgrade's commands printed none of the old file's secrets (that file's own commands did, every time).
    const printed = o.transcript.slice(upgradeStarts);
    const keys = (envOf(o, 'SHOP_SECRET_KEYS') as string).split(',').map((k) => k.slice(k.indexOf(':') + 1));
    for (const secret of [password, envOf(o, 'SHOP_SECRET') as string, owner0.password, ...keys]) {
      expect(secret.length).toBeGreaterThan(15);
      expect(printed.filter((text) => text.includes(secret))).toEqual([]);
    }
    await remove(o);
  }, 1_500_000);

  it('installs with packages Debian has, and sets up the files and settings as the README says', async () => {
    // Step 1 is not run (this machine has them: scripts/ensure-podman.sh); its packages must exist in Debian.
    const packages = documentedBlock('server')
      .flatMap((line) => /apt-get install -y (.+)$/.exec(line)?.[1]?.split(/\s+/) ?? [])
      .filter(Boolean);
    expect(packages).toEqual(expect.arrayContaining(['podman', 'podman-compose']));
    for (const name of packages)
      expect((await sh('apt-cache', ['show', '--no-all-versions', name])).toString()).toContain(`Package: ${name}`);

    // Step 2, without Caddy: stack a is the owner's own proxy case.
    for (const line of commands('files', a)) {
      if (line.startsWith('git clone ')) continue; // the clone is this tree
      if (line.includes('compose.caddy.yaml')) continue; // the README's "leave out behind your own proxy"
      await operator(a, line, a.dir);
    }
    expect(existsSync(join(a.dir, 'compose.yaml'))).toBe(true);

    // Step 4, with this tree's image; the stack starts on the previous release's image (its init predates --image).
    const init = await operator(
      a,
      commands('settings', a, [
        [README_IMAGE, images.current],
        ['you@example.com', 'owner@example.com'],
        ['https://shop.example.com', a.urls[0]],
      ]).join('\n'),
    );
    const first = /first owner: (\S+) \/ (\S+)/.exec(init);
    admin = { email: first?.[1] as string, password: first?.[2] as string };
    expect(admin.email).toBe('owner@example.com');
    expect(envOf(a, 'SHOP_IMAGE')).toBe(images.current);
    setEnv(a, { ...(await localSettings(a, images)), SHOP_IMAGE: images.previous });

    // A required setting left out stops podman-compose, naming it, before any container exists.
    setEnv(a, { SHOP_IMAGE: null });
    await expect(operator(a, 'podman-compose up -d')).rejects.toThrow(/set SHOP_IMAGE in \.env/);
    expect(await containers(a)).toEqual([]);
    setEnv(a, { SHOP_IMAGE: images.previous });
  }, 300_000);

  it('starts both web replicas and the worker with `up -d`, without Caddy, and an owner and a buyer use the shop', async () => {
    for (const line of commands('start', a)) await operator(a, line);
    await settled(a);
    const names = await containers(a);
    expect(names).toEqual(expect.arrayContaining(['web-1', 'web-2', 'worker', 'postgres', 'migrate'].map((s) => container(a, s))));
    expect(names.some((name) => name.includes('caddy'))).toBe(false);

    owner = browser(a.urls[0]);
    expect(await signIn(owner, admin.email, admin.password)).toBe(true);
    await addPanel(owner, { name: 'Helsinki', baseUrl: panel.baseUrl, ...panel.login, locationTags: 'fi' });
    planId = await addPlan(owner, 'Helsinki · 1 month', 'fi');

    const clientsBefore = panelClients(panel.sim).length;
    // The buyer on the other replica: both serve the same shop.
    buyerSession = browser(a.urls[1]);
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
    const feed = await linkFeed(a.urls[0], firstOrder.link);
    expect(feed.status).toBe(200);
    expect(feed.links.length).toBeGreaterThan(0);
  }, 900_000);

  it('upgrades to the current image as the README says, with the data kept and the new shop migration applied', async () => {
    expect(await shopSchemaVersion(a)).toBe(14);
    for (const line of upgradeCommands(a, 'upgrade-stop')) await operator(a, line);
    await settled(a); // new containers: the worker's log starts afresh
    expect(await shopSchemaVersion(a)).toBe(SHOP_SCHEMA_VERSION);
    for (const service of ['web-1', 'web-2', 'worker'])
      expect((await sh('podman', ['inspect', '--format', '{{.ImageName}}', container(a, service)])).trim()).toBe(images.current);
    expect(await signIn(browser(a.urls[1]), buyer.email, buyer.password)).toBe(true);
    expect((await orderOf(buyerSession, firstOrder.id)).status).toBe('completed');
    expect((await linkFeed(a.urls[1], firstOrder.link)).links.length).toBeGreaterThan(0);
  }, 900_000);

  it('stops the worker with SIGTERM mid-burst and loses no job: each subscription is provisioned exactly once', async () => {
    await credit(owner, buyer.email, '200');
    const clientsBefore = panelClients(panel.sim).length;
    const writesBefore = panel.writes.arrived;
    // A slow write: the worker's write is in flight when the signal comes, and lands after the worker gave up on it
    // (the case an idempotent job must survive: done on the panel, never answered).
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
    await operator(a, 'podman-compose start worker');
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

  it('moves to a new server behind Caddy by the README: backup, restore, and the buyer and their link work there', async () => {
    // Move step 1 on the old server: the shop stops (each process on SIGTERM, within the grace), then a backup.
    await operator(a, `podman-compose stop -t ${GRACE_SECONDS} web-1 web-2 worker`);
    for (const service of ['web-1', 'web-2', 'worker'])
      expect((await sh('podman', ['inspect', '--format', '{{.State.ExitCode}}', container(a, service)])).trim()).toBe('0');
    const [makeBackup, exportVolume, ...rest] = commands('backup', a);
    expect(rest).toEqual([]);
    const made = await operator(a, makeBackup as string);
    const file = /wrote \/backups\/(\S+):/.exec(made)?.[1] as string;
    expect(file).toMatch(/^panelkit-backup-.*\.ndjson\.gz$/);
    await operator(a, exportVolume as string);

    // The new server: the files with Caddy, the old .env, the one file taken out of the export.
    const b = await newStack('b');
    stacks.push(b);
    for (const line of commands('files', b)) if (!line.startsWith('git clone ')) await operator(b, line, b.dir);
    expect(existsSync(join(b.dir, 'compose.override.yaml'))).toBe(true);
    await sh('cp', [join(a.dir, '.env'), join(b.dir, '.env')]);
    const settings = await localSettings(b, images);
    setEnv(b, { ...settings, PUBLIC_URL: 'http://localhost' });
    await operator(b, `tar -xf ${join(a.dir, 'shop-backups.tar')} ${file}`);

    const restored = await operator(b, commands('restore', b, [['panelkit-backup-….ndjson.gz', file]]).join('\n'));
    expect(restored).toMatch(/restored \d+ rows/);
    await settled(b);
    expect(await containers(b)).toContain(container(b, 'caddy'));

    const session = browser(b.urls[0]);
    expect(await signIn(session, buyer.email, buyer.password)).toBe(true);
    expect(await signIn(browser(b.urls[1]), buyer.email, 'wrong horse battery')).toBe(false);
    expect((await orderOf(session, firstOrder.id)).status).toBe('completed');
    const feed = await linkFeed(b.urls[1], firstOrder.link);
    expect(feed.status).toBe(200);
    expect(feed.links.length).toBeGreaterThan(0);
    // Caddy answers for PUBLIC_URL's site and reaches the replicas.
    const caddyPort = Number(settings['CADDY_HTTP_PORT']);
    await until(async () => (await throughCaddy(caddyPort, 'localhost', '/healthz')) === 200 || false, 120_000, 'Caddy to proxy /healthz');
  }, 900_000);

  it('printed no secret in any documented command', () => {
    const printed = stacks.flatMap((stack) => stack.transcript);
    expect(printed.length).toBeGreaterThan(10);
    const secrets = ['SHOP_SECRET', 'POSTGRES_PASSWORD', 'PGPASSWORD'].map((name) => envOf(a, name) as string);
    const keys = (envOf(a, 'SHOP_SECRET_KEYS') as string).split(',').map((k) => k.slice(k.indexOf(':') + 1));
    for (const secret of [...secrets, ...keys]) {
      expect(secret.length).toBeGreaterThan(15);
      expect(printed.filter((text) => text.includes(secret))).toEqual([]);
    }
    // The owner's first password is printed once, by `init`, and nowhere else.
    expect(printed.filter((text) => text.includes(admin.password)).map((text) => text.split('\n')[0])).toEqual([
      expect.stringContaining(' init '),
    ]);
  });
});
