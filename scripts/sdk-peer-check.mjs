/**
 * The check each entry point of `@panelkit/panel-adapters`, `@panelkit/storage-memory` and
 * `@panelkit/storage-postgres` runs before it loads: the installed `@panelkit/sdk` must be of the package's own
 * release line (the same minor below 1.0, the same major from 1.0), the line its peer range `^X.Y.Z` admits. npm
 * with `--legacy-peer-deps`, pnpm and yarn install a mismatch with a warning at most, and the package would then fail
 * on a missing SDK export or subpath (`ERR_PACKAGE_PATH_NOT_EXPORTED`, `does not provide an export named …`) without
 * naming either version. ES modules link every static import before any of them runs, so the package's entry
 * (written by `scripts/write-peer-checked-entries.mjs`) imports only this file, runs the check, then loads the
 * implementation. The SDK is found the way Node finds a package, through the `node_modules` folders above the
 * package, and read from its `package.json`: no SDK export is needed, so an SDK of any version is found.
 *
 * The build copies this file into each of those packages' `dist/`; it imports nothing but Node's own modules.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The release line of a version, as the peer range `^version` reads it: `0.3.x` below 1.0, `1.x` from 1.0. */
export function releaseLine(version) {
  const [major = '', minor = ''] = version.split('.');
  return major === '0' ? `0.${minor}.x` : `${major}.x`;
}

/** The `@panelkit/sdk` Node resolves from `folder` (its folder and version), or undefined when none is installed. */
export function installedSdk(folder) {
  for (let dir = folder; ; dir = dirname(dir)) {
    if (basename(dir) !== 'node_modules') {
      const sdkFolder = join(dir, 'node_modules', '@panelkit', 'sdk');
      const manifest = join(sdkFolder, 'package.json');
      if (existsSync(manifest)) return { folder: sdkFolder, version: JSON.parse(readFileSync(manifest, 'utf8')).version };
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** The installed `@panelkit/sdk` is of another release line than the package that needs it. */
export class SdkVersionMismatchError extends Error {
  /** Always `PANELKIT_SDK_VERSION_MISMATCH`. */
  code = 'PANELKIT_SDK_VERSION_MISMATCH';

  /**
   * @param {{ name: string; version: string; range: string; sdkVersion: string; sdkFolder: string }} found
   */
  constructor({ name, version, range, sdkVersion, sdkFolder }) {
    super(
      `${name} ${version} needs @panelkit/sdk ${releaseLine(version)} (peer range ${range}), but @panelkit/sdk ${sdkVersion} ` +
        `is installed (${sdkFolder}). The @panelkit packages are released together: install them at one version, e.g. ` +
        `\`npm install @panelkit/sdk@${version} ${name}@${version}\`.`,
    );
    this.name = 'SdkVersionMismatchError';
  }
}

/**
 * Throws {@link SdkVersionMismatchError} when the `@panelkit/sdk` installed for the package in `packageFolder` (a
 * path or `file:` URL) is of another release line than the package. Does nothing when no SDK is found (Node's own
 * "cannot find package" error then names it) or when they match.
 */
export function checkSdkVersion(packageFolder) {
  const folder = typeof packageFolder === 'string' ? packageFolder : fileURLToPath(packageFolder);
  const own = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
  const sdk = installedSdk(folder);
  if (!sdk || releaseLine(sdk.version) === releaseLine(own.version)) return;
  throw new SdkVersionMismatchError({
    name: own.name,
    version: own.version,
    range: own.peerDependencies?.['@panelkit/sdk'] ?? '(none)',
    sdkVersion: sdk.version,
    sdkFolder: sdk.folder,
  });
}
