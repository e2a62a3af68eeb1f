/**
 * examples/starter as a developer outside this repository runs it: the published packages packed, installed from the
 * tarballs into a new folder, the example's sources compiled there with strict TypeScript, and two OS processes of it
 * started on one PostgreSQL database against one simulated world (3x-ui, YooKassa, Stripe: `simulated.ts` on its own).
 * Every gateway notification goes through a relay that delivers it twice to each process at once. Then: a YooKassa
 * and a Stripe top-up are credited once each, a plan bought from the wallet is provisioned on the panel, the Stripe
 * payment is refunded once though the refund is asked twice of each process, and the buyer's link answers Happ,
 * v2rayNG, Clash/mihomo and sing-box in their formats with their headers. Both processes stop cleanly on SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LedgerEntry, Payment } from '@panelkit/sdk';
import { createPostgresStorage, fromPgPool } from '@panelkit/storage-postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  STRANGER_TSCONFIG,
  cleanEnvironment,
  packagesBuilt,
  packedWorkspace,
  run,
} from '../../../scripts/test-support/packed-workspace.js';
import { testTempFolder } from '../../../scripts/test-support/temp-root.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const example = join(root, 'examples', 'starter');
const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];
const built = packagesBuilt(root);
const SKIP = !built ? ' (skipped: run `pnpm build` first)' : DATABASE_URL ? '' : ' (skipped: PANELKIT_TEST_DATABASE_URL is not set)';
const ADMIN_TOKEN = 'starter-test-admin-token';
const SCHEMA = `starter_${randomBytes(4).toString('hex')}`;

/** A process of the installed example, and everything it printed. */
interface Started {
  child: ChildProcess;
  output: () => string;
  /** What its ready line captured. */
  ready: string;
}

/** Starts `node dist/<file>` in the project; resolves with the first match of `ready` in its output. */
function start(project: string, file: string, env: Record<string, string>, ready: RegExp): Promise<Started> {
  const child = spawn(process.execPath, [join('dist', file)], {
    cwd: project,
    env: cleanEnvironment(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`${file} was not ready in 90 s:\n${output}`)), 90_000);
    const read = (chunk: Buffer) => {
      output += String(chunk);
      const found = ready.exec(output);
      if (found === null) return;
      clearTimeout(timer);
      done({ child, output: () => output, ready: found[1] ?? '' });
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => fail(new Error(`${file} exited (${code}) while starting:\n${output}`)));
  });
}

/** Sends SIGTERM; resolves with the exit code. */
function stop({ child }: Started): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((done) => {
    child.once('exit', (code) => done(code));
    child.kill('SIGTERM');
  });
}

