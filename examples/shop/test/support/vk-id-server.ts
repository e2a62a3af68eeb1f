import { json, randomToken, redirect, s256, startFakeServer, type ReceivedRequest } from './fake-oauth-server.js';

/** A VK ID account as the fake knows it. */
export interface VkUser {
  userId: string;
  firstName: string;
  /** `null`: no e-mail (the person has none or did not grant the `email` access). */
  email: string | null;
}

/** A fake VK ID (OAuth 2.1 authorization server and user API) for one web app with no client secret. */
export interface VkIdServer {
  readonly origin: string;
  readonly clientId: string;
  readonly redirectUris: Set<string>;
  /** Who is signed in at VK ID and allows the app at `/authorize`; `null`: they refuse. */
  signedIn: VkUser | null;
  readonly received: ReceivedRequest[];
  close(): Promise<void>;
}

interface IssuedCode {
  user: VkUser;
  challenge: string;
  state: string;
  deviceId: string;
  redirectUri: string;
  used: boolean;
}

const VERIFIER = /^[A-Za-z0-9_-]{43,128}$/;

/**
 * VK ID as its API reference (id.vk.com/about/business/go/docs, "Справочник методов API VK ID", and "Авторизация без
 * SDK для Web") describes it, on one origin with the real paths:
 * - `GET /authorize`: `response_type=code`, `client_id`, `redirect_uri` (one of the app's trusted ones), `state`,
 *   `code_challenge` with `code_challenge_method` `s256` (PKCE is required), optional `scope`; back to the redirect
 *   address with `code`, `state`, `device_id`, `expires_in`, `type=code_v2` (and `ext_id`), or with `error`.
 * - `POST /oauth2/auth`: a form with `grant_type=authorization_code`, `code`, `code_verifier`, `client_id`,
 *   `device_id`, `redirect_uri` and `state` (all required; no client secret for a web app); answers
 *   `{ access_token, refresh_token, id_token, token_type: "Bearer", expires_in, user_id, state, scope }` or
 *   `{ error, error_description }`. The `id_token` is VK's own (issuer `VK`), not an OpenID Connect token for this
 *   client, as the real one may be. A code works once.
 * - `POST /oauth2/user_info`: a form with `client_id` and `access_token`: `{ user: { user_id, first_name, last_name,
 *   avatar, email, … } }` (`email` with that access granted), or `{ error: "invalid_token" }`. No `email_verified`.
 */
export async function startVkIdServer(): Promise<VkIdServer> {
  const clientId = '51234567';
  const redirectUris = new Set<string>();
  const codes = new Map<string, IssuedCode>();
  const tokens = new Map<string, VkUser>();
  const state = { signedIn: null as VkUser | null };
  const server = await startFakeServer({
    'GET /authorize': ({ query }, res) => {
      const redirectUri = query.get('redirect_uri') ?? '';
      const given = query.get('state') ?? '';
      const challenge = query.get('code_challenge') ?? '';
      if (
        query.get('response_type') !== 'code' ||
        query.get('client_id') !== clientId ||
        !redirectUris.has(redirectUri) ||
        given.length < 32 ||
        challenge === '' ||
        query.get('code_challenge_method')?.toLowerCase() !== 's256'
      )
        return void json(res, 400, { error: 'invalid_request' });
      const back = new URL(redirectUri);
      if (state.signedIn === null) {
        back.searchParams.set('error', 'access_denied');
        back.searchParams.set('state', given);
        return void redirect(res, back.href);
      }
      const code = randomToken();
      const deviceId = randomToken();
      codes.set(code, { user: state.signedIn, challenge, state: given, deviceId, redirectUri, used: false });
      back.searchParams.set('code', code);
      back.searchParams.set('state', given);
      back.searchParams.set('device_id', deviceId);
      back.searchParams.set('expires_in', '600');
      back.searchParams.set('type', 'code_v2');
      back.searchParams.set('ext_id', randomToken());
      redirect(res, back.href);
    },
    'POST /oauth2/auth': ({ form }, res) => {
      const refuse = (description: string) => json(res, 400, { error: 'invalid_request', error_description: description });
      for (const name of ['grant_type', 'code', 'code_verifier', 'client_id', 'device_id', 'redirect_uri', 'state'])
        if ((form.get(name) ?? '') === '') return void refuse(`${name} is missing`);
      if (form.get('grant_type') !== 'authorization_code' || form.get('client_id') !== clientId) return void refuse('bad client');
      const issued = codes.get(form.get('code') as string);
      if (issued === undefined || issued.used) return void json(res, 400, { error: 'invalid_grant', error_description: 'code is invalid' });
      issued.used = true;
      const verifier = form.get('code_verifier') as string;
      if (!VERIFIER.test(verifier) || s256(verifier) !== issued.challenge)
        return void json(res, 400, { error: 'invalid_grant', error_description: 'code_verifier is invalid' });
      if (form.get('device_id') !== issued.deviceId) return void refuse('device_id is invalid');
      if (form.get('state') !== issued.state) return void refuse('state is invalid');
      if (form.get('redirect_uri') !== issued.redirectUri) return void refuse('redirect_uri is invalid');
      const accessToken = randomToken();
      tokens.set(accessToken, issued.user);
      const idToken = [
        Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'vk' })).toString('base64url'),
        Buffer.from(
          JSON.stringify({ iss: 'VK', sub: Number(issued.user.userId), app: Number(clientId), exp: 4_000_000_000, iat: 1 }),
        ).toString('base64url'),
        randomToken(),
      ].join('.');
      json(res, 200, {
        access_token: accessToken,
        refresh_token: randomToken(),
        id_token: idToken,
        token_type: 'Bearer',
        expires_in: 3600,
        user_id: Number(issued.user.userId),
        state: issued.state,
        scope: 'vkid.personal_info email',
      });
    },
    'POST /oauth2/user_info': ({ form }, res) => {
      const user = form.get('client_id') === clientId ? tokens.get(form.get('access_token') ?? '') : undefined;
      if (user === undefined) return void json(res, 401, { error: 'invalid_token', error_description: 'access token is invalid' });
      json(res, 200, {
        user: {
          user_id: user.userId,
          first_name: user.firstName,
          last_name: '',
          avatar: '',
          sex: 0,
          verified: false,
          birthday: '',
          ...(user.email === null ? {} : { email: user.email }),
        },
      });
    },
  });
  return {
    origin: server.origin,
    clientId,
    redirectUris,
    get signedIn() {
      return state.signedIn;
    },
    set signedIn(user: VkUser | null) {
      state.signedIn = user;
    },
    received: server.received,
    close: server.close,
  };
}
