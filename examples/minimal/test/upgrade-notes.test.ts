import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PUBLISHED_PACKAGES } from '../../../scripts/published-packages.mjs';
import { shellLines, upgradeCommands, upgradingSections } from './support/upgrade-notes.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../..', import.meta.url));
const version = (JSON.parse(readFileSync(join(root, 'packages', 'sdk', 'package.json'), 'utf8')) as { version: string }).version;
/** The install line of the releases up to 0.3.0, when four packages were published. */
const INSTALL_PACKAGES =
  'npm install @panelkit/sdk@latest @panelkit/panel-adapters@latest @panelkit/storage-memory@latest @panelkit/storage-postgres@latest';
/** The install line the version step writes now: every published package. */
const INSTALL_PUBLISHED = `npm install ${PUBLISHED_PACKAGES.map((name) => `@panelkit/${name}@latest`).join(' ')}`;

describe("the changelogs' upgrading notes", () => {
  it('give a 0.1 project the commands for the peers 0.2.0 stopped installing, before the packages themselves', () => {
    const commands = upgradeCommands(root, '0.1.0', version);
    const at = (line: string) => commands.indexOf(line);
    expect(at('npm install --save-dev vitest@^3.1.0')).toBeGreaterThanOrEqual(0);
    expect(at('npm install hash-wasm@^4.13.0 path-to-regexp@^8.4.2')).toBeGreaterThanOrEqual(0);
    expect(at(INSTALL_PACKAGES)).toBeGreaterThan(at('npm install hash-wasm@^4.13.0 path-to-regexp@^8.4.2'));
    expect(at(INSTALL_PACKAGES)).toBeGreaterThan(at('npm install --save-dev vitest@^3.1.0'));
  });

  it("mark both as breaking in 0.2.0's list", () => {
    const section = upgradingSections(readFileSync(join(root, 'packages', 'sdk', 'CHANGELOG.md'), 'utf8')).get('0.2.0') ?? '';
    expect(section).toMatch(/^- \*\*Breaking \([^)]+\):\*\* `hash-wasm` and `path-to-regexp` are optional peer dependencies/m);
    expect(section).toMatch(
      /^- \*\*Breaking \([^)]+\):\*\* `@panelkit\/sdk`'s optional peer range for vitest is `\^3\.1\.0 \|\| \^4\.0\.0`/m,
    );
  });

  it("are written by the version step with each changeset's `sh upgrade` lines, then the packages at the newest version", async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'panelkit-upgrade-notes-'));
    try {
      for (const path of ['scripts/release-version.mjs', 'scripts/published-packages.mjs', '.changeset', 'packages/sdk/src/ports']) {
        cpSync(join(root, path), join(scratch, path), { recursive: true });
      }
      writeFileSync(
        join(scratch, '.changeset', 'zz-peer-example.md'),
        [
          '---',
          '"@panelkit/sdk": minor',
          '---',
          '',
          '- **Breaking (hosts):** `left-pad` is an optional peer. Install it:',
          '',
          '  ```sh upgrade',
          '  npm install left-pad@^1.3.0',
          '  ```',
          '',
        ].join('\n'),
      );
      const { stdout } = await run(process.execPath, [join(scratch, 'scripts/release-version.mjs'), '--notes'], { cwd: scratch });
      expect(shellLines(stdout)).toEqual(['npm install left-pad@^1.3.0', INSTALL_PUBLISHED]);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
