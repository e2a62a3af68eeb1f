import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, copyFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempFolder } from './support/backup-helpers.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../../..');
const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];

/** Where operators read commands: every guide, every README, and the shop's own messages (start-up, errors). */
function documentSources(): string[] {
  const out = [
    'README.md',
    'examples/shop/README.md',
    'examples/demo/README.md',
    'examples/minimal/README.md',
    'examples/starter/README.md',
  ];
  for (const f of readdirSync(join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' })) if (f.endsWith('.md')) out.push(join('docs', f));
  for (const f of readdirSync(join(ROOT, 'examples/shop/locales'), { recursive: true, encoding: 'utf8' }))
    if (f.endsWith('.json')) out.push(join('examples/shop/locales', f));
  for (const f of readdirSync(join(ROOT, 'examples/shop/src'), { recursive: true, encoding: 'utf8' }))
    if (f.endsWith('.ts')) out.push(join('examples/shop/src', f));
  return out.filter((f) => existsSync(join(ROOT, f)));
}

/** Every `npm …` command a document names (inside backticks or a code block), as written. */
export function documentedCommands(): Array<{ source: string; command: string }> {
  const found: Array<{ source: string; command: string }> = [];
  for (const source of documentSources()) {
    let text = readFileSync(join(ROOT, source), 'utf8');
    // In code, what an operator sees is in strings (messages), not in comments for developers.
    if (source.endsWith('.ts'))
      text = text
        .split('\n')
        .filter((line) => !/^\s*(\*|\/\*|\/\/)/.test(line))
        .join('\n');
    for (const m of text.matchAll(/\bnpm (?:run [\w:-]+|start|test)\b[^`\n#'"(,]*/g))
      found.push({ source, command: m[0].replace(/[\s.,;)]+$/, '') });
  }
  return found;
}

/** Scripts run by their own tests or the suite itself, checked here only to exist at the root. */
const COVERED_ELSEWHERE: Record<string, string> = {
  start: 'the browser tests start the shop this way',
  test: 'the whole suite',
  demo: 'examples/shop/test/demo-core.test.ts and the demo tests',
  minimal: 'examples/minimal’s own test',
  starter: 'examples/starter/test/main.test.ts and readme-walk.test.ts (and its packed test runs the same files, compiled)',
  import: 'examples/shop/test/import-old-bot.test.ts runs the import command against a MariaDB it starts',
  'starter:simulate': 'this file, as written, below (the starter’s simulated world on its own)',
};

/** The scripts this file runs as written, one invocation per documented form. */
const OPERATOR_SCRIPTS = new Set(['backup', 'secrets', 'worker']);

/** What a root script starts with to install the dependencies first (a fresh clone has none): always, or when needed. */
const INSTALLS_FIRST = [/^npx --yes pnpm@[\d.]+ install --frozen-lockfile --prefer-offline && /, /^node scripts\/install-first\.mjs && /];

function scriptOf(command: string): string {
  return /^npm (?:run ([\w:-]+)|(start|test))/.exec(command)?.slice(1).find(Boolean) as string;
}

/** The tracked (and new, unignored) files of this tree copied into a fresh folder, sharing the installed packages. */
async function freshCopy(): Promise<string> {
  const dir = tempFolder('fresh-copy');
  const { stdout } = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    maxBuffer: 64 << 20,
  });
  for (const file of stdout.split('\0').filter(Boolean)) {
    if (!existsSync(join(ROOT, file))) continue;
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(dir, file));
  }
  for (const parent of ['.', 'packages', 'examples', 'tests']) {
    const places = parent === '.' ? ['.'] : readdirSync(join(ROOT, parent)).map((d) => join(parent, d));
    for (const place of places)
      if (existsSync(join(ROOT, place, 'node_modules')) && existsSync(join(dir, place)))
        symlinkSync(join(ROOT, place, 'node_modules'), join(dir, place, 'node_modules'));
  }
  return dir;
}

/** Runs a documented command as written (by a shell, like an operator), in `cwd` with `env`. */
async function shell(command: string, cwd: string, env: Record<string, string>): Promise<string> {
  try {
    const { stdout } = await run('bash', ['-c', command], { cwd, env: { ...process.env, ...env }, timeout: 120_000 });
    return stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`\`${command}\` failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

describe('the documented commands', () => {
  it('name only scripts the repository root has (npm runs the root package.json; the root is a pnpm workspace)', () => {
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const commands = documentedCommands();
    expect(commands.length).toBeGreaterThan(10);
    for (const { source, command } of commands) {
      const script = scriptOf(command);
      expect(scripts[script], `${source}: \`${command}\``).toBeDefined();
      // npm's -w looks for npm workspaces, which a pnpm workspace has none of ("No workspaces found").
      expect(command, `${source}: \`${command}\``).not.toMatch(/\s(-w|--workspace)\b/);
      expect(
        OPERATOR_SCRIPTS.has(script) || script in COVERED_ELSEWHERE,
        `${source}: \`${command}\` is a documented command no test runs: run it in this file`,
      ).toBe(true);
    }
  });
});

describe('the documented commands on a fresh clone (no node_modules yet)', () => {
  it('install the dependencies first, as npm start does', () => {
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const documented = new Set(documentedCommands().map(({ command }) => scriptOf(command)));
    const without = [...documented].filter((script) => !INSTALLS_FIRST.some((first) => first.test(scripts[script] ?? '')));
    expect(without).toEqual([]);
  });

  it('start the starter’s simulated world on its own and print its settings (npm run starter:simulate)', async () => {
    const command = documentedCommands().find((c) => c.command === 'npm run starter:simulate')?.command;
    expect(command, 'examples/starter/README.md names `npm run starter:simulate`').toBeDefined();
    const world = spawn('bash', ['-c', command as string], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    world.stderr.on('data', (chunk) => (output += String(chunk)));
    const settings = await new Promise<Record<string, string> | null>((done) => {
      const timer = setTimeout(() => done(null), 60_000);
      world.stdout.on('data', (chunk) => {
        output += String(chunk);
        const line = /^\{.*\}$/m.exec(output)?.[0];
        if (line !== undefined) {
          clearTimeout(timer);
          done(JSON.parse(line) as Record<string, string>);
        }
      });
      world.once('exit', () => done(null));
    });
    if (world.pid !== undefined && world.exitCode === null) process.kill(-world.pid, 'SIGTERM');
    expect(settings, output).not.toBeNull();
    expect(Object.keys(settings ?? {})).toEqual(expect.arrayContaining(['XUI_URL', 'YOOKASSA_URL', 'STRIPE_URL']));
  }, 120_000);
});

describe.skipIf(DATABASE_URL === undefined)(
  `the documented operator commands, run as written on a fresh copy against PostgreSQL${DATABASE_URL === undefined ? ' (skipped: PANELKIT_TEST_DATABASE_URL is not set)' : ''}`,
  () => {
    const schema = `doc_cmd_${randomBytes(4).toString('hex')}`;
    const restored = `${schema}_r`;
    const targets: string[] = [];
    const pool = new pg.Pool({ connectionString: DATABASE_URL });
    let copy: string;
    beforeAll(async () => {
      copy = await freshCopy();
    }, 120_000);
    afterAll(async () => {
      for (const s of [schema, `${schema}_shop`, ...targets]) await pool.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
      await pool.end();
    });

    it('makes keys, backs up, checks and rotates secrets, restores, and runs a worker', async () => {
      const operator = documentedCommands().filter(({ command }) => OPERATOR_SCRIPTS.has(scriptOf(command)));
      const forms = new Set(operator.map(({ command }) => command));
      const seen = new Set<string>();
      const asWritten = (command: string) => {
        expect(forms.has(command), `no document says \`${command}\``).toBe(true);
        seen.add(command);
        return command;
      };
      const dataDir = tempFolder('doc-cmd-data');
      const backups = tempFolder('doc-cmd-backups');
      const newKey = async (command: string) => (await shell(asWritten(command), copy, {})).trim().split('\n').at(-1) as string;

      const k1 = await newKey('npm run secrets -- new-key k1');
      expect(k1).toMatch(/^k1:[A-Za-z0-9+/=]{44}$/);
      const env = {
        DATABASE_URL: DATABASE_URL as string,
        DATABASE_SCHEMA: schema,
        SHOP_SECRET: randomBytes(24).toString('base64url'),
        SHOP_SECRET_KEYS: k1,
        DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
      };
      // The documented placeholders, filled in as an operator would.
      const exported = await shell(asWritten('npm run backup -- export [folder]').replace('[folder]', backups), copy, env);
      expect(exported).toMatch(/wrote .*panelkit-backup-.*\.ndjson\.gz/);
      const file = join(backups, readdirSync(backups).find((f) => f.endsWith('.ndjson.gz')) as string);
      expect(await shell(asWritten('npm run secrets -- check'), copy, env)).toContain('"currentKey":"k1"');

      // The demo admin's login, printed from the data folder (test/json-log.test.ts prints a demo's): this shop on
      // PostgreSQL keeps none, and says so.
      await expect(shell(asWritten('npm run secrets -- demo-admin'), copy, env)).rejects.toThrow(/no demo admin is kept in/);

      const k2 = await newKey('npm run secrets -- new-key k2');
      const rotatedEnv = { ...env, SHOP_SECRET_KEYS: `${k2},${k1}` };
      expect(await shell(asWritten('npm run secrets -- rotate'), copy, rotatedEnv)).toContain('"currentKey":"k2"');

      // Restoring onto PostgreSQL as backups.md says: the same SHOP_SECRET and the keys the backup names. Every
      // documented form of the restore runs, each into a fresh schema.
      const restores = [...forms].filter((f) => f.startsWith('npm run backup -- restore '));
      expect(restores.length).toBeGreaterThan(0);
      for (const [i, form] of restores.entries()) {
        const target = i === 0 ? restored : `${restored}${i}`;
        targets.push(target, `${target}_shop`);
        const command = asWritten(form).replace(/panelkit-backup-….ndjson.gz|<file>/, file);
        expect(await shell(command, copy, { ...rotatedEnv, DATABASE_SCHEMA: target })).toContain('restored');
      }
      expect(forms.has('npm run backup -- export|restore <file>')).toBe(true);
      seen.add('npm run backup -- export|restore <file>');

      // A worker replica: it starts, says so, and stops on SIGTERM.
      const worker = spawn('bash', ['-c', asWritten('npm run worker')], {
        cwd: copy,
        env: { ...process.env, ...env, DATABASE_SCHEMA: restored, SHOP_SECRET_KEYS: `${k2},${k1}` },
        detached: true,
      });
      let output = '';
      worker.stdout.on('data', (chunk) => (output += String(chunk)));
      worker.stderr.on('data', (chunk) => (output += String(chunk)));
      const started = await new Promise<boolean>((resolveStarted) => {
        const timer = setTimeout(() => resolveStarted(false), 60_000);
        worker.stdout.on('data', () => {
          if (output.includes('worker started')) {
            clearTimeout(timer);
            resolveStarted(true);
          }
        });
        worker.once('exit', () => resolveStarted(false));
      });
      if (worker.pid !== undefined && worker.exitCode === null) process.kill(-worker.pid, 'SIGTERM');
      expect(started, output).toBe(true);

      // Every documented form of these commands ran (a new one fails here until it is run above).
      expect([...forms].filter((f) => !seen.has(f))).toEqual([]);
    }, 300_000);
  },
);
