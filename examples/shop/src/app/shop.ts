import type { Clock, HostJobDefinition, Panelkit, SecretBox } from '@panelkit/sdk';
import type { StoragePort } from '@panelkit/sdk/storage';
import type { SqlClient } from '@panelkit/storage-postgres';
import type { Logger } from 'pino';
import type { ShopConfig } from '../config/config.js';
import type { AccountStore } from '../db/accounts.js';
import type { ApiTokenStore } from '../db/api-tokens.js';
import type { SessionStore } from '../db/sessions.js';
import type { StaffTotpStore } from '../db/staff-totp.js';

/** scrypt's cost parameters: CPU/memory cost `N` (a power of two), block size `r`, parallelism `p`. */
export interface PasswordCost {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** Everything a route or the background loop needs: the engine, storage, and the shop's own tables. */
export interface Shop {
  readonly config: ShopConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly storage: StoragePort;
  readonly kit: Panelkit;
  /** The database, for the shop's own tables (in `shopSchema`). */
  readonly db: SqlClient;
  /** The quoted schema of the shop's tables, e.g. `"panelkit_shop"`. */
  readonly shopSchema: string;
  readonly accounts: AccountStore;
  readonly sessions: SessionStore;
  readonly apiTokens: ApiTokenStore;
  /** Admins' TOTP second factor and recovery codes. */
  readonly staffTotp: StaffTotpStore;
  /** Signs CSRF tokens and derives panel usernames; never changes for a shop's lifetime. */
  readonly secret: string;
  /** Seals what the shop must read back (panel credentials); keys from SHOP_SECRET_KEYS or the data folder. */
  readonly secretBox: SecretBox;
  /** The scrypt cost new password hashes get (checks use the cost stored in each hash). */
  readonly passwordCost: PasswordCost;
  /**
   * The shop's own job types, run on the SDK's worker beside the engine's (`kit.createWorker({ hostJobs })`), but
   * for the notification pipeline's (audit events' notices among them), which need the process's channels:
   * `notificationJobs(shop, channels)`.
   */
  readonly hostJobs: readonly HostJobDefinition[];
  close(): Promise<void>;
}
