import {
  KIND_TRAITS,
  MtprotoSecretCoreSchema,
  WireGuardKeySchema,
  mtprotoSecret,
  mtprotoSecretParts,
  wireGuardPublicKey,
} from '../../domain/entitlement.js';
import type { EntitlementKind } from '../../domain/entitlement.js';
import { PanelConflictError, PanelRejectedError } from '../../errors.js';
import type { PanelErrorContext } from '../../errors.js';
import type { ClientLinks, ClientSpec } from '../../ports/panel.js';
import type { FakeClient } from './fake-client.js';
import type { FakeTarget } from './fake-targets.js';

/** The credentials a new client of a kind gets from its spec, before the panel gives it an address. */
export interface KindCredentials {
  readonly kind: EntitlementKind;
  readonly wireguard?: { readonly privateKey: string; readonly publicKey: string };
  readonly mtproto?: { readonly secret: string };
}

/**
 * What the panel makes of a spec's credentials for `target`, or a `PanelRejectedError` (changing nothing) for a kind
 * the target does not serve, a missing or malformed WireGuard private key, or a missing or malformed secret core.
 * The panel derives the public key itself, as PasarGuard and 3x-ui do, and writes the secret in FakeTLS form.
 */
export function credentialsFor(target: FakeTarget, spec: ClientSpec, context: PanelErrorContext): KindCredentials {
  const kind = spec.kind ?? 'xray';
  const refuse = (message: string, path: string) => new PanelRejectedError(message, context, [{ path, message }]);
  if (!target.kinds.includes(kind)) throw refuse(`target ${target.remoteRef} serves no ${kind} clients`, 'kind');
  const { delivery } = KIND_TRAITS[kind];
  if (delivery === 'wireguard_config') {
    const privateKey = spec.identity.wireguard?.privateKey;
    if (!WireGuardKeySchema.safeParse(privateKey).success) throw refuse('invalid WireGuard private key', 'identity.wireguard.privateKey');
    return { kind, wireguard: { privateKey: privateKey!, publicKey: wireGuardPublicKey(privateKey!) } };
  }
  if (delivery === 'telegram_proxy') {
    const core = spec.identity.mtproto?.secretCore;
    if (!MtprotoSecretCoreSchema.safeParse(core).success) throw refuse('invalid MTProto secret', 'identity.mtproto.secretCore');
    return { kind, mtproto: { secret: mtprotoSecret(core!, 'ee', target.fakeTlsDomain ?? undefined) } };
  }
  return { kind };
}

/**
 * Whether an existing client of the same username is the one the spec asks for, so the create adopts it: same kind,
 * same public key, same secret core. Otherwise a `PanelConflictError`: the username holds other credentials.
 */
export function checkAdoptable(existing: FakeClient, wanted: KindCredentials, context: PanelErrorContext): void {
  const core = (secret: string | undefined) => (secret === undefined ? undefined : mtprotoSecretParts(secret)?.core);
  const same =
    existing.kind === wanted.kind &&
    existing.wireguard?.publicKey === wanted.wireguard?.publicKey &&
    core(existing.mtproto?.secret) === core(wanted.mtproto?.secret);
  if (!same) throw new PanelConflictError(`client ${existing.identity.username} exists with other credentials`, context);
}

/** A client's links as the fake panel prints them: a `vless://` link, a `wireguard://` link, or a `tg://proxy` link. */
export function linksOf(client: FakeClient, target: FakeTarget | undefined): ClientLinks {
  const { username, subId, uuid } = client.identity;
  if (client.wireguard !== undefined && target !== undefined) {
    const query = new URLSearchParams({
      publickey: target.serverPublicKey ?? '',
      address: client.wireguard.addresses.join(','),
      mtu: '1420',
      dns: '1.1.1.1',
    });
    if (client.kind === 'amneziawg' && target.amnezia !== null)
      for (const [key, value] of Object.entries(target.amnezia)) query.set(key, String(value));
    const link = `wireguard://${encodeURIComponent(client.wireguard.privateKey)}@${target.host}:${target.port}/?${query}#${username}`;
    return { subscriptionUrl: null, shareLinks: [link] };
  }
  if (client.mtproto !== undefined && target !== undefined) {
    const query = new URLSearchParams({ port: String(target.port), secret: client.mtproto.secret, server: target.host });
    return { subscriptionUrl: null, shareLinks: [`tg://proxy?${query}`] };
  }
  return { subscriptionUrl: `https://fake.panel/sub/${subId}`, shareLinks: [`vless://${uuid}@fake.panel:443#${username}`] };
}
