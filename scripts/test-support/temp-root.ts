import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TEMP_ROOT_VARIABLE = 'PANELKIT_TEST_TMP';

/**
 * Vitest global set-up: one folder under the system's temporary folder for every temporary folder the tests make
 * through {@link testTempFolder}, removed with all it holds when the run ends (a run used to leave about twenty
 * behind, one per backup file or data folder a test wrote).
 */
export default function createTempRoot(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'panelkit-test-'));
  // Set before the test workers start, so every one of them sees it.
  process.env[TEMP_ROOT_VARIABLE] = root;
  return () => rmSync(root, { recursive: true, force: true });
}

/**
 * A new empty folder for a test, `panelkit-<prefix>-…`: inside the run's folder, which the run removes at its end;
 * under the system's temporary folder when the tests run without the global set-up.
 */
export function testTempFolder(prefix: string): string {
  return mkdtempSync(join(process.env[TEMP_ROOT_VARIABLE] ?? tmpdir(), `panelkit-${prefix}-`));
}
