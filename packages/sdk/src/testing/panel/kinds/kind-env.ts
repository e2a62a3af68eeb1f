import { isIP } from 'node:net';
import { expect, it } from 'vitest';
import type { TestContext } from 'vitest';
import { KIND_TRAITS, mtprotoSecretParts } from '../../../domain/entitlement.js';
import type { EntitlementKind } from '../../../domain/entitlement.js';
import { PanelRejectedError, ValidationError } from '../../../errors.js';
import { capabilitiesFor, kindsOf } from '../../../ports/panel.js';
import type { ClientSpec, CreatedClient, RemoteClient, ResolvedCapabilities, TargetRef } from '../../../ports/panel.js';
import { describeSafely, expectMatchesSpec, expectNoSecretsInError, identityOf, nextSubscriptionId } from '../support.js';
import type { PanelSuiteEnv } from '../support.js';

/** What the per-kind cases read at test time for one kind besides `xray`. */
export interface KindEnv {
  readonly kind: EntitlementKind;
  readonly base: PanelSuiteEnv;
  /** The factory's target for this kind; throws (failing the case) when the adapter declares the kind without one. */
  readonly target: TargetRef;
  /** The adapter's capabilities for this kind's clients (`capabilitiesFor`). */
  readonly caps: ResolvedCapabilities;
  /** A fresh spec of this kind: credentials derived for it, no device limit; its secrets join the checked ones. */
  spec(overrides?: Partial<ClientSpec>): ClientSpec;
  /** A spec for the same username as `spec` with other credentials (the next generation's). */
  rival(spec: ClientSpec): ClientSpec;
  /** Creates one client of this kind on its target. */
  create(spec?: ClientSpec): Promise<CreatedClient>;
  /** The peer addresses the panel gave out on the target, sorted, or `null` without the `peerAddresses` control. */
  addresses(): Promise<string[] | null>;
}

/** Where the kind's buyer gets it from decides which credential the cases check (never the kind's name). */
export function isWireGuardLike(kind: EntitlementKind): boolean {
  return KIND_TRAITS[kind].delivery === 'wireguard_config';
}

export function isTelegramProxy(kind: EntitlementKind): boolean {
  return KIND_TRAITS[kind].delivery === 'telegram_proxy';
}

/** Whether the adapter under test provisions `kind`. */
export function declares(env: PanelSuiteEnv, kind: EntitlementKind): boolean {
  return kindsOf(env.adapter.capabilities).includes(kind);
}

export function kindEnv(base: PanelSuiteEnv, kind: EntitlementKind): KindEnv {
  const ids = new Map<string, string>();
  const spec = (overrides: Partial<ClientSpec> = {}): ClientSpec => {
    const id = nextSubscriptionId();
    const identity = identityOf(id, 0, kind);
    ids.set(identity.username, id);
    return base.spec({ identity, kind, deviceLimit: null, ...overrides });
  };
  const env: KindEnv = {
    kind,
    base,
    get target(): TargetRef {
      const given = base.panel.targets?.[kind];
      if (given !== undefined) return given;
      const only = kindsOf(base.adapter.capabilities);
      if (only.length === 1 && only[0] === kind) return base.target;
      throw new Error(`the adapter provisions ${kind} but the factory gave no target for it: return targets: { ${kind}: … }`);
    },
    get caps(): ResolvedCapabilities {
      const caps = capabilitiesFor(base.adapter.capabilities, kind);
      if (caps === null) throw new Error(`the adapter does not provision ${kind}`);
      return caps;
    },
    spec,
    rival(original) {
      const id = ids.get(original.identity.username);
      if (id === undefined) throw new Error('rival() takes a spec made by this kind env');
      return base.spec({ ...original, identity: identityOf(id, original.identity.generation + 1, kind) });
    },
    async create(made = spec()) {
      const created = await base.adapter.createClients(env.target, [made], base.ctx());
      expect(created).toHaveLength(1);
      return created[0]!;
    },
    async addresses() {
      const read = await base.controls.peerAddresses?.(env.target);
      return read === undefined ? null : read.map(normalAddress).sort();
    },
  };
  return env;
}

