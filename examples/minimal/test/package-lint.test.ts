import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkPackage, createPackageFromTarballData } from '@arethetypeswrong/core';
import { problemAffectsResolutionKind } from '@arethetypeswrong/core/problems';
import type { Analysis, Problem, ResolutionKind } from '@arethetypeswrong/core/types';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { PANELKIT_PACKAGES, packagesBuilt, packedWorkspace } from '../../../scripts/test-support/packed-workspace.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const built = packagesBuilt(root);

/**
 * The resolutions a user of the packages compiles with (attw's `node16` profile): Node's own, from CommonJS and from
 * ES modules, and a bundler's. `node10` is left out: it ignores `exports`, so it finds no subpath, and the packages
 * need Node 20.3+, whose TypeScript users resolve with `node16`/`nodenext` or `bundler`.
 */
const RESOLUTIONS: readonly ResolutionKind[] = ['node16-cjs', 'node16-esm', 'bundler'];

/**
 * The findings that are by design, by package folder: `CJSResolvesToESM` for the SDK, which is an ES module only
 * (no `require` condition). Node 20.19+ `require()`s it all the same, and TypeScript models that from 5.8 on under
 * `module: node20`/`nodenext`; under `node16` from CommonJS it is `import()` only, as attw says. The five packages
 * with the SDK as a peer have a CommonJS entry of their own, typed by its `.d.cts`, and are allowed nothing.
 */
const ALLOWED: Readonly<Record<string, readonly `${ResolutionKind} ${Problem['kind']}`[]>> = {
  sdk: ['node16-cjs CJSResolvesToESM'],
};

/** A manifest's entry points (`exports` subpaths), as the tarball's package.json declares them. */
interface PackedManifest {
  readonly name: string;
  readonly exports: Record<string, unknown>;
}

/** attw's findings for an analysed package, one line each: `<entry> <resolution> <problem kind>`, allowed ones left out. */
function attwFindings(folder: string, analysis: Analysis): string[] {
  const allowed = new Set(ALLOWED[folder] ?? []);
  return analysis.problems.flatMap((problem) =>
    RESOLUTIONS.filter((kind) => problemAffectsResolutionKind(problem, kind, analysis))
      .filter((kind) => !allowed.has(`${kind} ${problem.kind}`))
      .map(
        (kind) =>
          `${'entrypoint' in problem ? problem.entrypoint : (problem as { typesFileName?: string }).typesFileName} ${kind} ${problem.kind}`,
      ),
  );
}

/**
 * Each published package as npm would serve it (packed once by pnpm, which applies `publishConfig`) checked by
 * publint (strict: warnings count as errors) and by attw (@arethetypeswrong/core) on every entry its manifest
 * declares, failing on any finding not in {@link ALLOWED}. Needs the packages built (`pnpm build`).
 */
describe.skipIf(!built)(`publint and attw on the packed packages${built ? '' : ' (skipped: run `pnpm build` first)'}`, () => {
  let tarballs: Record<string, Uint8Array> = {};

  beforeAll(async () => {
    const paths = await packedWorkspace(root);
    tarballs = Object.fromEntries(Object.entries(paths).map(([folder, path]) => [folder, new Uint8Array(readFileSync(path))]));
  }, 300_000);

  describe.each(PANELKIT_PACKAGES)('@panelkit/%s', (folder) => {
    it('has no publint finding', async () => {
      const tarball = tarballs[folder]!;
      const data = tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) as ArrayBuffer;
      const { messages, pkg } = await publint({ pack: { tarball: data }, strict: true, level: 'suggestion' });
      expect(messages.map((message) => `${message.type}: ${formatMessage(message, pkg) ?? message.code}`)).toEqual([]);
    });

    it('has no attw finding under node16 and bundler resolution, on every entry its manifest declares', async () => {
      const pkg = createPackageFromTarballData(tarballs[folder]!);
      const manifest = JSON.parse(pkg.readFile(`/node_modules/${pkg.packageName}/package.json`)) as PackedManifest;
      const entrypoints = Object.keys(manifest.exports);
      const analysis = await checkPackage(pkg, { entrypoints });
      if (!analysis.types) throw new Error(`${manifest.name}: attw found no types`);
      expect(Object.keys(analysis.entrypoints).sort()).toEqual([...entrypoints].sort());
      expect(attwFindings(folder, analysis)).toEqual([]);
      // The allowance is still needed, and the check sees what it allows.
      for (const allowed of ALLOWED[folder] ?? []) {
        const [kind, problem] = allowed.split(' ');
        expect(analysis.problems.some((p) => p.kind === problem && problemAffectsResolutionKind(p, kind as ResolutionKind, analysis))).toBe(
          true,
        );
      }
    });
  });
});
