import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLISHED_PACKAGES as PACKAGES } from '../../../scripts/published-packages.mjs';
import { packedWorkspace, run as runCommand, type RunResult } from '../../../scripts/test-support/packed-workspace.js';
import { installVitestProject } from './support/vitest-project.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../..', import.meta.url));
/** The SDK's entry points besides the root and `/testing` (which needs vitest's runner). */
const SDK_SUBPATHS = [
  '@panelkit/sdk/adapter',
  '@panelkit/sdk/payments',
  '@panelkit/sdk/gifts',
  '@panelkit/sdk/storage',
  '@panelkit/sdk/schemas',
  '@panelkit/sdk/rules',
  '@panelkit/sdk/fakes',
  '@panelkit/sdk/campaigns',
  '@panelkit/sdk/host-jobs',
  '@panelkit/sdk/links',
  '@panelkit/sdk/request-headers',
  '@panelkit/sdk/trials',
  '@panelkit/sdk/device-packs',
  '@panelkit/sdk/storefronts',
  '@panelkit/sdk/plan-builder',
  '@panelkit/sdk/kinds',
  '@panelkit/sdk/figures',
  '@panelkit/sdk/guard',
];
/** The most names `@panelkit/sdk`'s root may export, types included (the figure packages/sdk/README.md gives). */
const ROOT_NAMES_MAX = 300;
/** One name moved off the root per subpath (the full list is in .changeset/narrow-sdk-root.md). */
const MOVED_SAMPLE: Record<string, string> = {
  PlanSchema: '@panelkit/sdk/schemas',
  PanelAdapter: '@panelkit/sdk/adapter',
  withRetry: '@panelkit/sdk/adapter',
  PaymentSignal: '@panelkit/sdk/payments',
  StoragePort: '@panelkit/sdk/storage',
  parseInput: '@panelkit/sdk/storage',
  decideRenewal: '@panelkit/sdk/rules',
  DAY_MS: '@panelkit/sdk/rules',
  BuyDevicePackRequestSchema: '@panelkit/sdk/device-packs',
};
const built = PACKAGES.every((name) => existsSync(join(root, 'packages', name, 'dist', 'index.js')));

/** The files in `dir`, or none when it does not exist. */
function readdirIfAny(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** The targets of a markdown document's `[text](target)` links, code blocks and inline code left out. */
function markdownLinks(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!);
}

/**
 * The compiler settings of a strict consumer; `module` and `moduleResolution` vary per check. Every declaration file
 * is checked but TypeScript's own `lib.*.d.ts` (`skipDefaultLibCheck`, ~2 s of CPU a compile): no panelkit
 * declaration is global, so their check could only find errors of the pinned TypeScript itself, and a declaration
 * clashing with them is reported on its own side too, which is checked.
 */
const STRICT = {
  target: 'ES2022',
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  skipLibCheck: false,
  skipDefaultLibCheck: true,
  types: ['node'],
};

/**
 * The packages as a developer meets them: packed as they would be published, installed from the
 * tarballs into a project of their own, the minimal shop compiled by strict TypeScript (`nodenext`
 * and `bundler` resolution, declarations checked) and run from the compiled JavaScript. Needs the
 * packages built (`npm test` builds them first) and the npm registry for their dependencies.
 */