/** One per-kind case: skipped where the adapter does not provision the kind, failing where it does without a target. */
export function kindCase(k: KindEnv, name: string, run: (context: TestContext) => Promise<void>): void {
  it(name, async (context) => {
    context.skip(!declares(k.base, k.kind), `the adapter does not provision ${k.kind}`);
    await run(context);
  });
}

/** An address with its prefix length, as panels and links differ on writing it (`10.8.0.2` is `10.8.0.2/32`). */
export function normalAddress(address: string): string {
  const trimmed = address.trim();
  if (trimmed.includes('/')) return trimmed;
  return `${trimmed}/${isIP(trimmed) === 6 ? 128 : 32}`;
}

/** A client's WireGuard addresses, normalised and sorted; fails when it has none. */
export function addressesOf(client: RemoteClient): string[] {
  expect(client.wireguard, `client ${client.ref.username} reports its wireguard peer`).toBeDefined();
  const addresses = client.wireguard!.addresses.map(normalAddress).sort();
  expect(addresses.length, 'a peer has at least one address').toBeGreaterThan(0);
  for (const address of addresses) expect(isIP(address.split('/')[0]!), `${address} is an IP network`).not.toBe(0);
  return addresses;
}

/**
 * Asserts the client is of the kind and carries the spec's credentials as the panel reads them back: the derived
 * public key with at least one address, or a proxy secret of a declared form around the derived core.
 */
export function expectOwnCredentials(k: KindEnv, client: RemoteClient, spec: ClientSpec): void {
  expect(client.kind, 'the client reports its kind').toBe(k.kind);
  expect(client.ref.username).toBe(spec.identity.username);
  if (isWireGuardLike(k.kind)) {
    addressesOf(client);
    expect(client.wireguard!.publicKey, 'the public key of the private key the spec sent').toBe(spec.identity.wireguard?.publicKey);
  }
  if (isTelegramProxy(k.kind)) {
    expect(client.mtproto, `client ${client.ref.username} reports its proxy secret`).toBeDefined();
    const parts = mtprotoSecretParts(client.mtproto!.secret);
    expect(parts, 'the secret is a Telegram proxy secret').not.toBeNull();
    expect(k.caps.mtproto?.secretForms ?? [], 'a form the adapter declares it writes').toContain(parts!.form);
    expect(parts!.core, 'the derived secret core').toBe(spec.identity.mtproto?.secretCore);
  }
}

/** Asserts a client read back matches its spec's limits and carries its own credentials. */
export function expectKindClient(k: KindEnv, client: RemoteClient, spec: ClientSpec): void {
  expectMatchesSpec(client, spec, false);
  expectOwnCredentials(k, client, spec);
}

/** The credential a client keeps for its life: its public key and addresses, or its secret's core. */
export function credentialOf(k: KindEnv, client: RemoteClient): { key: string | null; addresses: string[] } {
  if (isWireGuardLike(k.kind)) return { key: client.wireguard?.publicKey ?? null, addresses: addressesOf(client) };
  const secret = client.mtproto?.secret;
  return { key: secret === undefined ? null : (mtprotoSecretParts(secret)?.core ?? null), addresses: [] };
}

/** Awaits a call that must refuse bad input before the panel changes: a `ValidationError` or a `PanelRejectedError`, not retryable. */
export async function expectRefused(k: KindEnv, promise: Promise<unknown>): Promise<void> {
  let caught: unknown;
  let rejected = false;
  try {
    await promise;
  } catch (error) {
    caught = error;
    rejected = true;
  }
  expect(rejected, 'bad input must be refused, but the call resolved').toBe(true);
  const refused = ValidationError.is(caught) || PanelRejectedError.is(caught);
  expect(refused, `expected a ValidationError or PanelRejectedError, got ${describeSafely(k.base, caught)}`).toBe(true);
  expect((caught as ValidationError).retryable, 'a refusal is not retryable').toBe(false);
  expectNoSecretsInError(k.base, caught);
}
