import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  STRANGER_TSCONFIG,
  cleanEnvironment,
  packagesBuilt,
  packedWorkspace,
  run,
} from '../../../scripts/test-support/packed-workspace.js';
import { testTempFolder } from '../../../scripts/test-support/temp-root.js';
import { type DocSnippet, docSnippets, snippetFileName } from './support/doc-snippets.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const built = packagesBuilt(root);

/**
 * `tsc -p tsconfig.json` as the project's TypeScript runs it, but with every file's errors: `tsc` leaves out every
 * type error of the whole program once one file has a syntax error, which would hide the other snippets' errors.
 * Prints one line per error (`src/file.ts(line,col): error TS…: message`) and emits the JavaScript.
 */
const COMPILE = `const ts = require('typescript');
const config = ts.getParsedCommandLineOfConfigFile('tsconfig.json', {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\\n')); } });
const program = ts.createProgram(config.fileNames, config.options);
const diagnostics = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
for (const file of program.getSourceFiles()) diagnostics.push(...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file));
program.emit();
for (const d of diagnostics) {
  const text = ts.flattenDiagnosticMessageText(d.messageText, ' ');
  if (!d.file) { console.log('error TS' + d.code + ': ' + text); continue; }
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  console.log(ts.sys.resolvePath(d.file.fileName).slice(process.cwd().length + 1) + '(' + (line + 1) + ',' + (character + 1) + '): error TS' + d.code + ': ' + text);
}
`;

/** A version range as a workspace manifest gives a dependency (what the docs' programs import besides panelkit). */
function range(manifest: string, name: string): string {
  const parsed = JSON.parse(readFileSync(join(root, manifest), 'utf8')) as Record<string, Record<string, string> | undefined>;
  const found = parsed['dependencies']?.[name] ?? parsed['devDependencies']?.[name];
  if (!found) throw new Error(`${manifest} has no ${name}`);
  return found;
}

/** The minimal example's source, compiled and run as the docs' programs are (the engine guide links it as a whole shop). */
const MINIMAL: DocSnippet = {
  file: 'examples/minimal/src/main.ts',
  line: 1,
  kind: 'program',
  code: readFileSync(join(root, 'examples', 'minimal', 'src', 'main.ts'), 'utf8'),
};
const snippets = [...docSnippets(root), MINIMAL];

/**
 * What a fragment may leave to its reader: names it uses without defining them (`kit`, `storage`, a request's fields,
 * also as shorthand properties), which TypeScript then takes as `any`, and the parameters of callbacks given to them;
 * the reader's own modules (a relative import); and the members it elides with `// …` (a class or an object that
 * names an interface but shows one or two of its methods). Any other error (an import that is not exported, an
 * option a function does not take) fails it like a program.
 */
const LEFT_TO_THE_READER = [
  /error TS(2304|2552|18004|7006|7031):/,
  /error TS2307: Cannot find module '\.\.?\//,
  /error TS2420: Class '\w+' incorrectly implements interface '\w+'\. +Type '\w+' is missing the following properties/,
  /error TS(2739|2740): Type '.*' is missing the following properties from type '\w+'/,
];

describe.skipIf(!built)(`the docs' TypeScript in a new project${built ? '' : ' (skipped: run `pnpm build` first)'}`, () => {
  const work = built ? testTempFolder('snippets') : '';
  const project = join(work, 'project');
  const diagnostics = new Map<string, string[]>();
  let compiled = { code: -1, output: '' };

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  beforeAll(async () => {
    const tarballs = await packedWorkspace(root);
    mkdirSync(join(project, 'src'), { recursive: true });
    const dependencies = {
      ...Object.fromEntries(Object.entries(tarballs).map(([name, tarball]) => [`@panelkit/${name}`, `file:${tarball}`])),
      'hash-wasm': range('packages/panel-adapters/package.json', 'hash-wasm'),
      'path-to-regexp': range('packages/panel-adapters/package.json', 'path-to-regexp'),
      '@electric-sql/pglite': range('packages/storage-postgres/package.json', '@electric-sql/pglite'),
      pg: range('packages/storage-postgres/package.json', 'pg'),
      '@types/pg': range('packages/storage-postgres/package.json', '@types/pg'),
      zod: range('packages/panel-adapters/package.json', 'zod'),
      // The payment providers' README installs it for `/stripe` (an optional peer).
      stripe: range('packages/payment-providers/package.json', 'stripe'),
      vitest: range('packages/sdk/package.json', 'vitest'),
      typescript: range('package.json', 'typescript'),
      '@types/node': range('package.json', '@types/node'),
    };
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'a-stranger', private: true, type: 'module', dependencies }));
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(STRANGER_TSCONFIG));
    for (const snippet of snippets) {
      // A fragment is made a module of its own, so fragments' names do not meet and `await` is allowed at the top.
      const code = snippet.kind === 'fragment' ? `${snippet.code}\nexport {};\n` : snippet.code;
      writeFileSync(join(project, 'src', snippetFileName(snippet)), code);
    }
    const installed = await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
      cwd: project,
      env: cleanEnvironment(),
      timeout: 600_000,
    });
    if (installed.code !== 0) throw new Error(`npm install:\n${installed.output}`);
    writeFileSync(join(project, 'compile.cjs'), COMPILE);
    compiled = await run(process.execPath, ['compile.cjs'], { cwd: project, timeout: 300_000 });
    for (const line of compiled.output.split('\n')) {
      const file = /^src\/([^(]+)\(/.exec(line)?.[1];
      if (file) diagnostics.set(file, [...(diagnostics.get(file) ?? []), line]);
    }
  }, 900_000);

  it('compiles with no error outside the snippets (every error is one of theirs)', () => {
    const unattributed = compiled.output.split('\n').filter((line) => /error TS/.test(line) && !/^src\//.test(line));
    expect(unattributed).toEqual([]);
  });

  for (const snippet of snippets) {
    const where = `${snippet.file}:${snippet.line}`;
    const does = { program: 'compiles and runs', 'no-run': 'compiles', fragment: 'compiles but for the names it leaves to the reader' };
    it(`${where} ${does[snippet.kind]}`, async () => {
      const name = snippetFileName(snippet);
      const errors = (diagnostics.get(name) ?? []).filter(
        (line) => snippet.kind !== 'fragment' || !LEFT_TO_THE_READER.some((allowed) => allowed.test(line)),
      );
      expect(errors, `${where} under tsc --strict`).toEqual([]);
      if (snippet.kind !== 'program') return;
      // Each program in a new empty folder, as a stranger would run it.
      const folder = join(work, 'run', name);
      mkdirSync(folder, { recursive: true });
      const ran = await run(process.execPath, [join(project, 'dist', name.replace(/\.ts$/, '.js'))], {
        cwd: folder,
        env: cleanEnvironment({ PANELKIT_IDENTITY_SECRET: 'snippets-test-identity-secret-4a1f' }),
        // PGlite's migrations took two minutes on a loaded machine.
        timeout: 300_000,
      });
      expect(ran.code, `${where} run with node:\n${ran.output}`).toBe(0);
    }, 360_000);
  }
});
