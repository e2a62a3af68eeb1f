/**
 * What a target is on Marzban: a set of inbound tags per protocol (`UserCreate.inbounds`). A user
 * gets one credential per protocol (`proxies`) and is placed on exactly the tags listed.
 */
import type { JsonObject } from '@panelkit/sdk';
import type { TargetRef } from '@panelkit/sdk/adapter';
import { ValidationError } from '@panelkit/sdk';
import { z } from 'zod';
import { MARZBAN_PROTOCOLS, type MarzbanProtocol, MarzbanProtocolSchema } from './schemas.js';

/** `TargetRef.remoteMeta` for Marzban. */
export const MarzbanTargetMetaSchema = z.object({
  /** Inbound tags per protocol; every list non-empty (an empty list would mean "all", which drifts). */
  inbounds: z
    .partialRecord(MarzbanProtocolSchema, z.array(z.string().min(1)).min(1))
    .refine((inbounds) => Object.keys(inbounds).length > 0, 'at least one protocol'),
  /** VLESS flow for the user's vless credential (`xtls-rprx-vision` for TCP+REALITY/TLS inbounds). */
  vlessFlow: z.enum(['', 'xtls-rprx-vision']).optional(),
  /** Shadowsocks cipher; Marzban's default is `chacha20-ietf-poly1305`. */
  shadowsocksMethod: z.enum(['aes-128-gcm', 'aes-256-gcm', 'chacha20-ietf-poly1305']).optional(),
});
/** A Marzban target's `remoteMeta`: inbound tags per protocol, VLESS flow and Shadowsocks cipher (see `MarzbanTargetMetaSchema`). */
export type MarzbanTargetMeta = z.infer<typeof MarzbanTargetMetaSchema>;

export type InboundSelection = Partial<Record<MarzbanProtocol, string[]>>;

/** Reads a target's meta, or says exactly what is wrong with it. Nothing is sent to the panel. */
export function parseTargetMeta(target: TargetRef): MarzbanTargetMeta {
  const parsed = MarzbanTargetMetaSchema.safeParse(target.remoteMeta);
  if (parsed.success) return parsed.data;
  throw new ValidationError(
    `target ${target.remoteRef} has no usable Marzban inbound selection`,
    parsed.error.issues.map((issue) => ({ path: ['remoteMeta', ...issue.path].join('.'), message: issue.message })),
  );
}

/** Protocols in a stable order, so references and bodies do not depend on key order. */
export function orderedProtocols(selection: InboundSelection): MarzbanProtocol[] {
  return MARZBAN_PROTOCOLS.filter((protocol) => (selection[protocol]?.length ?? 0) > 0);
}

/** The canonical reference of an inbound selection: its tags, protocol by protocol, sorted. */
export function selectionRef(selection: InboundSelection): string {
  return orderedProtocols(selection)
    .flatMap((protocol) => [...(selection[protocol] ?? [])].sort())
    .join(' + ');
}

/** The target a user is on, rebuilt from the inbounds the panel reports for it. */
export function targetOfUser(inbounds: Record<string, string[]>): TargetRef {
  const selection: InboundSelection = {};
  for (const protocol of MARZBAN_PROTOCOLS) {
    const tags = inbounds[protocol];
    if (tags && tags.length > 0) selection[protocol] = [...tags].sort();
  }
  const protocols = orderedProtocols(selection);
  const remoteMeta: JsonObject = { inbounds: selection as JsonObject };
  return { remoteRef: selectionRef(selection), protocol: protocols.length === 1 ? protocols[0]! : 'mixed', remoteMeta };
}
