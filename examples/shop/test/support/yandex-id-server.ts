import { json, randomToken, redirect, s256, startFakeServer, type ReceivedRequest } from './fake-oauth-server.js';

/** A Yandex account as the fake knows it. */
export interface YandexUser {
  id: string;
  login: string;
  /** `default_email`; `null`: the account has none (the field is left out). */
  email: string | null;
}

/** A fake Yandex ID (Yandex OAuth and the Yandex ID API) for one registered app. */
export interface YandexIdServer {
  readonly origin: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The redirect addresses the app registered (the shop's callback). */
  readonly redirectUris: Set<string>;
  /** Who is signed in at Yandex and allows the app when the browser comes to `/authorize`; `null`: they refuse. */
  signedIn: YandexUser | null;
  readonly received: ReceivedRequest[];
  close(): Promise<void>;
}

interface IssuedCode {
  user: YandexUser;
  challenge: string | null;
  method: string;
  used: boolean;
}

/**
 * Yandex ID as its documentation (yandex.ru/dev/id/doc, "Getting an OAuth token: code", "Exchanging the token for
 * information about the user") describes it, on one origin with the real paths:
 * - `GET /authorize` (oauth.yandex.ru): `response_type=code`, `client_id`, optional `redirect_uri` (one of the app's),
 *   `state`, `code_challenge` and `code_challenge_method` (`S256` or `plain`), `scope`; back to the redirect address
 *   with `code` and `state`, or `error=access_denied` when the person refuses.
 * - `POST /token` (oauth.yandex.ru): a form with `grant_type=authorization_code`, `code`, the app's `client_id` and
 *   `client_secret` (in the body or HTTP Basic), `code_verifier` when the code was asked with a challenge; answers
 *   `{ token_type: "bearer", access_token, expires_in, refresh_token }`, or 400 `{ error, error_description }`
 *   (`invalid_grant` for a wrong, used or foreign code, `invalid_client` for wrong credentials). A code works once.
 * - `GET /info?format=json` (login.yandex.ru) with `Authorization: OAuth <token>`: `{ id, login, client_id, psuid,
 *   default_email, emails }` (the e-mail fields with the `login:email` right), 401 for a bad token. No
 *   `email_verified` anywhere.
 */
export async function startYandexIdServer(): Promise<YandexIdServer> {
  const clientId = 'yandex-app-id-0123456789abcdef';
  const clientSecret = 'yandex-app-secret-0123456789abcdef';
  const redirectUris = new Set<string>();
  const codes = new Map<string, IssuedCode>();
  const tokens = new Map<string, YandexUser>();
  const state = { signedIn: null as YandexUser | null };
  const server = await startFakeServer({
    'GET /authorize': ({ query }, res) => {
      if (query.get('response_type') !== 'code' || query.get('client_id') !== clientId)
        return void json(res, 400, { error: 'invalid_request' });
      const redirectUri = query.get('redirect_uri') ?? [...redirectUris][0];
      if (redirectUri === undefined || !redirectUris.has(redirectUri)) return void json(res, 400, { error: 'invalid_request' });
      const back = new URL(redirectUri);
      const given = query.get('state');
      if (state.signedIn === null) back.searchParams.set('error', 'access_denied');
      else {
        const code = randomToken();
        const method = query.get('code_challenge_method') ?? 'plain';
        codes.set(code, { user: state.signedIn, challenge: query.get('code_challenge'), method, used: false });
        back.searchParams.set('code', code);
      }
      if (given !== null) back.searchParams.set('state', given);
      redirect(res, back.href);
    },
    'POST /token': ({ form, headers }, res) => {
      const basic = /^Basic (.+)$/.exec(headers.authorization ?? '')?.[1];
      const [basicId, basicSecret] = basic === undefined ? [] : Buffer.from(basic, 'base64').toString('utf8').split(':');
      if ((form.get('client_id') ?? basicId) !== clientId || (form.get('client_secret') ?? basicSecret) !== clientSecret)
        return void json(res, 400, { error: 'invalid_client', error_description: 'Client authentication failed' });
      if (form.get('grant_type') !== 'authorization_code') return void json(res, 400, { error: 'unsupported_grant_type' });
      const issued = codes.get(form.get('code') ?? '');
      if (issued === undefined || issued.used)
        return void json(res, 400, { error: 'invalid_grant', error_description: 'Code has expired' });
      issued.used = true;
      if (issued.challenge !== null) {
        const verifier = form.get('code_verifier') ?? '';
        const proof = issued.method === 'S256' ? s256(verifier) : verifier;
        if (proof !== issued.challenge) return void json(res, 400, { error: 'invalid_grant', error_description: 'Code verifier mismatch' });
      }
      const accessToken = randomToken();
      tokens.set(accessToken, issued.user);
      json(res, 200, { token_type: 'bearer', access_token: accessToken, expires_in: 31_536_000, refresh_token: randomToken() });
    },
    'GET /info': ({ headers }, res) => {
      const user = tokens.get(/^OAuth (.+)$/.exec(headers.authorization ?? '')?.[1] ?? '');
      if (user === undefined) return void json(res, 401, { error: 'invalid_token' });
      json(res, 200, {
        id: user.id,
        login: user.login,
        client_id: clientId,
        psuid: `psuid-${user.id}`,
        ...(user.email === null ? {} : { default_email: user.email, emails: [user.email] }),
      });
    },
  });
  return {
    origin: server.origin,
    clientId,
    clientSecret,
    redirectUris,
    get signedIn() {
      return state.signedIn;
    },
    set signedIn(user: YandexUser | null) {
      state.signedIn = user;
    },
    received: server.received,
    close: server.close,
  };
}
