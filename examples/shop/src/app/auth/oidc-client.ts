import { createHash } from 'node:crypto';
import * as oidc from 'openid-client';
import { shownBase } from '../../config/public-addresses.js';
import type { Shop } from '../shop.js';
import { protocolOf, type OidcProvider } from './oidc-providers.js';

/** Who the provider says signed in: its `sub`, and the e-mail with whether the provider verified it. */
export interface ProviderIdentity {
  provider: string;
  subject: string;
  email: string | null;
  /** Only `email_verified: true` from the provider counts; absent or false is unverified. */
  emailVerified: boolean;
}

/** The checks a sign-in carries from the start to the callback (kept sealed in a cookie, never in the address). */
export interface LoginChecks {
  state: string;
  nonce: string | null;
  codeVerifier: string;
}

// One configuration per provider setting, per process: discovery is fetched once, and again after a failure.
const configurations = new Map<string, Promise<oidc.Configuration>>();

/** The callback address the owner registers at the provider: `<first public address>/signin/oidc/<id>/callback`. */
export function callbackUrl(shop: Shop, providerId: string): string {
  return `${shownBase(shop.config)}/signin/oidc/${encodeURIComponent(providerId)}/callback`;
}

function isLoopback(url: URL): boolean {
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

/** The openid-client configuration of a provider: discovered (standard OpenID Connect) or written from the preset's endpoints. */
export function configurationOf(provider: OidcProvider): Promise<oidc.Configuration> {
  const key = createHash('sha256').update(JSON.stringify(provider)).digest('base64url');
  const cached = configurations.get(key);
  if (cached !== undefined) return cached;
  const protocol = protocolOf(provider);
  const issuer = new URL(provider.issuer);
  const made =
    protocol.kind === 'discovery'
      ? oidc.discovery(
          issuer,
          provider.clientId,
          provider.clientSecret,
          undefined,
          isLoopback(issuer) ? { execute: [oidc.allowInsecureRequests] } : {},
        )
      : Promise.resolve(
          new oidc.Configuration(
            { issuer: provider.issuer, authorization_endpoint: protocol.authorizationEndpoint, token_endpoint: protocol.tokenEndpoint },
            provider.clientId,
            provider.clientSecret === '' ? undefined : provider.clientSecret,
            protocol.clientAuth === 'none' ? oidc.None() : oidc.ClientSecretPost(provider.clientSecret),
          ),
        );
  const kept = made.catch((error: unknown) => {
    configurations.delete(key);
    throw error;
  });
  configurations.set(key, kept);
  return kept;
}

/** The provider's authorization address for a new sign-in (authorization code with PKCE S256, state, and a nonce where there is an ID token). */
export async function authorizationUrl(shop: Shop, provider: OidcProvider): Promise<{ url: string; checks: LoginChecks }> {
  const config = await configurationOf(provider);
  const protocol = protocolOf(provider);
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = protocol.kind === 'discovery' ? oidc.randomNonce() : null;
  const parameters: Record<string, string> = {
    redirect_uri: callbackUrl(shop, provider.id),
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
 * nonce and the ID token) checked by openid-client, and the user read: from the ID token's claims (the UserInfo
 * endpoint when they hold no e-mail), or from a preset's own user API. Throws when any check fails.
 */
export async function identityFromCallback(
  shop: Shop,
  provider: OidcProvider,
  query: URLSearchParams,
  checks: LoginChecks,
): Promise<ProviderIdentity> {
  const config = await configurationOf(provider);
  const protocol = protocolOf(provider);
  const current = new URL(callbackUrl(shop, provider.id));
  for (const [name, value] of query) current.searchParams.append(name, value);
  // openid-client sends the callback address (the current URL without its query) as `redirect_uri`.
  const extra: Record<string, string> = {};
  if (protocol.kind === 'explicit') {
    for (const name of protocol.echoParameters) {
      const value = query.get(name);
      if (value !== null) extra[name] = value;
    }
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
    if (claims === undefined) throw new Error('the provider sent no ID token');
    let email = typeof claims['email'] === 'string' ? claims['email'] : null;
    let verified = claims['email_verified'] === true;
    if (email === null && config.serverMetadata().userinfo_endpoint !== undefined) {
      const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      email = typeof info.email === 'string' ? info.email : null;
      verified = info.email_verified === true;
    }
    return { provider: provider.id, subject: claims.sub, email: email?.toLowerCase() ?? null, emailVerified: email !== null && verified };
  }
  return presetUser(provider, protocol, tokens.access_token);
}

/** Yandex ID's and VK ID's own user APIs (neither sends `email_verified`: their addresses count as unverified). */
async function presetUser(
  provider: OidcProvider,
  protocol: Extract<ReturnType<typeof protocolOf>, { kind: 'explicit' }>,
  accessToken: string,
): Promise<ProviderIdentity> {
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
  const email = user['default_email'] ?? user['email'];
  return {
    provider: provider.id,
    subject,
    email: typeof email === 'string' && email !== '' ? email.toLowerCase() : null,
    emailVerified: false,
  };
}
