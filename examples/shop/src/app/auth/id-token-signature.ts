import { compactVerify, createRemoteJWKSet, decodeProtectedHeader } from 'jose';
import type * as oidc from 'openid-client';
import { isLoopbackHttp } from './oidc-providers.js';

/** The algorithms keyed with the client secret (its UTF-8 bytes, OpenID Connect Core 10.1) rather than the issuer's keys. */
const CLIENT_SECRET_ALGS = new Set(['HS256', 'HS384', 'HS512']);

/** The issuer's published keys per configuration: fetched at the first check, again for an unknown `kid`, kept 10 minutes. */
const issuerKeys = new WeakMap<oidc.Configuration, ReturnType<typeof createRemoteJWKSet>>();

function keysOf(config: oidc.Configuration): ReturnType<typeof createRemoteJWKSet> {
  const known = issuerKeys.get(config);
  if (known !== undefined) return known;
  const uri = config.serverMetadata().jwks_uri;
  if (uri === undefined) throw new Error('the issuer publishes no keys (no jwks_uri) to check its ID token with');
  const url = new URL(uri);
  // As openid-client's own requests: https, or plain http only to an issuer on this machine (the tests').
  if (url.protocol !== 'https:' && !isLoopbackHttp(url)) throw new Error('the issuer’s jwks_uri is not https');
  const keys = createRemoteJWKSet(url);
  issuerKeys.set(config, keys);
  return keys;
}

/**
 * Checks the signature of an ID token whose claims openid-client accepted (issuer, audience, expiry, nonce, and an
 * `alg` the issuer's discovery document lists). openid-client 6 checks no signature of a token it fetched from the
 * token endpoint itself, since OpenID Connect Core 3.1.3.7 lets a client trust TLS there; the shop does not, because
 * it speaks plain http to an issuer on this machine and owners run it behind TLS-intercepting proxies. RS*, PS*, ES*
 * and EdDSA tokens verify with a key from the issuer's `jwks_uri`; HS256/384/512 tokens with the client secret
 * (Core 10.1). Only the algorithms the issuer lists (RS256 when it lists none) pass, never `none`. Throws when the
 * signature does not verify or no key fits.
 */
export async function checkIdTokenSignature(config: oidc.Configuration, clientSecret: string, idToken: string): Promise<void> {
  const listed = config.serverMetadata().id_token_signing_alg_values_supported ?? ['RS256'];
  const algorithms = listed.filter((alg) => alg !== 'none');
  const { alg } = decodeProtectedHeader(idToken);
  if (alg !== undefined && CLIENT_SECRET_ALGS.has(alg)) {
    await compactVerify(idToken, new TextEncoder().encode(clientSecret), { algorithms });
    return;
  }
  await compactVerify(idToken, keysOf(config), { algorithms });
}
