/** Targets offered by a Marzban panel, from `GET /api/inbounds`. */
import type { JsonObject } from '@panelkit/sdk';
import type { RemoteTarget } from '@panelkit/sdk/adapter';
import { MARZBAN_PROTOCOLS, type MarzbanInbounds } from './schemas.js';
import { selectionRef, type InboundSelection } from './target-meta.js';

/** `TargetRef.remoteRef` is limited to 256 characters; a longer combined selection is not offered. */
const MAX_REF = 256;

/**
 * One target per inbound tag, plus one that puts a user on every inbound of every protocol (the
 * usual Marzban setup). Hosts may build other selections with the same `remoteMeta` shape.
 */
export function listTargets(inbounds: MarzbanInbounds): RemoteTarget[] {
  const targets: RemoteTarget[] = [];
  const all: InboundSelection = {};
  for (const protocol of MARZBAN_PROTOCOLS) {
    for (const inbound of inbounds[protocol] ?? []) {
      (all[protocol] ??= []).push(inbound.tag);
      const selection: InboundSelection = { [protocol]: [inbound.tag] };
      targets.push({
        remoteRef: selectionRef(selection),
        name: inbound.tag,
        protocol,
        enabled: true,
        clientCount: null,
        remoteMeta: { inbounds: selection as JsonObject },
      });
    }
  }
  const protocols = Object.keys(all);
  const ref = selectionRef(all);
  if (targets.length > 1 && ref.length <= MAX_REF) {
    targets.push({
      remoteRef: ref,
      name: 'All inbounds',
      protocol: protocols.length === 1 ? protocols[0]! : 'mixed',
      enabled: true,
      clientCount: null,
      remoteMeta: { inbounds: all as JsonObject },
    });
  }
  return targets;
}
