import { KIND_TRAITS, type EntitlementKind } from '@panelkit/sdk';
import type { Translate } from './translate.js';

/** Each kind's name as owners and buyers read it ("WireGuard", "Telegram proxy"), as whole message keys. */
const KIND_NAME_KEYS: Readonly<Record<EntitlementKind, string>> = {
  xray: 'kinds.names.xray',
  wireguard: 'kinds.names.wireguard',
  amneziawg: 'kinds.names.amneziawg',
  mtproto: 'kinds.names.mtproto',
};

/** The name of `kind` in the reader's language. */
export function kindName(kind: EntitlementKind, t: Translate): string {
  return t(KIND_NAME_KEYS[kind]);
}

/**
 * What the buyer is told when a part whose app does not refresh from the link (`KIND_TRAITS.refreshesFromLink`
 * false) changed credentials or server (a rotation, a move, an evacuation): download the config again, or open the
 * new proxy link. `null` for a kind whose app refreshes itself (Xray), which needs no notice.
 */
export function reimportNoticeKey(kind: EntitlementKind): string | null {
  const traits = KIND_TRAITS[kind];
  if (traits.refreshesFromLink) return null;
  return traits.delivery === 'telegram_proxy' ? 'kinds.changed.telegram' : 'kinds.changed.config';
}
