import type { Actor } from '@panelkit/sdk';
import type { AccountRole } from '../../db/accounts.js';
import { readSetting, writeSetting, type SettingsDb } from '../../db/shop-settings.js';
import type { Shop } from '../shop.js';

/** The setting's name in `shop_settings`. */
export const OIDC_PROVIDERS_SETTING = 'sign_in.oidc_providers';

/** Which kind of provider: a preset, or any issuer that publishes standard OpenID Connect discovery. */
export type OidcPreset = 'google' | 'yandex' | 'vk' | 'custom';

/** A sign-in provider as the owner set it up (the client secret sealed at rest, apart from this). */
export interface OidcProviderSetting {
  /** The provider's id in the shop's addresses (`/signin/oidc/<id>`): `google`, `yandex`, `vk`, or the owner's. */
  id: string;
  preset: OidcPreset;
  /** The button's name ("Google", "Yandex ID", "VK ID", or the owner's for a custom issuer). */
  label: string;
  /** The issuer URL (discovery at `<issuer>/.well-known/openid-configuration`); for Yandex and VK, fixed by the preset. */
  issuer: string;
  clientId: string;
}

/** A provider with its client secret opened (empty for a client that has none). */
export interface OidcProvider extends OidcProviderSetting {
  clientSecret: string;
}

/**
 * How the shop talks to a provider. `discovery`: standard OpenID Connect (the issuer's discovery document, an ID
 * token with `sub`, `email`, `email_verified`). `explicit`: a provider without OpenID Connect discovery or ID tokens
 * the shop can check, whose documented OAuth 2 endpoints are written here and whose user is read from its own API.
 */
export type OidcProtocol =
  | { kind: 'discovery'; scope: string }
  | {
      kind: 'explicit';
      scope: string;
      authorizationEndpoint: string;
      tokenEndpoint: string;
      /** `client_secret_post`, or `none` for a public client (VK ID exchanges the code with PKCE and no secret). */
      clientAuth: 'client_secret_post' | 'none';
      /** Reads the user from the provider's API with the access token. */
      userInfo: { url: string; method: 'GET' | 'POST'; authorization: 'OAuth' | 'body' };
      /** Extra parameters of the callback that the token exchange must repeat (VK ID's `device_id`). */
      echoParameters: readonly string[];
      /** Whether the token exchange repeats the sign-in's `state` (VK ID's `oauth2/auth` requires it). */
      exchangeState: boolean;
      /**
       * Whether an address the provider gives may join an existing account by the code mailed to that account (it
       * sends no `email_verified`, but the code proves the mailbox): Yandex ID's and VK ID's addresses.
       */
      joinByCode: boolean;
    };

/**
 * The presets. Google speaks standard discovery (`https://accounts.google.com`). Yandex ID is OAuth 2.0 only (no
 * discovery document, no ID token): authorize and token at `oauth.yandex.ru`, the user from `login.yandex.ru/info`
 * with `Authorization: OAuth <token>`, no `email_verified` (so a Yandex address joins an existing account only by
 * the code mailed to it). VK ID is OAuth 2.1 (PKCE required, no discovery document): authorize at
 * `id.vk.com/authorize`, the code exchanged at `id.vk.com/oauth2/auth` with the callback's `device_id` and the
 * sign-in's `state`, the user from `id.vk.com/oauth2/user_info` (POST with `client_id` and `access_token`), no
 * `email_verified` either. The tests' fakes of both: `test/support/yandex-id-server.ts`, `test/support/vk-id-server.ts`.
 */