/** The optional peer dependencies of `@panelkit/panel-adapters` the minimal shop needs (it runs a simulator), as the minimal example pins them. */
function simulatorPeers(): Record<string, string> {
  const manifest = JSON.parse(readFileSync(join(root, 'examples', 'minimal', 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  return Object.fromEntries(['hash-wasm', 'path-to-regexp'].map((name) => [name, manifest.dependencies[name] as string]));
}

/** The shop's two strict compiles (see `strictCompiles` below) and the CommonJS entries the `nodenext` one types. */
interface StrictCompiles {
  readonly bundler: RunResult;
  /** With `--listFiles`: every file of the program, one a line. */
  readonly nodenext: RunResult;
  /** The entries with a `require` condition of their own, and the `.d.cts` each must resolve to (by package folder). */
  readonly cjsEntries: readonly { specifier: string; types: string }[];
}

// The tests run at once (`concurrent`): each reads the installed project and writes files of its own names, and the
// slow ones (the compiles, the vitest projects) are separate processes, which then share both cores.
describe.skipIf(!built).concurrent(`examples/minimal from the packed tarballs${built ? '' : ' (skipped: run `pnpm build` first)'}`, () => {
  const work = mkdtempSync(join(tmpdir(), 'panelkit-packed-'));
  const project = join(work, 'project');
  /** The tarballs, packed once for the run and shared with the other files that install them. */
  let tarballs: Record<string, string> = {};
  const tarball = (name: string) => `file:${tarballs[name]!}`;
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  beforeAll(async () => {
    mkdirSync(join(project, 'src'), { recursive: true });
    tarballs = await packedWorkspace(root);
    const dependencies = Object.fromEntries(PACKAGES.map((name) => [`@panelkit/${name}`, tarball(name)]));
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({
        name: 'a-shop',
        private: true,
        type: 'module',
        // The simulators' two libraries are optional peers of the adapters: a shop that runs a simulator installs them.
        dependencies: { ...dependencies, ...simulatorPeers(), typescript: '5.9.3', '@types/node': '20.19.43' },
      }),
    );
    copyFileSync(join(root, 'examples', 'minimal', 'src', 'main.ts'), join(project, 'src', 'main.ts'));
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: project, timeout: 300_000 });
  }, 600_000);

  /**
   * The shop compiled by strict TypeScript under `bundler` resolution, and under `nodenext` together with a CommonJS
   * file that imports every CommonJS entry: one `nodenext` program checks the declarations both share once. The two
   * compiles run side by side; the first test that needs them starts them, the other waits for the same ones.
   */
  const compileStrictly = async (): Promise<StrictCompiles> => {
    // The entries with a `require` condition of their own; `/msw` and `/stripe` need optional peers this project lacks.
    const cjsEntries = PACKAGES.flatMap((name) => {
      const manifest = JSON.parse(readFileSync(join(project, 'node_modules', '@panelkit', name, 'package.json'), 'utf8')) as {
        exports: Record<string, { require?: { types?: string } }>;
      };
      return Object.entries(manifest.exports)
        .filter(([key, target]) => target.require?.types && !['./msw', './stripe'].includes(key))
        .map(([key, target]) => ({ specifier: `@panelkit/${name}${key.slice(1)}`, types: `${name}/${target.require!.types!.slice(2)}` }));
    });
    mkdirSync(join(project, 'cjs'), { recursive: true });
    writeFileSync(
      join(project, 'cjs', 'entries.cts'),
      `${cjsEntries.map(({ specifier }, i) => `import * as e${i} from '${specifier}';`).join('\n')}\nexport const entries = [${cjsEntries.map((_, i) => `e${i}`).join(', ')}];\n`,
    );
    const tsc = (name: string, options: Record<string, unknown>, include: string[], extra: string[] = []) => {
      writeFileSync(join(project, name), JSON.stringify({ compilerOptions: { ...STRICT, ...options }, include }));
      return runCommand(process.execPath, [join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', name, ...extra], {
        cwd: project,
        timeout: 300_000,
      });
    };
    const [bundler, nodenext] = await Promise.all([
      tsc('tsconfig.bundler.json', { module: 'esnext', moduleResolution: 'bundler', noEmit: true }, ['src']),
      // `rootDir` fixed, so the shop's JavaScript is `dist/src/main.js` whatever else the program holds.
      tsc(
        'tsconfig.json',
        { module: 'nodenext', moduleResolution: 'nodenext', rootDir: '.', outDir: 'dist' },
        ['src', 'cjs'],
        ['--listFiles'],
      ),
    ]);
    return { bundler, nodenext, cjsEntries };
  };
  let compiling: Promise<StrictCompiles> | undefined;
  const strictCompiles = () => {
    compiling ??= compileStrictly();
    return compiling;
  };

  it('installs, typechecks under nodenext and bundler resolution, and sells a plan', async () => {
    // The published manifests leave the workspace's source condition out.
    const packedSdk = await run('tar', ['-xOzf', tarball('sdk').slice('file:'.length), 'package/package.json']);
    expect(packedSdk.stdout).not.toContain('@panelkit/source');
    expect(packedSdk.stdout).not.toContain('workspace:');

    const { bundler, nodenext } = await strictCompiles();
    expect(bundler.code, bundler.output).toBe(0);
    expect(nodenext.code, nodenext.output).toBe(0);

    const { stdout } = await run(process.execPath, [join('dist', 'src', 'main.js')], {
      cwd: project,
      env: { ...process.env, PANELKIT_IDENTITY_SECRET: 'packed-test-identity-secret-51d0' },
      timeout: 60_000,
    });
    expect(stdout).toMatch(/^order ord_\w+: completed$/m);
    expect(stdout).toMatch(/^subscription sub_\w+: active$/m);
    expect(stdout).toMatch(/^share link: vless:\/\//m);
  }, 600_000);

  it('loads every entry with import and with require() (CommonJS; Node 20.19+ loads the ES modules), with the same names', async () => {
    const entries = PACKAGES.flatMap((name) => {
      const manifest = JSON.parse(readFileSync(join(project, 'node_modules', '@panelkit', name, 'package.json'), 'utf8')) as {
        exports: Record<string, unknown>;
      };
      return Object.keys(manifest.exports)
        .filter((key) => key !== './package.json')
        .map((key) => `@panelkit/${name}${key.slice(1)}`);
    });
    // The SDK's conformance suites import vitest, which only loads inside its runner; `/msw` needs msw, an optional peer.
    // `/stripe` needs Stripe's library, an optional peer this project does not install.
    const unloadable = ['@panelkit/sdk/testing', '@panelkit/panel-adapters/msw', '@panelkit/payment-providers/stripe'];
    const loadable = entries.filter((entry) => !unloadable.includes(entry));
    expect(loadable).toEqual(expect.arrayContaining(SDK_SUBPATHS));
    writeFileSync(
      join(project, 'require-all.cjs'),
      `for (const entry of ${JSON.stringify(loadable)}) {\n  const exported = Object.keys(require(entry));\n  console.log(entry, exported.length);\n}\n`,
    );
    writeFileSync(
      join(project, 'import-all.mjs'),
      `for (const entry of ${JSON.stringify(loadable)}) {\n  const exported = Object.keys(await import(entry));\n  console.log(entry, exported.length);\n}\n`,
    );
    const required = await run(process.execPath, ['require-all.cjs'], { cwd: project, timeout: 60_000 });
    const imported = await run(process.execPath, ['import-all.mjs'], { cwd: project, timeout: 60_000 });
    expect(required.stderr).toBe('');
    expect(imported.stderr).toBe('');
    for (const entry of loadable) expect(required.stdout).toMatch(new RegExp(`^${entry} [1-9]\\d*$`, 'm'));
    // The same named exports either way: `require()` of these ES modules gives the module's namespace.
    expect(imported.stdout).toBe(required.stdout);
  }, 120_000);

  it('types every CommonJS entry from a CommonJS TypeScript file by its .d.cts (nodenext, declarations checked)', async () => {
    const { nodenext, cjsEntries } = await strictCompiles();
    expect(cjsEntries.length).toBeGreaterThan(PACKAGES.length - 2);
    expect(nodenext.code, nodenext.output).toBe(0);
    for (const { types } of cjsEntries) expect(nodenext.stdout).toContain(`node_modules/@panelkit/${types}`);
  }, 600_000);

  it(`keeps the SDK's root at most ${ROOT_NAMES_MAX} names (the README's figure), the moved names on their subpaths`, async () => {
    const entries = ['@panelkit/sdk', ...SDK_SUBPATHS];
    writeFileSync(join(project, 'names.mts'), entries.map((entry, i) => `import * as e${i} from '${entry}';`).join('\n'));
    writeFileSync(
      join(project, 'root-names.cjs'),
      `const ts = require('typescript');
const options = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, noEmit: true };
const program = ts.createProgram(['names.mts'], options);
const checker = program.getTypeChecker();
for (const statement of program.getSourceFile('names.mts').statements) {
  const symbol = checker.getSymbolAtLocation(statement.moduleSpecifier);
  const names = symbol ? checker.getExportsOfModule(symbol).map((s) => s.name) : [];
  console.log(statement.moduleSpecifier.text + ' ' + names.length + ' ' + names.join(','));
}
`,
    );
    const { stdout } = await run(process.execPath, ['root-names.cjs'], { cwd: project, timeout: 120_000 });
    const names = new Map(
      stdout
        .trim()
        .split('\n')
        .map((line) => {
          const [entry, , list] = line.split(' ');
          return [entry!, new Set((list ?? '').split(',').filter(Boolean))] as const;
        }),
    );
    const root = names.get('@panelkit/sdk')!;
    expect(root.size).toBeGreaterThan(100);
    expect(root.size).toBeLessThanOrEqual(ROOT_NAMES_MAX);
    for (const [name, entry] of Object.entries(MOVED_SAMPLE)) {
      expect(root.has(name), `${name} is not at the root`).toBe(false);
      expect(names.get(entry)?.has(name), `${name} is in ${entry}`).toBe(true);
    }
    expect([...root].filter((name) => /Schema$/.test(name))).toEqual([]);
    expect(root.has('createPanelkit')).toBe(true);
  }, 180_000);

  it('runs the fakes under plain node, with no vitest installed', async () => {
    expect(existsSync(join(project, 'node_modules', 'vitest'))).toBe(false);
    writeFileSync(
      join(project, 'fakes.mjs'),
      `import { FakePanelAdapter, ManualClock } from '@panelkit/sdk/fakes';
const clock = new ManualClock('2026-05-01T00:00:00Z');
const panel = new FakePanelAdapter({ clock });
const ctx = { signal: new AbortController().signal, idempotencyKey: 'k', attempt: 1 };
const [target] = await panel.listTargets(ctx);
clock.advanceDays(1);
console.log(clock.now().toISOString(), target === undefined ? 'no target' : 'a target');
`,
    );
    const { stdout } = await run(process.execPath, ['fakes.mjs'], { cwd: project, timeout: 60_000 });
    expect(stdout.trim()).toBe('2026-05-02T00:00:00.000Z a target');
  }, 120_000);

  it('names the cause of the mistakes a new user makes first', async () => {
    writeFileSync(
      join(project, 'mistakes.mjs'),
      `import { createPanelkit } from '@panelkit/sdk';
import { createMemoryStorage } from '@panelkit/storage-memory';
import { createPostgresStorage } from '@panelkit/storage-postgres';
const attempts = {
  noOptions: () => createPanelkit(),
  noStorage: () => createPanelkit({ panels: () => null, policy: {} }),
  poolAsStorage: () => createPanelkit({ storage: { query() {} }, panels: () => null, policy: {} }),
  noPolicy: () => createPanelkit({ storage: createMemoryStorage(), panels: () => null }),
  postgresWithoutClient: () => createPostgresStorage({}),
  checkoutWithQty: () =>
    createPanelkit({ storage: createMemoryStorage(), panels: () => null, policy: { identity: { secret: 'a-secret-of-enough-length' } } }).checkout({
      customerId: 'cus_1', items: [{ planId: 'pln_1', qty: 2 }], idempotencyKey: 'k',
    }),
};
for (const [name, attempt] of Object.entries(attempts)) {
  try { await attempt(); console.log(name, 'did not throw'); } catch (error) { console.log(name, error.name, error.message); }
}
`,
    );
    const { stdout } = await run(process.execPath, ['mistakes.mjs'], { cwd: project, timeout: 60_000 });
    expect(stdout).toMatch(/^noOptions ConfigurationError createPanelkit needs its options/m);
    expect(stdout).toMatch(/^noStorage ConfigurationError options\.storage is missing: pass a StoragePort/m);
    expect(stdout).toMatch(/^poolAsStorage ConfigurationError options\.storage is not a StoragePort/m);
    expect(stdout).toMatch(/^noPolicy ConfigurationError options\.policy\.identity is required/m);
    expect(stdout).toMatch(/^postgresWithoutClient ConfigurationError createPostgresStorage needs options\.client: fromPgPool/m);
    expect(stdout).toMatch(/^checkoutWithQty ValidationError .*Unrecognized key: "qty"/m);
    expect(stdout).not.toMatch(/TypeError/);
  }, 120_000);

  it('ships what its README links to: every relative link resolves to a file in the same tarball', async () => {
    const broken: string[] = [];
    for (const name of PACKAGES) {
      const packageDir = join(project, 'node_modules', '@panelkit', name);
      const documents = ['README.md', ...readdirIfAny(join(packageDir, 'guides')).map((file) => `guides/${file}`)];
      for (const document of documents) {
        for (const target of markdownLinks(readFileSync(join(packageDir, document), 'utf8'))) {
          if (/^[a-z]+:/.test(target) || target.startsWith('#')) {
            // A link to the repository must name a file that exists in it.
            const inRepository = /^https:\/\/github\.com\/panelkit\/panelkit\/(?:blob|tree)\/main\/([^#]+)/.exec(target);
            if (inRepository !== null && !existsSync(join(root, inRepository[1]!))) broken.push(`${name}/${document} → ${target}`);
            continue;
          }
          const path = target.split('#')[0]!;
          if (!existsSync(join(packageDir, dirname(document), path))) broken.push(`${name}/${document} → ${target}`);
        }
      }
      if (name !== 'storage-memory') expect(readdirIfAny(join(packageDir, 'guides')).length, `${name} ships its guides`).toBeGreaterThan(0);
    }
    expect(broken).toEqual([]);
  });

  it('runs the conformance suites on the lowest and the newest vitest the peer range allows, and refuses an older one', async () => {
    const files = {
      'conformance.test.js': `import { describeStoragePort, describePanelAdapter } from '@panelkit/sdk/testing';
import { FakePanelAdapter } from '@panelkit/sdk/fakes';
import { createMemoryStorage } from '@panelkit/storage-memory';
describeStoragePort('memory', async ({ clock }) => ({ storage: createMemoryStorage({ clock }) }));
describePanelAdapter('fake', async ({ clock }) => {
  const adapter = new FakePanelAdapter({ clock, timeoutMs: 200, retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 2000 } });
  return { adapter, target: { remoteRef: '1', protocol: 'vless', remoteMeta: {} }, controls: adapter.controls, sessionKind: 'static-token', hasSubscriptionUrl: true };
});
`,
      'no-target.test.js': `import { describePanelAdapter } from '@panelkit/sdk/testing';
import { FakePanelAdapter } from '@panelkit/sdk/fakes';
describePanelAdapter('fake without a target', async ({ clock }) => {
  const adapter = new FakePanelAdapter({ clock });
  return { adapter, controls: adapter.controls, sessionKind: 'static-token' };
});
`,
    };
    // Each vitest in a project of its own (the SDK and the memory storage from the tarballs, and that vitest), all
    // installed side by side; each project runs its files, side by side too, as soon as it is installed.
    const dependencies = { '@panelkit/sdk': tarball('sdk'), '@panelkit/storage-memory': tarball('storage-memory') };
    const on = (vitest: string, outsidePeerRange = false) =>
      installVitestProject(join(work, `vitest-${vitest}`), { vitest, dependencies, files, outsidePeerRange });
    const [onLowest, onNewest, onOlder] = [on('3.1.0'), on('4'), on('3.0.9', true)];
    const [lowest, newest, noTarget, older] = await Promise.all([
      onLowest.then((vitestRun) => vitestRun('conformance.test.js')),
      onNewest.then((vitestRun) => vitestRun('conformance.test.js')),
      onNewest.then((vitestRun) => vitestRun('no-target.test.js')),
      onOlder.then((vitestRun) => vitestRun('conformance.test.js')),
    ]);
    const counts = (output: string) => /Tests\s+(.*)\(\d+\)/.exec(output)?.[1]?.trim();

    expect(lowest.ok, lowest.output).toBe(true);
    expect(newest.ok, newest.output).toBe(true);
    // The same tests pass and the same capability tests skip on both: nothing is skipped silently on the lowest.
    expect(counts(lowest.output)).toMatch(/^\d+ passed \| \d+ skipped$/);
    expect(counts(lowest.output)).toBe(counts(newest.output));

    expect(noTarget.ok).toBe(false);
    expect(noTarget.output).toContain("describePanelAdapter's factory must return { adapter, target, controls }: target is missing");
    expect(noTarget.output).not.toMatch(/reading 'remoteRef'/);

    expect(older.ok).toBe(false);
    expect(older.output).toMatch(/describeStoragePort needs vitest 3\.1\.0 or newer, found 3\.0\.9/);
  }, 900_000);
});
