import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PUBLISHED_PACKAGES } from '../../../scripts/published-packages.mjs';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../..', import.meta.url));
const script = 'scripts/release-version.mjs';
const storagePort = Number(
  /export const STORAGE_PORT_VERSION = (\d+)/.exec(readFileSync(join(root, 'packages/sdk/src/ports/storage.ts'), 'utf8'))![1],
);
const pending = readdirSync(join(root, '.changeset')).filter((file) => file.endsWith('.md') && file !== 'README.md');

/** A copy of what the script reads (changesets, manifests, the ports' source), to run it on changesets of a test's own. */
function scratchRepository(): string {
  const scratch = mkdtempSync(join(tmpdir(), 'panelkit-release-version-'));
  for (const path of ['scripts/release-version.mjs', 'scripts/published-packages.mjs', '.changeset', 'packages/sdk/src/ports'])
    cpSync(join(root, path), join(scratch, path), { recursive: true });
  for (const name of PUBLISHED_PACKAGES) {
    cpSync(join(root, 'packages', name, 'package.json'), join(scratch, 'packages', name, 'package.json'));
  }
  return scratch;
}

describe('the version step (pnpm run version-packages)', () => {
  it('writes upgrading notes naming the storage port this release needs and what each port version added', async () => {
    const { stdout } = await run(process.execPath, [script, '--notes'], { cwd: root });
    expect(stdout).toContain(`**Storage port ${storagePort}** (\`STORAGE_PORT_VERSION\``);
    expect(stdout).toContain(`declares \`portVersion: ${storagePort}\``);
    expect(stdout).toContain('describeStoragePort');
    expect(stdout).toContain('**Panel adapter API');
    // Every port version from 15 to this one that a pending changeset names has a line (none once they are consumed).
    const mentioned = new Set(
      pending.flatMap((file) =>
        [...readFileSync(join(root, '.changeset', file), 'utf8').matchAll(/[Ss]torage port (?:version )?(\d+)/g)].map((m) => Number(m[1])),
      ),
    );
    for (let port = 15; port <= storagePort; port += 1) if (mentioned.has(port)) expect(stdout).toContain(`- **Port ${port}**: `);
  });

  it('finds every pending breaking change marked as CONTRIBUTING.md says: who must act, at the start of its item', () => {
    const unmarked: string[] = [];
    for (const file of pending) {
      const text = readFileSync(join(root, '.changeset', file), 'utf8');
      for (const match of text.matchAll(/\*\*Breaking[^*]*\*\*/g)) {
        const lineStart = text.lastIndexOf('\n', match.index) + 1;
        const before = text.slice(lineStart, match.index);
        // A list item's start, or a paragraph's (the line before it blank).
        const startsItem = /^\s*- $/.test(before) || (before === '' && text.slice(0, lineStart).endsWith('\n\n'));
        if (!/^\*\*Breaking \([^)]+\):\*\*$/.test(match[0]) || !startsItem) unmarked.push(`${file}: ${match[0]}`);
      }
    }
    expect(unmarked).toEqual([]);
  });

  it('lists every change a changeset marks breaking', async () => {
    const scratch = scratchRepository();
    try {
      writeFileSync(
        join(scratch, '.changeset', 'zz-breaking-example.md'),
        '---\n"@panelkit/sdk": minor\n---\n\nSomething new.\n\n- **Breaking:** `kit.example` takes an object. Pass `{ id }`.\n',
      );
      const { stdout } = await run(process.execPath, [script, '--notes'], { cwd: scratch });
      expect(stdout).toContain('- **Breaking:** `kit.example` takes an object.');
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('refuses a major changeset below 1.0 (it would release 1.0.0), changing nothing', async () => {
    const scratch = scratchRepository();
    try {
      writeFileSync(join(scratch, '.changeset', 'zz-major.md'), '---\n"@panelkit/sdk": major\n---\n\nA breaking change.\n');
      const refused = await run(process.execPath, [script], { cwd: scratch }).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => error,
      );
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('zz-major ask(s) for a major bump, which takes 0.x to 1.0.0');
      expect(readFileSync(join(scratch, 'packages', 'sdk', 'package.json'), 'utf8')).toBe(
        readFileSync(join(root, 'packages', 'sdk', 'package.json'), 'utf8'),
      );
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
