import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The packages released since 0.1.0, whose changelogs carry every release's upgrading notes (a package added later,
 * such as `@panelkit/payment-providers` in 0.4.0, has them from its first release on).
 */
const PACKAGES_SINCE_0_1 = ['sdk', 'panel-adapters', 'storage-memory', 'storage-postgres'];

/** `a` compared with `b` as `major.minor.patch` versions: negative, zero or positive. */
function compareVersions(a: string, b: string): number {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number));
  for (let i = 0; i < 3; i += 1) if (x![i] !== y![i]) return x![i]! - y![i]!;
  return 0;
}

/** Each release's "Upgrading to X" section of one changelog, by version. */
export function upgradingSections(changelog: string): Map<string, string> {
  const sections = new Map<string, string>();
  for (const [, version, body] of changelog.matchAll(/^## (\d+\.\d+\.\d+)\n([\s\S]*?)(?=^## |(?![\s\S]))/gm)) {
    const upgrading = /^### Upgrading to .*\n([\s\S]*?)(?=^### |(?![\s\S]))/m.exec(body!);
    if (upgrading) sections.set(version!, upgrading[1]!);
  }
  return sections;
}

/** The lines of the ```` ```sh ```` blocks of a section, in order. */
export function shellLines(section: string): string[] {
  return [...section.matchAll(/^```sh\n([\s\S]*?)^```/gm)].flatMap(([, block]) =>
    block!
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#')),
  );
}

/**
 * The commands an upgrade from `from` to `to` runs, as the changelogs' upgrading notes give them: the `sh` lines of
 * every release after `from` up to `to`, oldest release first. Throws when the published packages' changelogs disagree
 * (the version step writes one section into each).
 */
export function upgradeCommands(root: string, from: string, to: string): string[] {
  const perPackage = PACKAGES_SINCE_0_1.map((name) => {
    const sections = upgradingSections(readFileSync(join(root, 'packages', name, 'CHANGELOG.md'), 'utf8'));
    return [...sections]
      .filter(([version]) => compareVersions(version, from) > 0 && compareVersions(version, to) <= 0)
      .sort(([a], [b]) => compareVersions(a, b))
      .flatMap(([, section]) => shellLines(section));
  });
  for (const [i, commands] of perPackage.entries()) {
    if (JSON.stringify(commands) !== JSON.stringify(perPackage[0])) {
      throw new Error(`packages/${PACKAGES_SINCE_0_1[i]}/CHANGELOG.md gives other upgrade commands than packages/sdk/CHANGELOG.md`);
    }
  }
  return perPackage[0]!;
}
