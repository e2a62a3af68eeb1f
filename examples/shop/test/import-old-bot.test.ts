/**
 * Importing a live Mirza bot and a live wizwiz bot: their databases on a real MariaDB (started here),
 * their clients on simulated Marzban and 3x-ui panels (created there by "the old bot" before the
 * import), the shop on a real PostgreSQL. Every balance and service arrives once, the panels hold
 * exactly the clients they held before, the links stay the same, a second run and a run after a
 * crash change nothing, and later jobs address the adopted clients.
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createPanelkit, type ImportBatch, importedSubscriptionId } from '@panelkit/sdk';
import type { ClientSpec, PanelAdapter, RemoteClient } from '@panelkit/sdk/adapter';
import type { StoragePort } from '@panelkit/sdk/storage';
import { ManualClock } from '@panelkit/sdk/testing';
import { createMarzbanAdapter, createXuiAdapter } from '@panelkit/panel-adapters';
import { createMarzbanSimulator, createXuiSimulator, type RunningSimulator, serveOnLocalhost } from '@panelkit/panel-adapters/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { readOldBot } from '../src/app/import/import-old-bot.js';
import { openOldDatabase } from '../src/app/import/mysql-rows.js';
import { panelAdapterFactory } from '../src/app/panels/panel-adapters.js';
import { openShop, type RunningShop } from '../src/stack/shop.js';
import { telegramExternalRef } from '../src/app/auth/telegram-buyers.js';
import { mariaDbMissing, type MariaDbServer, startMariaDb } from './support/mariadb-server.js';
import { ensureFirstOwner } from '../src/app/auth/accounts.js';
import { createApp } from '../src/stack/web-app.js';
import { ADMIN, signedInAdmin } from './support/shop-under-test.js';
import { insert, MIRZA_TABLES, WIZWIZ_TABLES } from './support/old-bot-schemas.js';
import { TEST_SECRET_KEYS, TEST_START } from './support/shop-under-test.js';
import { testTempFolder } from '../../../scripts/test-support/temp-root.js';
import type { TakenSchema } from '../../../packages/storage-postgres/test/support/schema-pool.js';
import { takeShopSchema } from './support/pooled-shop-schema.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];
const SKIP = DATABASE_URL === undefined || DATABASE_URL === '' ? 'PANELKIT_TEST_DATABASE_URL is not set' : mariaDbMissing();
const GiB = 1024 ** 3;
const DAY = 86_400_000;
const PASSWORD = 'old-bot-panel-password-71c2';
const XUI_BASE = '/oldbot7/';

/** A client "the old bot" created: its own username and credentials, not derived by this shop. */
function oldClient(username: string, days: number, gib: number): ClientSpec {
  return {
    identity: {
      username,
      uuid: randomUUID(),
      password: randomBytes(12).toString('hex'),
      subId: randomBytes(8).toString('hex'),
      ssKey: randomBytes(32).toString('base64'),
      generation: 0,
      adopted: true,
    },
    expiry: { type: 'at', at: new Date(TEST_START.getTime() + days * DAY) },
    trafficLimitBytes: gib * GiB,
    deviceLimit: null,
    enabled: true,
  };
}

