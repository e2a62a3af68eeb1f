#!/usr/bin/env node
/**
 * The version step of a release (`pnpm run version-packages`; the release workflow's version pull request runs it
 * too): applies the pending changesets with `changeset version` (versions bumped, one CHANGELOG.md per package, the
 * changesets consumed), then writes an "Upgrading" section at the top of the new version's entry in each package's
 * changelog: the storage port and panel adapter API versions the release needs, what changed in each storage port
 * version the changesets name, every change a changeset marks `**Breaking`, with what a storage or adapter author
 * must do, and the npm commands that upgrade a project (each changeset's ```` ```sh upgrade ```` lines, then the
 * packages at the newest version).
 *
 * Refuses a `major` changeset while the packages are below 1.0: changesets would take them to 1.0.0. Below 1.0 a
 * breaking change is a `minor` bump whose text says `**Breaking…**` (CONTRIBUTING.md). `--allow-major` lets 1.0.0
 * happen on purpose. `--dry-run` prints the planned versions (`changeset status`) and the section, `--notes` the
 * section alone; neither changes anything.
 *
 * Usage: `node scripts/release-version.mjs [--dry-run | --notes] [--allow-major]` from anywhere in the repository.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PUBLISHED_PACKAGES as PACKAGES } from './published-packages.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const dryRun = args.has('--dry-run');

/** A changeset file: its name, the bump per package its front matter gives, and its text. */
function readChangesets() {
  const folder = join(root, '.changeset');
  return readdirSync(folder)
    .filter((file) => file.endsWith('.md') && file !== 'README.md')
    .sort()
    .map((file) => {
      const text = readFileSync(join(folder, file), 'utf8');
      const [, front = '', body = ''] = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text) ?? [];
      const bumps = Object.fromEntries(
        [...front.matchAll(/^\s*['"]([^'"]+)['"]\s*:\s*(major|minor|patch)\s*$/gm)].map(([, name, bump]) => [name, bump]),
      );
      return { id: file.replace(/\.md$/, ''), bumps, body: body.trim() };
    });
}

/** A port's version constant as the SDK's source declares it. */
function constant(file, name) {
  const match = new RegExp(`export const ${name} = (\\d+)`).exec(readFileSync(join(root, 'packages/sdk/src/ports', file), 'utf8'));
  if (!match) throw new Error(`${name} not found in packages/sdk/src/ports/${file}`);
  return Number(match[1]);
}

/** How many packages are released together, in words ("six"), for the notes' sentences. */
const PACKAGE_COUNT =
  ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'][PACKAGES.length] ??
  String(PACKAGES.length);

/** Text on one line, markdown emphasis kept. */
const oneLine = (text) => text.replace(/\s*\n\s*/g, ' ').trim();

/**
 * The sentence of `text` around `index` (from the previous sentence's end to the next one's), on one line. A
 * sentence that ends in a colon before a list ("Storage port 16:") gets the names the list's items start with.
 */
