import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DataFolder {
  readonly path: string;
  remove(): Promise<void>;
}

/**
 * A fresh PGlite data folder under the OS temp dir, one per run. The simulated panel lives in
 * memory and starts empty every run, so a database kept from an earlier run would describe
 * clients that no panel has; a fresh folder keeps the two in step, writes nothing into the
 * clone, and lets two runs side by side not collide.
 */
export async function freshDataFolder(): Promise<DataFolder> {
  const path = await mkdtemp(join(tmpdir(), 'panelkit-demo-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
