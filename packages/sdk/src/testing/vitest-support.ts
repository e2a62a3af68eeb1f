import { createRequire } from 'node:module';

/** The first vitest whose test context has `skip(condition, note)`, which the suites use for capability skips. */
export const LOWEST_SUPPORTED_VITEST = '3.1.0';

/** `major.minor.patch` → comparable numbers; a pre-release counts as its release. */
function parts(version: string): [number, number, number] {
  const [major = 0, minor = 0, patch = 0] = version.split(/[.+-]/, 3).map((part) => Number.parseInt(part, 10) || 0);
  return [major, minor, patch];
}

/** Whether `version` is `LOWEST_SUPPORTED_VITEST` or newer. */
export function isSupportedVitest(version: string): boolean {
  const found = parts(version);
  const lowest = parts(LOWEST_SUPPORTED_VITEST);
  for (let i = 0; i < 3; i += 1) {
    if (found[i]! !== lowest[i]!) return found[i]! > lowest[i]!;
  }
  return true;
}

/** The version of the vitest this module resolves (the host's, as a peer dependency), or undefined when unreadable. */
function installedVitest(): string | undefined {
  try {
    const manifest: unknown = createRequire(import.meta.url)('vitest/package.json');
    const version = (manifest as { version?: unknown }).version;
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Throws when the installed vitest is older than the suites can run on. On vitest 3.0.x `ctx.skip(false, note)`
 * skips instead of going on, so a suite would report its capability tests as skipped and pass a broken adapter:
 * it must fail loudly instead. Called by every `describe…` of this entry point when the test file is collected.
 */
export function assertSupportedVitest(suite: string): void {
  const version = installedVitest();
  if (version !== undefined && !isSupportedVitest(version)) {
    throw new Error(
      `${suite} needs vitest ${LOWEST_SUPPORTED_VITEST} or newer, found ${version}: on older versions a conditional skip skips every time and the suite would pass what it should fail; upgrade vitest`,
    );
  }
}