async function call(url: string, init: { method?: string; body?: unknown; key?: string; headers?: Record<string, string> } = {}) {
  const res = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { 'content-type': 'application/json', ...(init.key ? { 'idempotency-key': init.key } : {}), ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}
/** A 200 answer's JSON (one of the shapes below), or an error with what the shop said. */
async function json<T>(url: string, init: Parameters<typeof call>[1] = {}): Promise<T> {
  const res = await call(url, init);
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${res.text}`);
  return JSON.parse(res.text) as T;
}
interface Account {
  balances: { amount: number; currency: string }[];
  subscriptions: { id: string; status: string; shareLinks: string[] }[];
  link: string;
}

describe.skipIf(SKIP !== '')(`examples/starter from the packed tarballs, two processes on PostgreSQL${SKIP}`, () => {
  const work = SKIP === '' ? testTempFolder('starter') : '';
  const project = join(work, 'project');
  const shops: Started[] = [];
  let world: Started | null = null;
  let relay: Server | null = null;
  /** The relay's address: the shop's public address, where the gateways notify and the buyer comes back. */
  let front = '';
  /** The simulated world's settings: the panel's and the gateways' addresses and credentials. */
  let gateways: Record<string, string> = {};
  /** What each process answered to each notification the relay delivered, by provider. */
  const delivered: Record<string, { status: number; outcome: string | undefined }[]> = { yookassa: [], stripe: [] };
  let pool: pg.Pool;

  beforeAll(async () => {
    const tarballs = await packedWorkspace(root);
    const manifest = JSON.parse(readFileSync(join(example, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    const dependencies = Object.fromEntries(
      Object.entries({ ...manifest['dependencies'], ...manifest['devDependencies'] }).map(([name, range]) =>
        name.startsWith('@panelkit/') ? [name, `file:${tarballs[name.slice('@panelkit/'.length)]}`] : [name, range],
      ),
    );
    const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    for (const name of ['typescript', '@types/node']) dependencies[name] = rootManifest['devDependencies']![name]!;
    cpSync(join(example, 'src'), join(project, 'src'), { recursive: true });
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'a-starter-shop', private: true, type: 'module', dependencies }));
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(STRANGER_TSCONFIG));
    const installed = await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
      cwd: project,
      env: cleanEnvironment(),
      timeout: 600_000,
    });
    if (installed.code !== 0) throw new Error(`npm install:\n${installed.output}`);
    const compiled = await run(process.execPath, [join('node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], {
      cwd: project,
    });
    if (compiled.code !== 0) throw new Error(`tsc:\n${compiled.output}`);

    // The address in front of both processes (PUBLIC_URL), as a load balancer is: each notification a gateway sends
    // is delivered twice to each process, all four at once; any other request goes to one process in turn.
    let turn = 0;
    relay = createServer((req, res) => {
      relayed(req, res).catch((error: unknown) => res.writeHead(502).end(String(error)));
    });
    const relayed = async (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const forward = (shop: Started) =>
        fetch(`${shop.ready}${req.url}`, {
          method: req.method ?? 'GET',
          headers: Object.entries(req.headers).filter((h): h is [string, string] => typeof h[1] === 'string' && h[0] !== 'host'),
          ...(req.method === 'POST' ? { body: Buffer.concat(chunks) } : {}),
          redirect: 'manual',
        });
      const provider = /^\/webhooks\/(\w+)$/.exec(req.url ?? '')?.[1];
      if (provider === undefined) {
        const answer = await forward(shops[turn++ % shops.length]!);
        const headers = [...answer.headers].filter(
          ([name]) => !['connection', 'keep-alive', 'transfer-encoding', 'content-length'].includes(name),
        );
        res.writeHead(answer.status, Object.fromEntries(headers)).end(Buffer.from(await answer.arrayBuffer()));
        return;
      }
      const answers = await Promise.all(
        [...shops, ...shops].map(async (shop) => {
          const answer = await forward(shop);
          const text = await answer.text();
          return { status: answer.status, outcome: answer.status === 200 ? (JSON.parse(text) as { outcome: string }).outcome : text };
        }),
      );
      delivered[provider]!.push(...answers);
      res.writeHead(200).end();
    };
    await new Promise<void>((done) => relay!.listen(0, '127.0.0.1', done));
    front = `http://127.0.0.1:${(relay.address() as AddressInfo).port}`;

    world = await start(project, 'simulated.js', { NOTIFY_URL: front }, /^(\{.*\})$/m);
    gateways = JSON.parse(world.ready) as Record<string, string>;
    const env = {
      ...gateways,
      DATABASE_URL: DATABASE_URL as string,
      DATABASE_SCHEMA: SCHEMA,
      PORT: '0',
      PUBLIC_URL: front,
      ADMIN_TOKEN,
    };
    // Both at once: they migrate the schema and store the panel and the plan together.
    shops.push(...(await Promise.all([0, 1].map(() => start(project, 'main.js', env, /starter shop is running at (http:\S+)/)))));
    pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
  }, 900_000);

  afterAll(async () => {
    relay?.close();
    await Promise.all(shops.map(stop));
    if (world !== null) await stop(world);
    await pool?.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await pool?.end();
    rmSync(work, { recursive: true, force: true });
  });

  it('sells, credits each gateway once, refunds once and serves the link to each app', async () => {
    const [a, b] = shops.map((shop) => shop.ready) as [string, string];
    const storage = createPostgresStorage({ client: fromPgPool(pool), schema: SCHEMA });
    const buyer = await json<{ id: string; link: string }>(`${a}/customers`, { body: { email: 'buyer@example.com' } });

    // A top-up at each gateway, the same click reaching both processes: one payment. The buyer pays on the gateway's page.
    const topUp = async (provider: string, amount: number, currency: string): Promise<Payment> => {
      const asked = { body: { provider, amount, currency }, key: `top-up-${provider}` };
      const [first, second] = await Promise.all([
        json<{ paymentId: string; redirectUrl: string }>(`${a}/customers/${buyer.id}/top-ups`, asked),
        json<{ paymentId: string; redirectUrl: string }>(`${b}/customers/${buyer.id}/top-ups`, asked),
      ]);
      expect(second!.paymentId).toBe(first!.paymentId);
      const paid = await fetch(first!.redirectUrl, { method: 'POST', redirect: 'manual' });
      expect(paid.headers.get('location')).toBe(`${front}/paid/${first!.paymentId}`);
      // Back from the gateway: the shop asks it again, and the payment the notifications credited is not credited twice.
      expect((await json<{ outcome: string }>(paid.headers.get('location')!)).outcome).not.toBe('credited');
      return (await storage.payments.get(first!.paymentId))!;
    };
    const yookassa = await topUp('yookassa', 50_000, 'RUB');
    const stripe = await topUp('stripe', 1_500, 'USD');
    for (const provider of ['yookassa', 'stripe']) {
      // One delivery credits, whichever process it reached first; the three others find it done.
      expect(delivered[provider]!.map((d) => d.status)).toEqual([200, 200, 200, 200]);
      expect(delivered[provider]!.map((d) => d.outcome).sort()).toEqual([
        'already_credited',
        'already_credited',
        'already_credited',
        'credited',
      ]);
    }
    expect(yookassa.status).toBe('credited');
    expect(stripe.status).toBe('credited');
    const topUps = (await storage.ledger.list(buyer.id, { limit: 100 })).items.filter((e: LedgerEntry) => e.kind === 'top_up');
    expect(topUps.map((e) => [e.amount, e.currency]).sort()).toEqual([
      [1_500, 'USD'],
      [50_000, 'RUB'],
    ]);

    // The plan, bought from the wallet (the same order asked of both processes), provisioned on the panel by a worker.
    const order = { body: { planId: 'plan_monthly' }, key: 'order-1' };
    const [ordered, again] = await Promise.all([
      json<{ orderId: string }>(`${a}/customers/${buyer.id}/orders`, order),
      json<{ orderId: string }>(`${b}/customers/${buyer.id}/orders`, order),
    ]);
    expect(again!.orderId).toBe(ordered!.orderId);
    let account = await json<Account>(`${b}/customers/${buyer.id}`);
    for (let i = 0; i < 300 && account.subscriptions[0]?.status !== 'active'; i++) {
      await new Promise((tick) => setTimeout(tick, 100));
      account = await json<Account>(`${b}/customers/${buyer.id}`);
    }
    expect(account.subscriptions).toHaveLength(1);
    const shareLink = account.subscriptions[0]?.shareLinks[0];
    expect(account.subscriptions[0]?.status).toBe('active');
    expect(shareLink).toMatch(/^vless:\/\//);
    // The client is on the panel: log in to the simulated 3x-ui as its admin would and find the link's uuid.
    const panel = (path: string) => new URL(path, gateways['XUI_URL']);
    const credentials = new URLSearchParams({ username: gateways['XUI_USERNAME']!, password: gateways['XUI_PASSWORD']! });
    const session = (await fetch(panel('login'), { method: 'POST', body: credentials })).headers.get('set-cookie')?.split(';')[0] ?? '';
    const inbounds = await (await fetch(panel('panel/api/inbounds/list'), { headers: { cookie: session } })).text();
    expect(inbounds).toContain(new URL(shareLink ?? 'vless://none@x').username);

    // The Stripe payment refunded: asked twice of each process at once, one refund at the gateway and one reversal.
    const refund = { body: {}, key: 'refund-1', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } };
    expect((await call(`${a}/refunds/${stripe.id}`, { ...refund, headers: {} })).status).toBe(401);
    const refunds = await Promise.all([a, b, a, b].map((shop) => json<{ refundId: string }>(`${shop}/refunds/${stripe.id}`, refund)));
    expect(new Set(refunds.map((r) => r.refundId)).size).toBe(1);
    let reversed = await storage.payments.get(stripe.id);
    for (let i = 0; i < 300 && reversed?.status !== 'reversed'; i++) {
      await new Promise((tick) => setTimeout(tick, 100));
      reversed = await storage.payments.get(stripe.id);
    }
    expect(reversed?.status).toBe('reversed');
    const intent = String(reversed?.details['settlementRef']);
    const atStripe = await fetch(new URL(`v1/refunds?payment_intent=${intent}`, gateways['STRIPE_URL']), {
      headers: { authorization: `Bearer ${gateways['STRIPE_SECRET_KEY']}` },
    });
    expect(((await atStripe.json()) as { data: { amount: number }[] }).data.map((r) => r.amount)).toEqual([1_500]);
    const entries = (await storage.ledger.list(buyer.id, { limit: 100 })).items;
    expect(entries.filter((e) => e.kind === 'payment_reversal').map((e) => [e.amount, e.currency])).toEqual([[-1_500, 'USD']]);
    expect(entries.filter((e) => e.kind === 'top_up')).toHaveLength(2);
    account = await json<Account>(`${a}/customers/${buyer.id}`);
    expect(account.balances).toEqual(expect.arrayContaining([{ amount: 0, currency: 'RUB' }]));

    // The link: each app its format, with the headers it reads.
    const link = (userAgent: string) => call(buyer.link, { headers: { 'user-agent': userAgent } });
    const v2rayng = await link('v2rayNG/1.10.2');
    expect(v2rayng.status).toBe(200);
    expect(Buffer.from(v2rayng.text, 'base64').toString('utf8')).toContain(shareLink);
    expect(v2rayng.headers.get('subscription-userinfo')).toMatch(/upload=\d+; download=\d+; total=53687091200; expire=\d+/);
    expect(v2rayng.headers.get('profile-title')).toBeTruthy();
    const happ = await link('Happ/3.2.1/Android');
    expect(happ.status).toBe(200);
    expect(Buffer.from(happ.text, 'base64').toString('utf8')).toContain(shareLink);
    expect(happ.headers.get('subscription-userinfo')).toMatch(/total=53687091200/);
    expect(happ.headers.get('profile-update-interval')).toMatch(/^\d+$/);
    const clash = await link('mihomo/1.19.0');
    expect(clash.headers.get('content-type')).toMatch(/yaml/);
    expect(clash.text).toMatch(/^proxies:/m);
    const singBox = await link('SFA/1.12.4 (Android 14; sing-box 1.12.4)');
    expect(singBox.headers.get('content-type')).toMatch(/json/);
    expect((JSON.parse(singBox.text) as { outbounds: { type: string }[] }).outbounds.map((o) => o.type)).toContain('vless');
    expect((await call(`${a}/s/${'x'.repeat(32)}`)).status).toBe(404);

    // SIGTERM: each process says it stopped and exits 0.
    expect(await Promise.all(shops.map(stop))).toEqual([0, 0]);
    for (const shop of shops) expect(shop.output()).toContain('starter shop stopped');
  }, 300_000);
});
