/**
 * Every WireGuard config of a link in one zip: the WireGuard apps import each `*.conf` entry of a zip as a tunnel
 * named after the entry (WireGuard Android `TunnelImporter.kt`; docs/design/product-kinds-panels.md §4), and
 * PasarGuard serves its configs the same way (panels §1.3). Written with fflate (deflate, no native code).
 */
import { strToU8, type Zippable, zipSync } from 'fflate';
import { safeStem, WIREGUARD_NAME_MAX } from './wireguard-conf-name.js';

/** One config for the zip: its file name (`.conf` is added when missing) and its text. */
export interface ConfigFile {
  readonly name: string;
  readonly text: string;
}

/** The entries' date when none is given: the zip format's first (1980-01-01), so one set of configs is one zip. */
const ZIP_EPOCH = new Date(1980, 0, 1);

/**
 * A zip of `files`, one `<name>.conf` entry each, in their order. Each name keeps the tunnel-name rule of
 * `wireGuardConfName` (`[A-Za-z0-9_.-]`, ≤ 15 characters before `.conf`; `wireguard` when nothing is left), and a
 * name already taken (letter case aside, as macOS and Windows compare them) gets `-2`, `-3`… within those 15
 * characters. `modified` dates the entries (1980-01-01 by default, so the same configs make the same bytes).
 */
export function configsZip(files: readonly ConfigFile[], options: { modified?: Date } = {}): Uint8Array {
  const taken = new Set<string>();
  const entries: Zippable = {};
  for (const file of files) {
    const stem = safeStem(file.name.replace(/\.conf$/i, '')) || 'wireguard';
    let name = stem;
    for (let n = 2; taken.has(name.toLowerCase()); n += 1) {
      const suffix = `-${n}`;
      name = `${stem.slice(0, WIREGUARD_NAME_MAX - suffix.length)}${suffix}`;
    }
    taken.add(name.toLowerCase());
    entries[`${name}.conf`] = strToU8(file.text);
  }
  return zipSync(entries, { level: 6, mtime: options.modified ?? ZIP_EPOCH });
}
