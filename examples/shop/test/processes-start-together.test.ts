/**
 * Processes that start together (issue 61), as `deploy/compose.yaml` starts them: two web processes (`main.ts`) and
 * a worker (`worker.ts`), each its own OS process, at the same moment on one PostgreSQL, all with the same PANELS_FILE
 * and ADMIN_EMAIL. Each panel of the file is stored once and the owner made once, every process starts and serves, and
 * so does a process started afterwards; the same when the file's panel was stored before. The owner's password
 * changed in between stays changed for that later start (issue 55).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pino from 'pino';
import supertest from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { bundledEntry } from '../../../scripts/test-support/bundled-entry.js';
import { changePassword } from '../src/app/auth/credentials.js';
import { loadConfig } from '../src/config/config.js';
import { openShop, type RunningShop } from '../src/stack/shop.js';
import { tempFolder } from './support/backup-helpers.js';
import { csrfFrom, TEST_SECRET_KEYS } from './support/shop-under-test.js';
import { dropShopSchemas } from './support/web-replicas.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];
const SHOP_DIR = resolve(import.meta.dirname, '..');
const OWNER = { email: 'owner@example.com', password: 'owner-password-from-env-1' };
const PANEL_NAME = 'Frankfurt 1';
/** How long a shop process may take to print its address. */
const START_DEADLINE_MS = 90_000;

/** A shop entry point, and what it prints once it is up (the web: its address in the start banner). */
interface Entry {
  file: string;
  ready: RegExp;
}
const WEB: Entry = { file: 'src/main.ts', ready: / is running at (http:\/\/127\.0\.0\.1:\d+)/ };
const WORKER: Entry = { file: 'src/worker.ts', ready: /worker started/ };
/** The processes `deploy/compose.yaml` starts together: `web-1`, `web-2` and `worker`. */
const COMPOSE: readonly Entry[] = [WEB, WEB, WORKER];

/** A started shop process: where it serves (`null`: a worker), and everything it printed. */
interface ShopProcess {
  url: string | null;
  child: ChildProcess;
  output: () => string;
}

/** Starts an entry (bundled once) in its own OS process; resolves once it is up, fails with its output if it exits. */
async function startShopProcess(which: Entry, env: Record<string, string>): Promise<ShopProcess> {
  const entry = await bundledEntry(resolve(SHOP_DIR, which.file));
  const child = spawn(process.execPath, [entry], { cwd: SHOP_DIR, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise<string | null>((done, fail) => {
    // A process that never says where it serves fails the test with what it printed, instead of leaving it waiting.
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`a shop process (${which.file}) was not up within ${START_DEADLINE_MS} ms:\n${output}`));
    }, START_DEADLINE_MS);
    const read = (chunk: Buffer) => {
      output += String(chunk);
      const found = which.ready.exec(output);
      if (found === null) return;
      clearTimeout(deadline);
      done(found[1] ?? null);
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(deadline);
      fail(new Error(`a shop process exited (${code}) while starting:\n${output}`));
    });
  });
  return { url, child, output: () => output };
}

async function stopShopProcess({ child }: ShopProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  await exited;
}

/** The status of a password sign-in on the shop at `url` (303: signed in, 401: refused). */
async function signInStatus(url: string, password: string): Promise<number> {
  const agent = supertest.agent(url);
  const page = await agent.get('/signin').expect(200);
  const res = await agent
    .post('/signin')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email: OWNER.email, password });
  return res.status;
}

