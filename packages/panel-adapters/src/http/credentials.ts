/**
 * The one credentials shape every adapter factory takes: `auth: { username, password }` (an admin
 * login) or `auth: { token }` (an API token). Each adapter narrows it to what its panel accepts
 * (3x-ui both, S-UI a token, Marzban and Marzneshin a login) and checks it when it is built, so a
 * JavaScript caller passing the wrong one learns at start-up, not at the first panel call.
 */
import { ConfigurationError } from '@panelkit/sdk';

/** An admin's username and password; the adapter logs in with them and logs in again when the session is lost. */
export interface PanelLogin {
  readonly username: string;
  readonly password: string;
}

/** A long-lived API token issued by the panel; the adapter cannot renew it. */
export interface PanelToken {
  readonly token: string;
}

/** Credentials for a panel: `{ username, password }` or `{ token }`. Never logged or put in an error. */
export type PanelAuth = PanelLogin | PanelToken;

type Loose = Partial<Record<string, unknown>> | undefined;

function isLogin(auth: Loose): boolean {
  return typeof auth?.username === 'string' && auth.username !== '' && typeof auth.password === 'string' && auth.password !== '';
}

function isToken(auth: Loose): boolean {
  return typeof auth?.token === 'string' && auth.token !== '';
}

/** `auth` as a login, or a `ConfigurationError` naming the panel kind. */
export function requireLogin(kind: string, auth: unknown): PanelLogin {
  const loose = auth as Loose;
  if (!isLogin(loose)) throw new ConfigurationError(`${kind} auth needs { username, password }`);
  return { username: loose!.username as string, password: loose!.password as string };
}

/** `auth` as a token, or a `ConfigurationError` naming the panel kind. */
export function requireToken(kind: string, auth: unknown): PanelToken {
  const loose = auth as Loose;
  if (!isToken(loose)) throw new ConfigurationError(`${kind} auth needs { token }`);
  return { token: loose!.token as string };
}

/** Whether `auth` is a usable login or token (for panels that take either). */
export function isPanelAuth(auth: unknown): auth is PanelAuth {
  return isLogin(auth as Loose) || isToken(auth as Loose);
}
