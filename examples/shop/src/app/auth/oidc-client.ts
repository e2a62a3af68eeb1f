import { createHash } from 'node:crypto';
import * as oidc from 'openid-client';
import { shownBase } from '../../config/public-addresses.js';
import type { Shop } from '../shop.js';
import { checkIdTokenSignature } from './id-token-signature.js';
import { isLoopbackHttp, protocolOf, type OidcProtocol, type OidcProvider } from './oidc-providers.js';

/** Who the provider says signed in: its `sub`, and the e-mail with whether the provider verified it. */
export interface ProviderIdentity {
  provider: string;
  subject: string;
  email: string | null;
  /** Only `email_verified: true` from the provider counts; absent or false is unverified. */
  emailVerified: boolean;
  /**
   * Whether the address may join the existing account that holds it by the code mailed to that account: a verified
   * address, or one from a preset that sends no verification flag (Yandex ID, VK ID). Never a join without the code.
   */
  joinByCode: boolean;
}

type ExplicitProtocol = Extract<OidcProtocol, { kind: 'explicit' }>;

/** The checks a sign-in carries from the start to the callback (kept sealed in a cookie, never in the address). */
export interface LoginChecks {
  state: string;
  nonce: string | null;
  codeVerifier: string;
}

// One configuration per provider setting, per process: discovery is fetched once, and again after a failure.
const configurations = new Map<string, Promise<oidc.Configuration>>();

/**
 * The callback address of a sign-in with provider `providerId` that started on `base` (one of the shop's addresses or
 * a storefront's own host: `requestBase`, so the browser comes back to the host holding its state cookie), by default
 * the shown one: `<base>/signin/oidc/<id>/callback`. The owner registers it at the provider for each such address.
 */
export function callbackUrl(shop: Shop, providerId: string, base: string = shownBase(shop.config)): string {
  return `${base}/signin/oidc/${encodeURIComponent(providerId)}/callback`;
}

/** How the shop talks to the provider (a preset's endpoints on the tests' fake server when `SIGN_IN_PRESET_ROOTS` says so). */
function protocolFor(shop: Shop, provider: OidcProvider): OidcProtocol {
  return protocolOf(provider, shop.config.signInPresetRoots);
}

/**
 * The token endpoint's answer without `id_token`, for a preset read through its own user API: VK ID sends an ID
 * token that is not an OpenID Connect one openid-client could check against the preset (no discovery, no keys the
 * shop is told of), and the shop does not use it, so it must not fail the sign-in. Nothing of such a preset's is
 * signed: who signed in is what its user API answers for the access token the shop itself exchanged the code for.
 */
function withoutIdToken(tokenEndpoint: string): oidc.CustomFetch {
  return async (url, options) => {
    const response = await fetch(url, options as RequestInit);
    if (url !== tokenEndpoint) return response;
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return new Response(text, { status: response.status, headers: response.headers });
    }
    if (typeof body === 'object' && body !== null) delete (body as Record<string, unknown>)['id_token'];
    return new Response(JSON.stringify(body), { status: response.status, headers: { 'content-type': 'application/json' } });
  };
}

/** The openid-client configuration of a provider: discovered (standard OpenID Connect) or written from the preset's endpoints. */
export function configurationOf(shop: Shop, provider: OidcProvider): Promise<oidc.Configuration> {
  const protocol = protocolFor(shop, provider);
  const key = createHash('sha256')
    .update(JSON.stringify([provider, protocol]))
    .digest('base64url');
  const cached = configurations.get(key);
  if (cached !== undefined) return cached;
  const issuer = new URL(provider.issuer);
  const made =
    protocol.kind === 'discovery'
      ? oidc.discovery(
          issuer,
          provider.clientId,
          provider.clientSecret,
          undefined,
          isLoopbackHttp(issuer) ? { execute: [oidc.allowInsecureRequests] } : {},
        )
      : Promise.resolve(explicitConfiguration(provider, protocol));
  const kept = made.catch((error: unknown) => {
    configurations.delete(key);
    throw error;
  });
  configurations.set(key, kept);
  return kept;
}

function explicitConfiguration(provider: OidcProvider, protocol: ExplicitProtocol): oidc.Configuration {
  const config = new oidc.Configuration(
    { issuer: provider.issuer, authorization_endpoint: protocol.authorizationEndpoint, token_endpoint: protocol.tokenEndpoint },
    provider.clientId,
    provider.clientSecret === '' ? undefined : provider.clientSecret,
    protocol.clientAuth === 'none' ? oidc.None() : oidc.ClientSecretPost(provider.clientSecret),
  );
  config[oidc.customFetch] = withoutIdToken(protocol.tokenEndpoint);
  // Only the tests' fake servers (SIGN_IN_PRESET_ROOTS, loopback only) are plain http.
  if (isLoopbackHttp(new URL(protocol.tokenEndpoint))) oidc.allowInsecureRequests(config);
  return config;
}

