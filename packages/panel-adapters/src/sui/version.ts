/**
 * What differs between the S-UI versions the adapter supports (1.2.0 … 1.5.x, the `apiv2` era;
 * 0.x–1.1 had a change-list `save` and no token API):
 * - v1.4.0 added `delayStart`/`resetDays` (start on first use), `editbulk` and `delbulk`;
 * - v1.5.0 added `remark`, `createdAt`, `onlineAt`, `setConfigIdentity` (the server forces the
 *   names inside `config` to equal the client name) and made `addbulk` use each client's own
 *   `inbounds` (before: `clients[0].inbounds` restarted for all). The adapter only ever batches
 *   clients of one inbound and always writes config names equal to the client name, so both
 *   behaviours give the same result on every version.
 */
export interface SuiFeatures {
  /** The version string the panel reported (or the one configured). */
  readonly version: string;
  /** `delayStart` + `resetDays` exist (v1.4.0+). */
  readonly delayStart: boolean;
}

/** `[major, minor, patch]`, tolerating a `v` prefix and pre-release suffixes; `null` when unreadable. */
export function parseSuiVersion(version: string): [number, number, number] | null {
  const found = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(version.trim());
  if (!found) return null;
  return [Number(found[1]), Number(found[2]), Number(found[3] ?? 0)];
}

export function featuresOf(version: string): SuiFeatures {
  const parsed = parseSuiVersion(version);
  // An unreadable version is assumed current: the API shape is checked by the schemas anyway.
  const [major, minor] = parsed ?? [1, 5, 0];
  return { version, delayStart: major > 1 || (major === 1 && minor >= 4) };
}
