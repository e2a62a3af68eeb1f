import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../../..');
const SCRIPT = 'scripts/shop-image-revision.sh';
const work = mkdtempSync(join(tmpdir(), 'shop-image-revision-'));

/** The revision the image build labels a tree with: the script's output, run as the build runs it. */
async function revisionOf(tree: string): Promise<string> {
  const { stdout } = await run('bash', [join(tree, SCRIPT)], { cwd: tree });
  return stdout.trim();
}

/** A tree holding only the lookup script, as a source archive unpacked at `at` would (no .git). */
function archiveAt(at: string): string {
  mkdirSync(join(at, 'scripts'), { recursive: true });
  copyFileSync(join(ROOT, SCRIPT), join(at, SCRIPT));
  return at;
}

describe("the image build's revision label", () => {
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('is the commit in a git checkout', async () => {
    const { stdout } = await run('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT });
    expect(await revisionOf(ROOT)).toBe(stdout.trim());
  });

  it('is `unknown` in a source archive (no .git), and in one unpacked inside another repository', async () => {
    expect(await revisionOf(archiveAt(join(work, 'archive')))).toBe('unknown');
    const outer = join(work, 'outer');
    mkdirSync(outer);
    await run('git', ['init', '-q'], { cwd: outer });
    expect(await revisionOf(archiveAt(join(outer, 'panelkit')))).toBe('unknown');
  });

  it('is what scripts/build-shop-image.sh labels and prints, with no git lookup of its own', () => {
    const build = readFileSync(join(ROOT, 'scripts/build-shop-image.sh'), 'utf8');
    expect(build).toContain(`revision="$(bash ${SCRIPT})"`);
    expect(build).toContain('--build-arg REVISION="$revision"');
    // Outside a checkout `git rev-parse` fails (`fatal: not a git repository`) and, under `set -e`, so did the build.
    expect(build).not.toMatch(/\bgit (rev-parse|describe|log)\b/);
  });
});