async function allClients(adapter: PanelAdapter): Promise<RemoteClient[]> {
  const out: RemoteClient[] = [];
  let cursor: string | null = null;
  do {
    const page = await adapter.listClients({ cursor, limit: 500 }, { signal: new AbortController().signal, idempotencyKey: 'count' });
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return out;
}

/** The credential each share link carries (vmess links are base64 JSON; the others name it before the `@`). */
function credentialsIn(shareLinks: readonly string[]): string[] {
  return shareLinks.map((link) => {
    if (link.startsWith('vmess://')) return (JSON.parse(Buffer.from(link.slice(8), 'base64').toString('utf8')) as { id: string }).id;
    return decodeURIComponent(new URL(link).username);
  });
}

const call = { signal: new AbortController().signal, idempotencyKey: 'old-bot' };

describe.skipIf(SKIP !== null)(`importing Mirza and wizwiz bots${SKIP === null ? '' : ` (skipped: ${SKIP})`}`, () => {
  let taken: TakenSchema | undefined;
  const clock = new ManualClock(TEST_START);
  let maria: MariaDbServer;
  let shop: RunningShop;
  let servers: RunningSimulator[] = [];
  const marzbanSim = createMarzbanSimulator({ clock, adminUsername: 'owner', adminPassword: PASSWORD });
  const xuiSim = createXuiSimulator({
    version: '2.8.x',
    clock,
    basePath: XUI_BASE,
    credentials: { username: 'admin', password: PASSWORD },
  });
  let marzban: PanelAdapter;
  let xui: PanelAdapter;
  let marzbanPanelId: string;
  let xuiPanelId: string;
  const links = new Map<string, { subscriptionUrl: string | null; shareLinks: readonly string[] }>();
  const shopEnv = {
    DATABASE_URL: DATABASE_URL as string,
    DATABASE_SCHEMA: '', // a schema taken from the pool, set before the tests
    SHOP_SECRET: 'import-test-secret-import-test-secret',
    SHOP_SECRET_KEYS: TEST_SECRET_KEYS,
    SHOP_CURRENCY: 'IRR',
    LOG_LEVEL: 'silent',
    STAFF_TOTP: 'optional',
  };

  beforeAll(async () => {
    taken = await takeShopSchema(DATABASE_URL as string);
    shopEnv.DATABASE_SCHEMA = taken.schema;
    maria = await startMariaDb();
    xuiSim.seedDemo();
    const [m, x] = await Promise.all([serveOnLocalhost(marzbanSim.handle), serveOnLocalhost(xuiSim.handle)]);
    servers = [m, x];
    marzban = createMarzbanAdapter({ baseUrl: m.origin, auth: { username: 'owner', password: PASSWORD }, clock });
    xui = createXuiAdapter({ baseUrl: `${x.origin}${XUI_BASE}`, auth: { username: 'admin', password: PASSWORD }, clock });

    // The old bots' clients, made on the panels before the shop existed.
    const [marzbanTarget] = await marzban.listTargets(call);
    const xuiTarget = (await xui.listTargets(call)).find((t) => t.protocol === 'vless');
    if (marzbanTarget === undefined || xuiTarget === undefined) throw new Error('the simulators offer no target');
    await marzban.createClients(
      marzbanTarget,
      [oldClient('mirza_1001_ab', 20, 30), oldClient('mirza_1002_cd', 5, 50), oldClient('Mirza_Big_3', 40, 100)],
      call,
    );
    await xui.createClients(xuiTarget, [oldClient('Ali-Phone.7', 25, 40), oldClient('wiz_2002', 10, 20)], call);
    await marzbanSim.addTraffic('mirza_1002_cd', 3 * GiB, 4 * GiB);
    await xuiSim.addTraffic('Ali-Phone.7', GiB, 2 * GiB);
    for (const [adapter, username] of [
      [marzban, 'mirza_1001_ab'],
      [marzban, 'mirza_1002_cd'],
      [marzban, 'Mirza_Big_3'],
      [xui, 'Ali-Phone.7'],
      [xui, 'wiz_2002'],
    ] as const) {
      const client = (await allClients(adapter)).find((c) => c.ref.username === username);
      if (client === undefined) throw new Error(`no ${username}`);
      links.set(username, await adapter.links(client.ref, call));
    }

    // Their databases.
    await maria.exec('CREATE DATABASE mirza CHARACTER SET utf8mb4; CREATE DATABASE wizwiz CHARACTER SET utf8mb4;');
    const user = (id: string, balance: number, username: string) => ({
      id,
      ref_code: randomBytes(16).toString('hex'),
      limit_usertest: 1,
      roll_Status: 1,
      step: 'home',
      number: 'none',
      Balance: balance,
      User_Status: 'Active',
      username,
    });
    const invoice = (id: string, userId: string, username: string, location: string, product: string, days: string, status: string) => ({
      id_invoice: id,
      id_user: userId,
      username,
      Service_location: location,
      time_sell: '1700000000',
      name_product: product,
      price_product: '150000',
      Volume: '30',
      Service_time: days,
      user_info: '',
      Status: status,
    });
    await maria.exec(
      [
        MIRZA_TABLES,
        insert('user', [user('71000001', 150_000, 'ali_tg'), user('71000002', 0, 'none'), user('71000003', 25_500, 'sara')]),
        insert('product', [
          {
            code_product: 'p1',
            name_product: '۳۰ گیگ یک ماهه',
            price_product: '150000',
            Volume_constraint: '30',
            Location: 'Germany',
            Service_time: '30',
            Category: '',
          },
          {
            code_product: 'p2',
            name_product: 'broken',
            price_product: 'free',
            Volume_constraint: '10',
            Location: 'Germany',
            Service_time: '0',
            Category: '',
          },
        ]),
        insert('marzban_panel', [
          { name_panel: 'Germany', url_panel: m.origin, username_panel: 'owner', password_panel: PASSWORD, type: 'marzban' },
          { name_panel: 'Gone', url_panel: 'https://gone.example.net:8443', username_panel: 'x', password_panel: 'y', type: 'marzban' },
        ]),
        insert('invoice', [
          invoice('inv1', '71000001', 'mirza_1001_ab', 'Germany', '۳۰ گیگ یک ماهه', '30', 'active'),
          invoice('inv2', '71000001', 'mirza_1002_cd', 'Germany', 'a product since deleted', '30', 'sendedwarn'),
          invoice('inv3', '71000003', 'Mirza_Big_3', 'Germany', '۳۰ گیگ یک ماهه', '30', 'Active'),
          invoice('inv4', '71000002', 'never_paid', 'Germany', '۳۰ گیگ یک ماهه', '30', 'unpaid'),
          invoice('inv5', '71000002', 'mirza_lost_9', 'Germany', '۳۰ گیگ یک ماهه', '30', 'active'),
          invoice('inv6', '71000003', 'mirza_gone_1', 'Gone', '۳۰ گیگ یک ماهه', '30', 'active'),
        ]),
      ].join('\n'),
      'mirza',
    );
    const order = (userid: string, remark: string, fileid: number, status: number) => ({
      userid,
      token: randomBytes(8).toString('hex'),
      transid: randomBytes(8).toString('hex'),
      fileid,
      server_id: 1,
      inbound_id: 1,
      remark,
      uuid: randomUUID(),
      protocol: 'vless',
      expire_date: Math.floor(TEST_START.getTime() / 1000) + 25 * 86_400,
      link: 'vless://old',
      amount: 90_000,
      status,
      date: '1402/12/01',
    });
    await maria.exec(
      [
        WIZWIZ_TABLES,
        insert('users', [
          { userid: '82000001', name: 'علی', username: 'ali', refcode: 'r1', wallet: 70_000, date: '1402/11/01', step: 'none' },
          { userid: '82000002', name: 'Reza', username: 'reza', refcode: 'r2', wallet: 0, date: '1402/11/02', step: 'none' },
        ]),
        insert('server_plans', [
          {
            fileid: 'f1',
            catid: 1,
            server_id: 1,
            inbound_id: 1,
            acount: 100,
            limitip: 2,
            title: 'Monthly 40GB',
            protocol: 'vless',
            days: 30,
            volume: 40,
            type: 'vless',
            price: 90_000,
            active: 1,
          },
        ]),
        insert('server_config', [
          { panel_url: `${x.origin}${XUI_BASE}`, ip: '', sni: '', type: 'sanaei', username: 'admin', password: PASSWORD },
        ]),
        insert('orders_list', [
          order('82000001', 'Ali-Phone.7', 1, 1),
          order('82000002', 'wiz_2002', 1, 1),
          order('82000002', 'wiz_old', 1, 0),
        ]),
      ].join('\n'),
      'wizwiz',
    );

    shop = await openShop(loadConfig(shopEnv), { clock, logger: pino({ level: 'silent' }) });
    const credentials = { type: 'password' as const, username: 'owner', password: PASSWORD };
    marzbanPanelId = (await shop.kit.panels.add({ kind: 'marzban', name: 'Germany', baseUrl: `${m.origin}/`, credentials })).id;
    const xuiCredentials = { type: 'password' as const, username: 'admin', password: PASSWORD };
    xuiPanelId = (await shop.kit.panels.add({ kind: '3x-ui', name: 'NL', baseUrl: `${x.origin}${XUI_BASE}`, credentials: xuiCredentials }))
      .id;
    await shop.kit.targets.sync(marzbanPanelId, { capacity: 100 });
    await shop.kit.targets.sync(xuiPanelId, { capacity: 100 });
  }, 60_000);

  afterAll(async () => {
    await shop?.close();
    for (const server of servers) await server.close();
    await maria?.stop();
    await taken?.giveBack();
  });

  async function batchOf(kind: 'mirza' | 'wizwiz', amountFactor = 10): Promise<ImportBatch> {
    const database = await openOldDatabase(maria.url(kind));
    try {
      return await readOldBot(database.read, shop.storage, { kind, currency: 'IRR', amountFactor });
    } finally {
      await database.close();
    }
  }

  async function panelCounts(): Promise<{ marzban: number; xui: number }> {
    return { marzban: (await allClients(marzban)).length, xui: (await allClients(xui)).length };
  }

  async function balanceOf(telegramId: string, storage: StoragePort = shop.storage): Promise<number | null> {
    const customer = await storage.customers.getByExternalRef(telegramExternalRef(telegramId));
    return customer === null ? null : storage.ledger.balance(customer.id, 'IRR');
  }

  it('a dry run reports what would come over and writes nothing', async () => {
    const report = await shop.kit.importShop(await batchOf('mirza'), { dryRun: true });
    expect(report.dryRun).toBe(true);
    expect(report.customers).toEqual({ created: 3, exists: 0, unmapped: 0 });
    expect(report.balances).toEqual({ created: 2, exists: 0, unmapped: 0, credited: 1_755_000 });
    expect(report.services.created).toBe(3);
    expect(await balanceOf('71000001')).toBeNull();
    expect(await shop.storage.subscriptions.get(importedSubscriptionId('mirza', 'inv1'))).toBeNull();
    expect(await shop.storage.plans.list()).toHaveLength(0);
  });

  it('a crash part-way leaves a state a second run completes, every balance and service once', async () => {
    const before = await panelCounts();
    const batch = await batchOf('mirza');
    // A kit whose storage dies at the fourth transaction (the process "crashes" there): customers and plans are
    // written, a chunk at a time, and the services' chunk is not.
    let transactions = 0;
    const dying: StoragePort = new Proxy(shop.storage, {
      get(target, key, receiver) {
        if (key === 'transaction') {
          return (fn: Parameters<StoragePort['transaction']>[0]) => {
            if (++transactions === 4) throw new Error('the process died');
            return target.transaction(fn);
          };
        }
        return Reflect.get(target, key, receiver);
      },
    });
    const crashing = createPanelkit({
      storage: dying,
      clock,
      panels: panelAdapterFactory({ clock, logger: pino({ level: 'silent' }) }),
      policy: { identity: { secret: 'import-test-secret-import-test-secret', prefix: shop.config.prefix } },
    });
    await expect(crashing.importShop(batch)).rejects.toThrow('the process died');
    const report = await shop.kit.importShop(batch);
    expect(report.customers.created + report.customers.exists).toBe(3);
    expect(report.services.created + report.services.exists).toBe(3);
    expect(await balanceOf('71000001')).toBe(1_500_000);
    expect(await balanceOf('71000002')).toBe(0);
    expect(await balanceOf('71000003')).toBe(255_000);
    const unmapped = report.rows.filter((r) => r.outcome === 'unmapped').map((r) => [r.kind, r.ref, r.reason, r.detail]);
    expect(unmapped).toEqual(
      expect.arrayContaining([
        ['plan', '2', 'skipped_by_reader', expect.stringContaining('bad_plan')],
        ['service', 'inv4', 'skipped_by_reader', 'not_live: unpaid'],
        ['service', 'inv6', 'skipped_by_reader', 'unknown_panel: Gone'],
        ['service', 'inv5', 'client_not_found', 'mirza_lost_9'],
      ]),
    );
    expect(unmapped).toHaveLength(4);
    // The panel holds the same clients: none created, none removed.
    expect(await panelCounts()).toEqual(before);
  });

  it('adopted services keep their client, expiry, traffic and links; the bot knows the buyers', async () => {
    for (const [ref, username, days, gib] of [
      ['inv1', 'mirza_1001_ab', 20, 30],
      ['inv2', 'mirza_1002_cd', 5, 50],
      ['inv3', 'Mirza_Big_3', 40, 100],
    ] as const) {
      const sub = await shop.storage.subscriptions.get(importedSubscriptionId('mirza', ref));
      expect(sub?.status).toBe('active');
      expect(sub?.panelId).toBe(marzbanPanelId);
      expect(sub?.remote.username).toBe(username);
      expect(sub?.remote.adopted).toBe(true);
      expect(sub?.expiresAt?.getTime()).toBe(TEST_START.getTime() + days * DAY);
      expect(sub?.trafficLimitBytes).toBe(gib * GiB);
      expect(await marzbanSim.countClients(username)).toBe(1);
      // Marzban signs a fresh token per read: the credential the links carry is what must not change.
      const proxy = Object.values(marzbanSim.user(username)?.proxies ?? {})[0] as { id?: string; password?: string } | undefined;
      const uuid = proxy?.id ?? proxy?.password;
      expect(uuid).toEqual(expect.any(String));
      expect(new Set(credentialsIn(sub?.shareLinks ?? []))).toEqual(new Set([uuid]));
      expect(new Set(credentialsIn(links.get(username)?.shareLinks ?? []))).toEqual(new Set([uuid]));
    }
    expect((await shop.storage.subscriptions.get(importedSubscriptionId('mirza', 'inv2')))?.usedBytes).toBe(7 * GiB);
    const plans = await shop.storage.plans.list();
    expect(plans.map((p) => [p.name, p.onSale, p.renewable]).sort()).toEqual([
      ['Imported service (mirza)', false, false],
      ['۳۰ گیگ یک ماهه', false, true],
    ]);
    const buyer = await shop.storage.customers.getByExternalRef(telegramExternalRef('71000001'));
    expect(buyer?.telegramId).toBe('71000001');
    expect(buyer?.name).toBe('ali_tg');
    const entries = await shop.storage.ledger.list(buyer?.id as string, { limit: 10 });
    expect(entries.items.map((e) => [e.kind, e.amount, e.reference])).toEqual([['adjustment', 1_500_000, 'mirza:customer:71000001']]);
  });

  it('a second run changes nothing', async () => {
    const before = await panelCounts();
    const report = await shop.kit.importShop(await batchOf('mirza'));
    expect(report.customers).toEqual({ created: 0, exists: 3, unmapped: 0 });
    expect(report.balances).toEqual({ created: 0, exists: 2, unmapped: 0, credited: 0 });
    expect(report.plans.created).toBe(0);
    expect(report.services).toEqual({ created: 0, exists: 3, unmapped: 3 });
    expect(await balanceOf('71000001')).toBe(1_500_000);
    expect(await panelCounts()).toEqual(before);
  });

  it('wizwiz, imported twice at once: 3x-ui clients with any email are adopted once, with their uuid and the same subscription link', async () => {
    const before = await panelCounts();
    // Two runs at once (two transactions racing on the server): every row comes over once between them.
    const batch = await batchOf('wizwiz');
    const reports = await Promise.all([shop.kit.importShop(batch), shop.kit.importShop(batch)]);
    const sum = (pick: (r: (typeof reports)[number]) => number) => reports.reduce((n, r) => n + pick(r), 0);
    expect(sum((r) => r.services.created)).toBe(2);
    expect(sum((r) => r.services.exists)).toBe(2);
    expect(sum((r) => r.customers.created)).toBe(2);
    expect(sum((r) => r.plans.created)).toBe(1);
    expect(sum((r) => r.balances.credited)).toBe(700_000);
    expect(await balanceOf('82000001')).toBe(700_000);
    expect((await shop.storage.targets.list({ panelId: xuiPanelId })).reduce((n, t) => n + t.allocated, 0)).toBe(2);
    for (const [ref, username] of [
      ['1', 'Ali-Phone.7'],
      ['2', 'wiz_2002'],
    ] as const) {
      const sub = await shop.storage.subscriptions.get(importedSubscriptionId('wizwiz', ref));
      expect(sub?.remote.username).toBe(username);
      expect(sub?.panelId).toBe(xuiPanelId);
      expect(sub?.subscriptionUrl).toBe(links.get(username)?.subscriptionUrl);
      expect(sub?.shareLinks).toEqual(links.get(username)?.shareLinks);
      expect(await xuiSim.countClients(username)).toBe(1);
    }
    expect((await shop.storage.subscriptions.get(importedSubscriptionId('wizwiz', '1')))?.usedBytes).toBe(3 * GiB);
    expect(await panelCounts()).toEqual(before);
  });

  it('later jobs address the adopted client: an extension changes it in place, no second client', async () => {
    const id = importedSubscriptionId('wizwiz', '1');
    const sub = await shop.storage.subscriptions.get(id);
    const uuidBefore = xuiSim.client('Ali-Phone.7')?.['id'];
    const before = await panelCounts();
    await shop.kit.topUp({
      customerId: sub?.customerId as string,
      amount: { amount: 1_000_000, currency: 'IRR' },
      idempotencyKey: 'ext-money',
    });
    clock.advance(23 * DAY); // inside the plan's extension window
    await shop.kit.extend({ subscriptionId: id, idempotencyKey: 'ext-imported' });
    await shop.kit.createWorker().drain();
    const after = await shop.storage.subscriptions.get(id);
    expect(after?.remote.username).toBe('Ali-Phone.7');
    expect(after?.expiresAt?.getTime()).toBeGreaterThan(sub?.expiresAt?.getTime() as number);
    expect(xuiSim.client('Ali-Phone.7')?.['expiryTime']).toBe(after?.expiresAt?.getTime());
    expect(xuiSim.client('Ali-Phone.7')?.['id']).toBe(uuidBefore);
    expect(await panelCounts()).toEqual(before);
  });

  it('the shop command (`npm run import`) reads the same database and, run again, changes nothing', { timeout: 60_000 }, async () => {
    const report = join(testTempFolder('import-report'), 'report.json');
    const shopDir = new URL('..', import.meta.url).pathname;
    const run = promisify(execFile);
    const args = ['--conditions=@panelkit/source', '--import', 'tsx', 'src/import-command.ts', 'wizwiz', maria.url('wizwiz')];
    const { stdout, stderr } = await run(process.execPath, [...args, '--amount-factor', '10', '--report', report], {
      cwd: shopDir,
      env: { ...process.env, ...shopEnv, DATA_DIR: testTempFolder('import-data') },
    });
    const summary = JSON.parse(stdout.slice(0, stdout.lastIndexOf('}') + 1)) as { services: unknown; balances: unknown };
    expect(summary.services).toEqual({ created: 0, exists: 2, unmapped: 1 });
    expect(summary.balances).toEqual({ created: 0, exists: 1, unmapped: 0, credited: 0 });
    expect(stdout).toContain('unmapped service 3: skipped_by_reader not_live: status 0');
    // Progress after every chunk on stderr: rows done of all, and the rate.
    expect(stderr).toMatch(/^import: 2\/5 rows \(40%\), \d+ rows\/s \[customers\]$/m);
    expect(stderr).toMatch(/^import: 5\/5 rows \(100%\), \d+ rows\/s \[done\]$/m);
    const rows = (JSON.parse(readFileSync(report, 'utf8')) as { rows: { kind: string }[] }).rows;
    expect(rows.filter((r) => r.kind === 'service')).toHaveLength(3);
    const bad = await run(process.execPath, [...args.slice(0, 4), 'nosuchbot'], {
      cwd: shopDir,
      env: { ...process.env, ...shopEnv },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining('usage: import') });
  });
  it('the owner imports on /admin/import: a job on the worker, its progress and report on the page, the password never shown', async () => {
    await ensureFirstOwner(shop, ADMIN.email, ADMIN.password);
    const app = createApp(shop);
    const owner = await signedInAdmin(app);
    const secret = 'old-bot-db-password-5be1c9';
    const url = maria.url('wizwiz').replace('mysql://root@', `mysql://root:${secret}@`);
    const balanceBefore = await balanceOf('82000001');
    const jobsBefore = (await shop.storage.jobs.list({ type: 'shop.import.old_bot' }, { limit: 10 })).items.length;
    const bad = await owner.agent
      .post('/admin/import')
      .type('form')
      .send({ _csrf: owner.csrf, kind: 'wizwiz', databaseUrl: 'https://example.com/db', amountFactor: '10' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('mysql://user:password@host:3306/database');
    await owner.agent
      .post('/admin/import')
      .type('form')
      .send({ _csrf: owner.csrf, kind: 'wizwiz', databaseUrl: url, amountFactor: '0' })
      .expect(400);
    // A form without its CSRF token is refused like every other form.
    await owner.agent.post('/admin/import').type('form').send({ kind: 'wizwiz', databaseUrl: url, amountFactor: '10' }).expect(403);
    expect((await shop.storage.jobs.list({ type: 'shop.import.old_bot' }, { limit: 10 })).items).toHaveLength(jobsBefore);

    const started = await owner.agent
      .post('/admin/import')
      .type('form')
      .send({ _csrf: owner.csrf, kind: 'wizwiz', databaseUrl: url, amountFactor: '10' })
      .expect(303);
    const location = started.headers['location'] as string;
    const id = /\/admin\/import\/(imp_[A-Za-z0-9_-]+)/.exec(location)?.[1] as string;
    expect(id).toEqual(expect.any(String));
    const queued = await owner.agent.get(`/admin/import/${id}`).expect(200);
    expect(queued.text).toContain('data-state="queued"');
    expect(queued.text).toContain('http-equiv="refresh"');

    await shop.kit.createWorker({ hostJobs: shop.hostJobs }).drain();
    const done = await owner.agent.get(`/admin/import/${id}`).expect(200);
    expect(done.text).toContain('data-state="done"');
    // 2 buyers, 1 plan, 3 orders of which 2 live services: 5 rows, every one handled.
    expect(done.text).toContain('5 of 5 rows (100%)');
    expect(done.text).toMatch(/data-kind="services">\s*<td>Services<\/td><td>0<\/td><td>2<\/td><td>1<\/td>/);
    expect(done.text).toContain('not_live: status 0');
    // The row's reason in words, its code kept as an attribute; the run's start as a sentence in the audit log.
    expect(done.text).toMatch(/data-reason="skipped_by_reader">The old bot.{1,6}s row could not be read/);
    expect((await owner.agent.get('/admin/audit').expect(200)).text).toContain('Import from an old bot started by');
    const list = await owner.agent.get('/admin/import').expect(200);
    expect(list.text).toContain(`/admin/import/${id}`);
    expect(list.text).toContain(`127.0.0.1:${new URL(url).port}/wizwiz`);
    const audit = await shop.storage.audit.list({ subjectType: 'import', subjectId: id }, { limit: 5 });
    expect(audit.items.map((e) => [e.action, e.actor.type, (e.data as { database?: string }).database])).toEqual([
      ['import.started', 'admin', `127.0.0.1:${new URL(url).port}/wizwiz`],
    ]);
    for (const text of [queued.text, done.text, list.text, JSON.stringify(audit.items)]) expect(text).not.toContain(secret);
    const stored = await shop.db.query(`SELECT database_url FROM ${shop.shopSchema}.shop_imports WHERE id = $1`, [id]);
    expect(String(stored.rows[0]?.['database_url'])).not.toContain(secret);
    // Everything was imported before: the run credited nothing again.
    expect(done.text).toContain('data-testid="import-credited">0<');
    expect(await balanceOf('82000001')).toBe(balanceBefore);
  });
});
