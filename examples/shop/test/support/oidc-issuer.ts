import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { json, randomToken, redirect, s256, startFakeServer, type ReceivedRequest } from './fake-oauth-server.js';

/** How the issuer signs its ID tokens: its RSA or P-256 key (published at `jwks_uri`), or the client's secret. */
export type IdTokenAlg = 'RS256' | 'ES256' | 'HS256';

/** The person signed in at the issuer. */
export interface IssuerUser {
  sub: string;
  email: string;
  emailVerified: boolean;
}

/** A fake OpenID Connect issuer on 127.0.0.1 with one confidential client, whose token answers a test may alter. */
export interface OidcIssuer {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: Set<string>;
  /** Who is signed in at the issuer and allows the client at `/authorize`. */
  signedIn: IssuerUser | null;
  /** How the next ID tokens are signed. */
  alg: IdTokenAlg;
  /** Changes the ID token of the next token answers on the way to the shop (a proxy that alters what it passes on); `null`: sent as signed. */
  alterIdToken: ((idToken: string) => string) | null;
  readonly received: ReceivedRequest[];
  close(): Promise<void>;
}

interface IssuedCode {
  user: IssuerUser;
  challenge: string;
  nonce: string;
  redirectUri: string;
  used: boolean;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A compact JWS of `claims`: RS256 and ES256 with `key` (ES256's signature as r‖s, RFC 7518 §3.4), HS256 with `secret`. */
export function signJwt(
  claims: Record<string, unknown>,
  alg: IdTokenAlg,
  key: { private?: KeyObject; kid?: string; secret?: string },
): string {
  const input = `${b64url({ alg, typ: 'JWT', ...(key.kid === undefined ? {} : { kid: key.kid }) })}.${b64url(claims)}`;
  const signature =
    alg === 'HS256'
      ? createHmac('sha256', key.secret as string)
          .update(input)
          .digest()
      : sign(
          'sha256',
          Buffer.from(input),
          alg === 'ES256' ? { key: key.private as KeyObject, dsaEncoding: 'ieee-p1363' } : (key.private as KeyObject),
        );
  return `${input}.${signature.toString('base64url')}`;
}

/** The ID token with its signature's first byte flipped: what a proxy that rewrote the token would pass on. */
export function flipSignature(idToken: string): string {
  const [header, payload, signature] = idToken.split('.') as [string, string, string];
  const bytes = Buffer.from(signature, 'base64url');
  bytes[0] = (bytes[0] as number) ^ 0xff;
  return `${header}.${payload}.${bytes.toString('base64url')}`;
}

/** The ID token's claims, read without any check (for a test to forge a token from a real one). */
export function claimsOf(idToken: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(idToken.split('.')[1] as string, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/**
 * An OpenID Connect issuer as OpenID Connect Core and Discovery 1.0 describe it, on one origin: the discovery
 * document (ID tokens signed RS256, ES256 or HS256; `client_secret_post`; PKCE S256), `GET /jwks` (one RSA 2048 and
 * one P-256 key), `GET /authorize` (the signed-in person allows at once: back with `code` and `state`), and
 * `POST /token` (the code once, with its PKCE verifier and the client's secret: `{ access_token, token_type,
 * expires_in, id_token }`, the ID token carrying `iss`, `sub`, `aud`, `exp`, `iat`, `nonce`, `email`,
 * `email_verified`). HS256 tokens are keyed with the client secret's UTF-8 bytes (Core 10.1).
 */
export async function startOidcIssuer(): Promise<OidcIssuer> {
  const clientId = 'panelkit-shop-client';
  const clientSecret = 'an-issuer-client-secret-for-the-tests-0123456789';
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const redirectUris = new Set<string>();
  const codes = new Map<string, IssuedCode>();
  const state = { signedIn: null as IssuerUser | null, alg: 'RS256' as IdTokenAlg, alterIdToken: null as ((t: string) => string) | null };
  let origin = '';
  const server = await startFakeServer({
    'GET /.well-known/openid-configuration': (_request, res) =>
      json(res, 200, {
        issuer: origin,
        authorization_endpoint: `${origin}/authorize`,
        token_endpoint: `${origin}/token`,
        jwks_uri: `${origin}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256', 'ES256', 'HS256'],
        token_endpoint_auth_methods_supported: ['client_secret_post'],
        code_challenge_methods_supported: ['S256'],
        scopes_supported: ['openid', 'email', 'profile'],
      }),
    'GET /jwks': (_request, res) =>
      json(res, 200, {
        keys: [
          { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
          { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-1', alg: 'ES256', use: 'sig' },
        ],
      }),
    'GET /authorize': ({ query }, res) => {
      const redirectUri = query.get('redirect_uri') ?? '';
      if (
        query.get('response_type') !== 'code' ||
        query.get('client_id') !== clientId ||
        !redirectUris.has(redirectUri) ||
        query.get('code_challenge_method') !== 'S256' ||
        (query.get('code_challenge') ?? '') === '' ||
        !(query.get('scope') ?? '').split(' ').includes('openid')
      )
        return void json(res, 400, { error: 'invalid_request' });
      const back = new URL(redirectUri);
      back.searchParams.set('state', query.get('state') ?? '');
      if (state.signedIn === null) back.searchParams.set('error', 'access_denied');
      else {
        const code = randomToken();
        const challenge = query.get('code_challenge') as string;
        codes.set(code, { user: state.signedIn, challenge, nonce: query.get('nonce') ?? '', redirectUri, used: false });
        back.searchParams.set('code', code);
      }
      redirect(res, back.href);
    },
    'POST /token': ({ form }, res) => {
      if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret)
        return void json(res, 401, { error: 'invalid_client' });
      const issued = codes.get(form.get('code') ?? '');
      if (form.get('grant_type') !== 'authorization_code' || issued === undefined || issued.used)
        return void json(res, 400, { error: 'invalid_grant' });
      issued.used = true;
      if (s256(form.get('code_verifier') ?? '') !== issued.challenge || form.get('redirect_uri') !== issued.redirectUri)
        return void json(res, 400, { error: 'invalid_grant' });
      const now = Math.floor(Date.now() / 1000);
      const claims = {
        iss: origin,
        sub: issued.user.sub,
        aud: clientId,
        exp: now + 600,
        iat: now,
        ...(issued.nonce === '' ? {} : { nonce: issued.nonce }),
        email: issued.user.email,
        email_verified: issued.user.emailVerified,
      };
      const signed =
        state.alg === 'HS256'
          ? signJwt(claims, 'HS256', { secret: clientSecret })
          : signJwt(
              claims,
              state.alg,
              state.alg === 'RS256' ? { private: rsa.privateKey, kid: 'rsa-1' } : { private: ec.privateKey, kid: 'ec-1' },
            );
      const idToken = state.alterIdToken === null ? signed : state.alterIdToken(signed);
      json(res, 200, { access_token: randomToken(), token_type: 'Bearer', expires_in: 3600, id_token: idToken });
    },
  });
  origin = server.origin;
  return {
    issuer: origin,
    clientId,
    clientSecret,
    redirectUris,
    get signedIn() {
      return state.signedIn;
    },
    set signedIn(user: IssuerUser | null) {
      state.signedIn = user;
    },
    get alg() {
      return state.alg;
    },
    set alg(alg: IdTokenAlg) {
      state.alg = alg;
    },
    get alterIdToken() {
      return state.alterIdToken;
    },
    set alterIdToken(alter: ((idToken: string) => string) | null) {
      state.alterIdToken = alter;
    },
    received: server.received,
    close: server.close,
  };
}