/**
 * The provider's authorization address for a new sign-in (authorization code with PKCE S256, state, and a nonce where
 * there is an ID token) that comes back to `redirectUri` (a {@link callbackUrl}).
 */
export async function authorizationUrl(
  shop: Shop,
  provider: OidcProvider,
  redirectUri: string,
): Promise<{ url: string; checks: LoginChecks }> {
  const config = await configurationOf(shop, provider);
  const protocol = protocolFor(shop, provider);
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = protocol.kind === 'discovery' ? oidc.randomNonce() : null;
  const parameters: Record<string, string> = {
    redirect_uri: redirectUri,
    scope: protocol.scope,
    response_type: 'code',
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
  };
  if (nonce !== null) parameters['nonce'] = nonce;
  return { url: oidc.buildAuthorizationUrl(config, parameters).href, checks: { state, nonce, codeVerifier } };
}

/**
 * Finishes a sign-in at the callback: the code exchanged with the PKCE verifier, state (and for OpenID Connect the
 * nonce and the ID token's claims) checked by openid-client, its signature by `checkIdTokenSignature`
 * (`id-token-signature.ts`), and the user read: from the ID token's claims (the UserInfo endpoint when they hold no
 * e-mail), or from a preset's own user API (Yandex ID, VK ID: no ID token is used). `redirectUri` is the one the
 * sign-in was started with (the exchange must name it again). Throws when any check fails.
 */
export async function identityFromCallback(
  shop: Shop,
  provider: OidcProvider,
  query: URLSearchParams,
  checks: LoginChecks,
  redirectUri: string,
): Promise<ProviderIdentity> {
  const config = await configurationOf(shop, provider);
  const protocol = protocolFor(shop, provider);
  const current = new URL(redirectUri);
  for (const [name, value] of query) current.searchParams.append(name, value);
  // openid-client sends the callback address (the current URL without its query) as `redirect_uri`.
  const extra: Record<string, string> = {};
  if (protocol.kind === 'explicit') {
    for (const name of protocol.echoParameters) {
      const value = query.get(name);
      if (value !== null) extra[name] = value;
    }
    // openid-client has checked the callback's state against this one before the exchange is sent.
    if (protocol.exchangeState) extra['state'] = checks.state;
  }
  const tokens = await oidc.authorizationCodeGrant(
    config,
    current,
    {
      pkceCodeVerifier: checks.codeVerifier,
      expectedState: checks.state,
      ...(checks.nonce === null ? {} : { expectedNonce: checks.nonce }),
      idTokenExpected: protocol.kind === 'discovery',
    },
    extra,
  );
  if (protocol.kind === 'discovery') {
    const claims = tokens.claims();
    if (claims === undefined || tokens.id_token === undefined) throw new Error('the provider sent no ID token');
    await checkIdTokenSignature(config, provider.clientSecret, tokens.id_token);
    let email = typeof claims['email'] === 'string' ? claims['email'] : null;
    let verified = claims['email_verified'] === true;
    if (email === null && config.serverMetadata().userinfo_endpoint !== undefined) {
      const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      email = typeof info.email === 'string' ? info.email : null;
      verified = info.email_verified === true;
    }
    const emailVerified = email !== null && verified;
    return { provider: provider.id, subject: claims.sub, email: email?.toLowerCase() ?? null, emailVerified, joinByCode: emailVerified };
  }
  return presetUser(provider, protocol, tokens.access_token);
}

/**
 * Yandex ID's and VK ID's own user APIs. Neither sends `email_verified`: their addresses count as unverified (a new
 * account gets no such address), but may join the account holding one by the code mailed to it.
 */
async function presetUser(provider: OidcProvider, protocol: ExplicitProtocol, accessToken: string): Promise<ProviderIdentity> {
  const { url, method, authorization } = protocol.userInfo;
  const response = await fetch(url, {
    method,
    headers:
      authorization === 'OAuth'
        ? { authorization: `OAuth ${accessToken}`, accept: 'application/json' }
        : { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    ...(authorization === 'body'
      ? { body: new URLSearchParams({ client_id: provider.clientId, access_token: accessToken }).toString() }
      : {}),
    signal: AbortSignal.timeout(15_000),
  });
  if (!response.ok) throw new Error(`${provider.label} user API answered ${response.status}`);
  const body = (await response.json()) as Record<string, unknown>;
  // Yandex: { id, default_email }; VK ID: { user: { user_id, email } }.
  const user = (typeof body['user'] === 'object' && body['user'] !== null ? body['user'] : body) as Record<string, unknown>;
  const subject = String(user['id'] ?? user['user_id'] ?? '');
  if (subject === '') throw new Error(`${provider.label} user API named no user`);
  const given = user['default_email'] ?? user['email'];
  const email = typeof given === 'string' && given !== '' ? given.toLowerCase() : null;
  return { provider: provider.id, subject, email, emailVerified: false, joinByCode: email !== null && protocol.joinByCode };
}
