import { ENTITLEMENT_KINDS, type EntitlementKind } from '@panelkit/sdk/kinds';
import { reimportNoticeKey } from './kind-text.js';
import type { Translate } from './translate.js';

const isKind = (value: string): value is EntitlementKind => (ENTITLEMENT_KINDS as readonly string[]).includes(value);

/**
 * What a re-import notice says, one line per thing to take again (`reimportNoticeKey`: a config to download again, a
 * proxy link to open), from its `reimportKinds` param (the kinds, comma-separated); WireGuard and AmneziaWG read as
 * one line. `name` is the plan's name in the reader's language.
 */
export function reimportLines(kinds: string, name: string, t: Translate): string {
  const keys = new Set<string>();
  for (const kind of kinds.split(',')) {
    const key = isKind(kind) ? reimportNoticeKey(kind) : null;
    if (key !== null) keys.add(key);
  }
  return [...keys].map((key) => t(key, { name })).join('\n');
}
