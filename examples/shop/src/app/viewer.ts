import type { Customer } from '@panelkit/sdk';
import type { Account } from '../db/accounts.js';

/** Who is asking: the signed-in account and its engine customer. */
export interface Viewer {
  account: Account;
  customer: Customer;
  /** How the request proved it: a session cookie (forms need a CSRF token) or an API token. */
  via: 'session' | 'api_token';
  /** With an API token: what it may do on the JSON API (`read`, `write`); absent for a session. */
  scopes?: readonly string[];
}