describe.skipIf(DATABASE_URL === undefined)(
  `shop processes starting together on PostgreSQL${DATABASE_URL === undefined ? ' (skipped: PANELKIT_TEST_DATABASE_URL is not set)' : ''}`,
  () => {
    const started: ShopProcess[] = [];
    const opened: RunningShop[] = [];
    const schemas: string[] = [];
    afterAll(async () => {
      await Promise.all(started.map(stopShopProcess));
      for (const shop of opened) await shop.close();
      for (const schema of schemas) await dropShopSchemas(DATABASE_URL as string, schema);
    });

    /** What `.env` gives every process of one deployment (its own schema), with the panels file written beside it. */
    function deployment(locationTags: string[]) {
      const schema = `together_${randomBytes(4).toString('hex')}`;
      schemas.push(schema);
      const dir = tempFolder('start-together');
      const panelsFile = join(dir, 'panels.json');
      writeFileSync(
        panelsFile,
        JSON.stringify([
          {
            kind: '3x-ui',
            name: PANEL_NAME,
            // Never reached: adding a panel does not call it, and the worker's calls to it fail quietly.
            baseUrl: 'https://fra1.example.com:2053/Xk3vR9pQ2mW7/',
            credentials: { type: 'password', username: 'admin', password: 'panel-password-1' },
            locationTags,
          },
        ]),
      );
      const shared = {
        DATABASE_URL: DATABASE_URL as string,
        DATABASE_SCHEMA: schema,
        SHOP_SECRET: 'together-secret-together-secret-together',
        SHOP_SECRET_KEYS: TEST_SECRET_KEYS,
        DATA_DIR: dir,
        DEMO_PANEL: 'off',
        STAFF_TOTP: 'optional',
        LOG_LEVEL: 'warn',
        // The start banner, with the address each process serves on (a JSON log prints it only on a terminal).
        LOG_FORMAT: 'pretty',
      };
      return {
        /** A web process as compose runs it (no worker of its own), on a free port; the worker's the same settings. */
        process: {
          ...shared,
          PANELS_FILE: panelsFile,
          ADMIN_EMAIL: OWNER.email,
          ADMIN_PASSWORD: OWNER.password,
          RUN_WORKER: 'off',
          HOST: '127.0.0.1',
          PORT: '0',
        },
        /** The test's own view of the same database, which applies no file and makes no owner. */
        reader: async () => {
          const shop = await openShop(loadConfig(shared), { logger: pino({ level: 'silent' }) });
          opened.push(shop);
          return shop;
        },
      };
    }

    /** Starts `entries` at the same moment; every one must come up. */
    async function startTogether(env: Record<string, string>, entries: readonly Entry[]): Promise<ShopProcess[]> {
      // The worker logs its start at info; the web prints its banner whatever the level.
      const settled = await Promise.allSettled(entries.map((e) => startShopProcess(e, e === WORKER ? { ...env, LOG_LEVEL: 'info' } : env)));
      const ok = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      started.push(...ok);
      const failed = settled.flatMap((s) => (s.status === 'rejected' ? [String(s.reason)] : []));
      expect(failed).toEqual([]);
      return ok;
    }

    /** One panel by the file's name, with the file's settings; one owner; one `panel.created`. */
    async function expectStoredOnce(shop: RunningShop, locationTags: string[]): Promise<void> {
      const panels = await shop.storage.panels.list();
      expect(panels.map((p) => [p.name, p.locationTags])).toEqual([[PANEL_NAME, locationTags]]);
      const audit = await shop.storage.audit.list({ subjectType: 'panel', subjectId: panels[0]!.id }, { limit: 20 });
      expect(audit.items.filter((e) => e.action === 'panel.created')).toHaveLength(1);
      const staff = await shop.accounts.listStaff();
      expect(staff.map((a) => [a.email, a.role])).toEqual([[OWNER.email, 'admin']]);
    }

    /** Every process still running; every web one serving, with the owner signing in by `password`. */
    async function expectServing(processes: ShopProcess[], password: string): Promise<void> {
      for (const p of processes) {
        expect(p.child.exitCode).toBeNull();
        if (p.url === null) continue;
        await supertest(p.url).get('/healthz').expect(200);
        expect(await signInStatus(p.url, password)).toBe(303);
      }
    }

    it('two web processes and a worker at once store the panel and the owner once and all serve; a fourth start serves too, with the owner’s changed password', {
      timeout: 300_000,
    }, async () => {
      const d = deployment(['de']);
      const three = await startTogether(d.process, COMPOSE);
      const shop = await d.reader();
      await expectStoredOnce(shop, ['de']);
      await expectServing(three, OWNER.password);

      // The owner changes the password in the shop; the next start, with the same settings, leaves it changed.
      const owner = (await shop.accounts.getByEmail(OWNER.email))!;
      const changed = 'changed-in-the-shop-22';
      expect(await changePassword(shop, owner, { current: OWNER.password, next: changed, keepSessionToken: null })).toEqual({ ok: true });
      const [fourth] = await startTogether(d.process, [WEB]);
      await expectStoredOnce(shop, ['de']);
      await expectServing([...three, fourth!], changed);
      expect(await signInStatus(fourth!.url!, OWNER.password)).toBe(401);
    });

    it('two web processes and a worker at once with the panel already stored: it stays one panel, given the file’s settings, and all serve', {
      timeout: 300_000,
    }, async () => {
      const d = deployment(['de', 'eu']);
      const shop = await d.reader();
      await shop.kit.panels.add({
        kind: '3x-ui',
        name: PANEL_NAME,
        baseUrl: 'https://fra1.example.com:2053/Xk3vR9pQ2mW7/',
        credentials: { type: 'password', username: 'admin', password: 'panel-password-1' },
        locationTags: ['old'],
      });
      const three = await startTogether(d.process, COMPOSE);
      await expectStoredOnce(shop, ['de', 'eu']);
      await expectServing(three, OWNER.password);
      const [fourth] = await startTogether(d.process, [WEB]);
      await expectStoredOnce(shop, ['de', 'eu']);
      await expectServing([fourth!], OWNER.password);
    });
  },
);
