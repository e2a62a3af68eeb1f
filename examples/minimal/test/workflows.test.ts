import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../..', import.meta.url));
const folder = join(root, '.github', 'workflows');
const workflows = readdirSync(folder).filter((file) => /\.ya?ml$/.test(file));
/** The workflow linter (`@action-validator/cli`: GitHub's workflow schema, compiled to WebAssembly, nothing downloaded). */
const linter = join(root, 'node_modules', '@action-validator', 'cli', 'cli.mjs');
const read = (file: string) => readFileSync(join(folder, file), 'utf8');
const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

/** The linter's verdict on a workflow file: its exit code and what it printed. */
async function lint(path: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [linter, path], { timeout: 60_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe('the GitHub workflows', () => {
  it('are the four the release needs', () => {
    expect(workflows.sort()).toEqual(['ci.yml', 'docs.yml', 'image.yml', 'release.yml']);
  });

  it.each(workflows)('%s passes the workflow linter', async (file) => {
    const verdict = await lint(join(folder, file));
    expect(verdict.output).toBe('');
    expect(verdict.code).toBe(0);
  });

  it('the linter fails a broken workflow (a job without runs-on)', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'panelkit-workflow-'));
    try {
      const broken = read('ci.yml').replace(/^ {4}runs-on: .*\n/m, '');
      expect(broken).not.toBe(read('ci.yml'));
      writeFileSync(join(scratch, 'ci.yml'), broken);
      const verdict = await lint(join(scratch, 'ci.yml'));
      expect(verdict.code).not.toBe(0);
      expect(verdict.output).toContain('runs-on');
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('run only package scripts that exist', () => {
    for (const file of workflows) {
      for (const [, script] of read(file).matchAll(/pnpm run ([\w:-]+)/g))
        expect(scripts[script!], `${file}: pnpm run ${script}`).toBeDefined();
    }
  });

  it('CI runs .ci/run on pull requests and main in a Debian container, with PostgreSQL as a service', () => {
    const ci = read('ci.yml');
    expect(ci).toMatch(/^ {2}pull_request:/m);
    expect(ci).toMatch(/branches: \[main\]/);
    expect(ci).toContain('run: bash .ci/run');
    expect(ci).toMatch(/image: postgres:\d+/);
    // Debian as root, where the ensure-*.sh steps install the browser, v2ray and podman instead of skipping their suites.
    expect(ci).toMatch(/container:\n {6}image: node:20-bookworm\n {6}options: --privileged\n/);
    // A service is reached by its name from the job's container.
    expect(ci).toContain('PANELKIT_TEST_DATABASE_URL: postgres://postgres@postgres:5432/test');
  });

  it('release versions by pull request and publishes with npm provenance', () => {
    const release = read('release.yml');
    expect(release).toContain('uses: changesets/action@v1');
    expect(release).toContain('version: pnpm run version-packages');
    expect(release).toContain('publish: pnpm run release');
    expect(release).toContain('id-token: write');
    expect(release).toContain('NPM_CONFIG_PROVENANCE: "true"');
    // Tags pushed with the workflow's token start no other workflow: the release calls the image's itself.
    expect(release).toContain('uses: ./.github/workflows/image.yml');
    expect(read('image.yml')).toMatch(/^ {2}workflow_call:/m);
  });

  it('the image is built on the release tag as the guides name it, with an SBOM and provenance', () => {
    const image = read('image.yml');
    expect(image).toContain('"@panelkit/sdk@*"');
    expect(image).toContain('images: ghcr.io/panelkit/shop');
    expect(image).toContain('sbom: true');
    expect(image).toContain('provenance: mode=max');
    expect(image).toMatch(/REVISION=\$\{\{ github.sha \}\}/);
    for (const guide of ['deploy/compose.yaml', 'deploy/.env.example', 'examples/shop/README.md']) {
      expect(readFileSync(join(root, guide), 'utf8'), guide).toContain('ghcr.io/panelkit/shop:');
    }
  });

  it("the docs site publishes typedoc's output folder", () => {
    const typedoc = JSON.parse(readFileSync(join(root, 'typedoc.json'), 'utf8')) as { out: string };
    const docs = read('docs.yml');
    expect(docs).toContain('run: pnpm run docs');
    expect(docs).toContain(`path: ${typedoc.out}`);
    expect(docs).toContain('uses: actions/deploy-pages@v4');
  });
});