export const PRESETS: Record<Exclude<OidcPreset, 'custom'>, { label: string; issuer: string; protocol: OidcProtocol }> = {
  google: { label: 'Google', issuer: 'https://accounts.google.com', protocol: { kind: 'discovery', scope: 'openid email profile' } },
  yandex: {
    label: 'Yandex ID',
    issuer: 'https://oauth.yandex.ru',
    protocol: {
      kind: 'explicit',
      scope: 'login:email login:info',
      authorizationEndpoint: 'https://oauth.yandex.ru/authorize',
      tokenEndpoint: 'https://oauth.yandex.ru/token',
      clientAuth: 'client_secret_post',
      userInfo: { url: 'https://login.yandex.ru/info?format=json', method: 'GET', authorization: 'OAuth' },
      echoParameters: [],
      exchangeState: false,
      joinByCode: true,
    },
  },
  vk: {
    label: 'VK ID',
    issuer: 'https://id.vk.com',
    protocol: {
      kind: 'explicit',
      scope: 'email',
      authorizationEndpoint: 'https://id.vk.com/authorize',
      tokenEndpoint: 'https://id.vk.com/oauth2/auth',
      clientAuth: 'none',
      userInfo: { url: 'https://id.vk.com/oauth2/user_info', method: 'POST', authorization: 'body' },
      echoParameters: ['device_id'],
      exchangeState: true,
      joinByCode: true,
    },
  },
};

/** Where the tests' fake Yandex ID and VK ID servers run (`SIGN_IN_PRESET_ROOTS`); empty in production. */
export type PresetRoots = Partial<Record<'yandex' | 'vk', string>>;

/** The endpoint at `root`'s origin with its own path and query (a test's fake server), or unchanged without one. */
function rooted(endpoint: string, root: string | undefined): string {
  if (root === undefined) return endpoint;
  const url = new URL(endpoint);
  return `${new URL(root).origin}${url.pathname}${url.search}`;
}

/** How the shop talks to this provider (a preset's endpoints moved to `roots`' fake server in tests). */
export function protocolOf(provider: OidcProviderSetting, roots: PresetRoots = {}): OidcProtocol {
  if (provider.preset === 'custom') return { kind: 'discovery', scope: 'openid email profile' };
  const protocol = PRESETS[provider.preset].protocol;
  if (protocol.kind !== 'explicit' || (provider.preset !== 'yandex' && provider.preset !== 'vk')) return protocol;
  const root = roots[provider.preset];
  return {
    ...protocol,
    authorizationEndpoint: rooted(protocol.authorizationEndpoint, root),
    tokenEndpoint: rooted(protocol.tokenEndpoint, root),
    userInfo: { ...protocol.userInfo, url: rooted(protocol.userInfo.url, root) },
  };
}

/** Whether a URL is plain http to this machine (a provider run beside the shop for tests), the only http the shop speaks to one. */
export function isLoopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

/** Whether an issuer URL may be used: https, or plain http on this machine only (a provider run beside the shop for tests). */
export function isUsableIssuer(value: string): boolean {
  try {
    const url = new URL(value);
    if (url.search !== '' || url.hash !== '') return false;
    return url.protocol === 'https:' || isLoopbackHttp(url);
  } catch {
    return false;
  }
}

/** Every provider the owner set up, secrets opened, in the order they were added. */
export async function oidcProviders(shop: SettingsDb): Promise<OidcProvider[]> {
  const stored = await readSetting<OidcProviderSetting[], Record<string, string>>(shop, OIDC_PROVIDERS_SETTING);
  if (stored === null) return [];
  return stored.value.map((p) => ({ ...p, clientSecret: stored.secret?.[p.id] ?? '' }));
}

/** One provider by id, or `null`. */
export async function oidcProvider(shop: SettingsDb, id: string): Promise<OidcProvider | null> {
  return (await oidcProviders(shop)).find((p) => p.id === id) ?? null;
}

/** The providers as the sign-in page lists them (no secret). */
export async function signInButtons(shop: SettingsDb): Promise<{ id: string; label: string }[]> {
  return (await oidcProviders(shop)).map(({ id, label }) => ({ id, label }));
}

/** The form the owner posts to add or replace a provider. */
export interface OidcProviderForm {
  preset: string;
  /** For a custom issuer: its id in the shop's addresses (lower-case letters, digits, dashes). */
  id: string;
  label: string;
  issuer: string;
  clientId: string;
  /** Empty keeps the stored secret when the provider is replaced. */
  clientSecret: string;
}

