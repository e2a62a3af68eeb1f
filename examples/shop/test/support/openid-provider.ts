import { createServer, type Server } from 'node:http';
import Provider from 'oidc-provider';

/** A person the provider signs in (the login typed on its sign-in page), with the e-mail it vouches for or not. */
export interface ProviderUser {
  email: string;
  /** `undefined`: the provider sends no `email_verified` claim at all. */
  emailVerified: boolean | undefined;
}

/** A real OpenID Provider (`oidc-provider`) on 127.0.0.1 with one confidential client, for the shop to sign buyers in with. */
export interface OpenIdProvider {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The people it knows, by the login typed on its (development) sign-in page. */
  readonly users: Map<string, ProviderUser>;
  close(): Promise<void>;
}

/**
 * Starts the provider with the client registered for `redirectUri`: authorization code with PKCE, the client's secret
 * posted to the token endpoint, `openid email` scopes. Its development sign-in page takes any known login (and any
 * password); its consent page has one "Continue" button.
 */
export async function startOpenIdProvider(redirectUri: string): Promise<OpenIdProvider> {
  const users = new Map<string, ProviderUser>();
  const clientId = 'panelkit-shop';
  const clientSecret = 'a-client-secret-for-the-tests-0123456789';
  const server: Server = await new Promise((resolve) => {
    const created = createServer();
    created.listen(0, '127.0.0.1', () => resolve(created));
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    cookies: { keys: ['provider-cookie-key-for-the-tests'] },
    pkce: { required: () => true },
    async findAccount(_ctx, id) {
      const user = users.get(id);
      if (user === undefined) return undefined;
      return {
        accountId: id,
        async claims() {
          return { sub: id, email: user.email, ...(user.emailVerified === undefined ? {} : { email_verified: user.emailVerified }) };
        },
      };
    },
  });
  server.on('request', provider.callback());
  return {
    issuer,
    clientId,
    clientSecret,
    users,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