function sentenceAt(text, index) {
  const boundaries = [...text.slice(0, index).matchAll(/\.\s|\n\n|\n- /g)];
  const last = boundaries.at(-1);
  const start = last ? last.index + last[0].length : 0;
  const rest = text.slice(index);
  const endMatch = /\.(\s|$)|:\n|\n\n|\n- /.exec(rest);
  const end = index + (endMatch ? endMatch.index + 1 : rest.length);
  const sentence = oneLine(text.slice(start, end).replace(/^[\s.-]+/, ''));
  if (!sentence.endsWith(':')) return sentence;
  const list = text.slice(end).split(/\n\n(?!- )/)[0] ?? '';
  const names = [...list.matchAll(/^- (`[^`]+`)/gm)].map(([, name]) => name);
  return `${sentence} ${names.join(', ')}.`;
}

/** For each storage port version the changesets name, the sentences that say what it brought. */
function portChanges(changesets) {
  const byPort = new Map();
  const pattern = /(?:[Ss]torage port|port version|`?StoragePort`?\s+v)\s*(\d+)/g;
  for (const { id, body } of changesets) {
    for (const match of body.matchAll(pattern)) {
      const port = Number(match[1]);
      const sentences = byPort.get(port) ?? [];
      const sentence = sentenceAt(body, match.index);
      if (!sentences.some((s) => s.sentence === sentence)) sentences.push({ id, sentence });
      byPort.set(port, sentences);
    }
  }
  return new Map([...byPort].sort(([a], [b]) => b - a));
}

/** Every `**Breaking…**` item of the changesets: its first sentence and the changeset it is in. */
function breakingChanges(changesets) {
  const items = [];
  for (const { id, body } of changesets) {
    for (const block of body.split(/\n(?=- )|\n\n/)) {
      if (!/\*\*Breaking/.test(block)) continue;
      items.push({ id, text: sentenceAt(block, block.indexOf('**Breaking')) });
    }
  }
  return items;
}

/**
 * The commands of every changeset's ```` ```sh upgrade ```` block (what a project runs for a breaking change, e.g. a
 * peer dependency to install), in changeset order, each once.
 */
function upgradeCommands(changesets) {
  const commands = [];
  for (const { body } of changesets) {
    for (const [, block] of body.matchAll(/^\s*```sh upgrade\n([\s\S]*?)^\s*```/gm)) {
      for (const line of block.split('\n').map((l) => l.trim())) if (line !== '' && !commands.includes(line)) commands.push(line);
    }
  }
  return commands;
}

/**
 * The commands that upgrade a project with npm, to be run as written: the changesets' own, then the packages at the
 * newest version. The upgrade-from-0.1 test runs the lines of every release's block in order.
 */
function npmUpgradeBlock(changesets) {
  return [
    'Upgrade a project with npm: in its folder, run these lines in order (leave out the `@panelkit` packages it does not',
    'use), then make the code changes the breaking changes above name:',
    '',
    '```sh',
    ...upgradeCommands(changesets),
    `npm install ${PACKAGES.map((name) => `@panelkit/${name}@latest`).join(' ')}`,
    '```',
    '',
  ];
}

/** The "Upgrading" section every package's changelog gets for this version. */
function upgradingSection(version, changesets) {
  const storagePort = constant('storage.ts', 'STORAGE_PORT_VERSION');
  const adapterApi = constant('panel.ts', 'PANEL_ADAPTER_API_VERSION');
  const ports = portChanges(changesets);
  const breaking = breakingChanges(changesets);
  const lines = [
    `### Upgrading to ${version}`,
    '',
    `- **Storage port ${storagePort}** (\`STORAGE_PORT_VERSION\` in \`@panelkit/sdk/storage\`): \`createPanelkit\` refuses a storage`,
    `  whose \`portVersion\` is any other number. \`@panelkit/storage-memory\` and \`@panelkit/storage-postgres\` ${version}`,
    `  implement it; install the ${PACKAGE_COUNT} packages at the same version. **A storage author** implements what each port`,
    `  version below added, declares \`portVersion: ${storagePort}\`, and runs \`describeStoragePort\` from`,
    '  `@panelkit/sdk/testing` against the storage (docs/guides/writing-a-storage.md). PostgreSQL users run `migrate`',
    '  (the storage refuses a schema older than its migrations).',
    `- **Panel adapter API ${adapterApi}** (\`PANEL_ADAPTER_API_VERSION\` in \`@panelkit/sdk/adapter\`). **An adapter author** checks`,
    '  the breaking changes below that name adapters, and runs `describePanelAdapter` from `@panelkit/sdk/testing`',
    '  against the panel (docs/guides/writing-a-panel-adapter.md).',
    '',
  ];
  if (ports.size > 0) {
    lines.push('What each storage port version added (newest first):', '');
    for (const [port, sentences] of ports) {
      lines.push(`- **Port ${port}**: ${sentences.map(({ sentence }) => sentence).join(' ')}`);
    }
    lines.push('');
  }
  if (breaking.length > 0) {
    lines.push('Breaking changes (each is described in full in its entry below):', '');
    for (const { text } of breaking) lines.push(`- ${text}`);
    lines.push('');
  }
  lines.push(...npmUpgradeBlock(changesets));
  return lines.join('\n');
}

/** The versions the packages have now. */
const versions = () =>
  Object.fromEntries(
    PACKAGES.map((name) => [name, JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8')).version]),
  );

const changesets = readChangesets();
if (args.has('--notes')) {
  console.log(upgradingSection('<next version>', changesets));
  process.exit(0);
}
if (changesets.length === 0) {
  console.log('release-version: no changesets to apply');
  process.exit(0);
}
const before = versions();
const majors = changesets.filter(({ bumps }) => Object.values(bumps).includes('major'));
if (majors.length > 0 && !args.has('--allow-major') && Object.values(before).some((v) => v.startsWith('0.'))) {
  console.error(
    `release-version: ${majors.map(({ id }) => id).join(', ')} ask(s) for a major bump, which takes 0.x to 1.0.0. ` +
      'Below 1.0 a breaking change is `minor` with "**Breaking…**" in its text (CONTRIBUTING.md); pass --allow-major to release 1.0.0.',
  );
  process.exit(1);
}

/**
 * Runs `step` with the peer ranges on our own packages (`@panelkit/sdk`, and `@panelkit/panel-adapters` for the
 * subscription feed) out of the manifests, then puts them back as they were. Each such range pins the peer's release
 * line (`workspace:^`, which pnpm packs as `^<version>`: `^0.3.0` admits 0.3.x only), and changesets reads a peer
 * range the peer's next version leaves as a reason to bump the dependent to the next major: 0.2.0 → 1.0.0 for all of
 * them (`fixed`). They are versioned together anyway, so the peers tell changesets nothing it needs, and
 * `workspace:^` stays right at every version.
 */
function withoutOwnPeers(step) {
  const peers = {};
  for (const name of PACKAGES) {
    const file = join(root, 'packages', name, 'package.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    const own = Object.keys(manifest.peerDependencies ?? {}).filter((dependency) => dependency.startsWith('@panelkit/'));
    if (own.length === 0) continue;
    peers[file] = manifest.peerDependencies;
    manifest.peerDependencies = Object.fromEntries(Object.entries(peers[file]).filter(([dependency]) => !own.includes(dependency)));
    writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
  }
  try {
    step();
  } finally {
    for (const [file, peerDependencies] of Object.entries(peers)) {
      const manifest = JSON.parse(readFileSync(file, 'utf8'));
      writeFileSync(file, `${JSON.stringify({ ...manifest, peerDependencies }, null, 2)}\n`);
    }
  }
}

const changeset = join(root, 'node_modules', '.bin', 'changeset');
if (dryRun) {
  withoutOwnPeers(() => execFileSync(changeset, ['status', '--verbose'], { cwd: root, stdio: 'inherit' }));
  console.log(`\n${upgradingSection('<next version>', changesets)}`);
  process.exit(0);
}

const section = (version) => upgradingSection(version, changesets);
withoutOwnPeers(() => execFileSync(changeset, ['version'], { cwd: root, stdio: 'inherit' }));
const after = versions();
for (const name of PACKAGES) {
  const version = after[name];
  if (version === before[name]) continue;
  const file = join(root, 'packages', name, 'CHANGELOG.md');
  if (!existsSync(file)) throw new Error(`changeset version wrote no ${file}`);
  const changelog = readFileSync(file, 'utf8');
  const heading = `\n## ${version}\n`;
  const at = changelog.indexOf(heading);
  if (at < 0) throw new Error(`${file} has no "## ${version}" entry`);
  const insertAt = at + heading.length;
  writeFileSync(file, `${changelog.slice(0, insertAt)}\n${section(version)}${changelog.slice(insertAt)}`);
  console.log(`release-version: @panelkit/${name} ${before[name]} → ${version}, CHANGELOG.md with its upgrading notes`);
}

// The changelogs as the repository formats Markdown (`biome ci` checks them like every other file).
execFileSync(
  join(root, 'node_modules', '.bin', 'biome'),
  ['format', '--write', ...PACKAGES.map((name) => join('packages', name, 'CHANGELOG.md'))],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