/** What saving came to: saved, refused (not the owner), or the fields refused (message keys); nothing is saved then. */
export type SaveOidcProviderResult = { ok: true } | { ok: false; reason: 'forbidden' } | { ok: false; fields: Record<string, string> };

async function store(shop: Shop, providers: readonly OidcProvider[], by: string | null): Promise<void> {
  const value: OidcProviderSetting[] = providers.map(({ id, preset, label, issuer, clientId }) => ({
    id,
    preset,
    label,
    issuer,
    clientId,
  }));
  const secret = Object.fromEntries(providers.map((p) => [p.id, p.clientSecret]));
  await writeSetting(shop, OIDC_PROVIDERS_SETTING, value, secret, shop.clock.now(), by);
}

/**
 * The owner adds a sign-in provider, or replaces one with the same id: a preset (Google, Yandex ID, VK ID: their
 * addresses are the preset's) or a custom issuer (an https URL that publishes OpenID Connect discovery). The client
 * secret is sealed at rest (`shop_settings`) and never shown back. Only the owner; audited without the secret.
 */
export async function saveOidcProvider(
  shop: Shop,
  form: OidcProviderForm,
  actor: Actor & { role: AccountRole },
): Promise<SaveOidcProviderResult> {
  if (actor.role !== 'admin') return { ok: false, reason: 'forbidden' };
  const fields: Record<string, string> = {};
  const preset = form.preset as OidcPreset;
  if (!['google', 'yandex', 'vk', 'custom'].includes(preset)) fields['preset'] = 'forms.required';
  const id = preset === 'custom' ? form.id.trim().toLowerCase() : preset;
  if (!/^[a-z0-9][a-z0-9-]{0,30}$/.test(id)) fields['id'] = 'signin.providers.errors.id';
  const issuer =
    preset === 'custom' ? form.issuer.trim().replace(/\/+$/, '') : (PRESETS[preset as Exclude<OidcPreset, 'custom'>]?.issuer ?? '');
  if (preset === 'custom' && !isUsableIssuer(issuer)) fields['issuer'] = 'signin.providers.errors.issuer';
  const clientId = form.clientId.trim();
  if (clientId === '' || clientId.length > 500) fields['clientId'] = 'forms.required';
  const label =
    preset === 'custom' ? form.label.trim().slice(0, 60) || id : (PRESETS[preset as Exclude<OidcPreset, 'custom'>]?.label ?? id);
  const current = await oidcProviders(shop);
  const before = current.find((p) => p.id === id);
  const clientSecret = form.clientSecret.trim() || before?.clientSecret || '';
  if (clientSecret === '' && preset !== 'vk') fields['clientSecret'] = 'forms.required';
  if (Object.keys(fields).length > 0) return { ok: false, fields };
  const next: OidcProvider = { id, preset, label, issuer, clientId, clientSecret };
  await store(shop, before === undefined ? [...current, next] : current.map((p) => (p.id === id ? next : p)), actor.id);
  await shop.storage.audit.append({
    actor: { type: actor.type, id: actor.id },
    action: 'settings.saved',
    subjectType: 'shop',
    subjectId: 'settings',
    data: { signInProvider: id, secretChanged: form.clientSecret.trim() !== '' },
  });
  return { ok: true };
}

/** The owner removes a provider: its button goes; identities joined through it stay (they sign in again if it comes back). */
export async function removeOidcProvider(shop: Shop, id: string, actor: Actor & { role: AccountRole }): Promise<boolean> {
  if (actor.role !== 'admin') return false;
  const current = await oidcProviders(shop);
  if (!current.some((p) => p.id === id)) return false;
  await store(
    shop,
    current.filter((p) => p.id !== id),
    actor.id,
  );
  await shop.storage.audit.append({
    actor: { type: actor.type, id: actor.id },
    action: 'settings.saved',
    subjectType: 'shop',
    subjectId: 'settings',
    data: { signInProviderRemoved: id },
  });
  return true;
}
