import { randomBytes } from 'node:crypto';
import type { Clock, SecretBox } from '@panelkit/sdk';
import type { SqlClient } from '@panelkit/storage-postgres';
import { generateSecret, generateURI, verifySync } from 'otplib';
import { hashToken } from './sessions.js';

/** The authenticated context of an account's sealed TOTP secret (it opens on that account's row only). */
export function staffTotpContext(accountId: string): string {
  return `staff_totp:${accountId}`;
}

/** How many recovery codes an enrolment hands out; each works once. */
export const RECOVERY_CODE_COUNT = 10;
/** One step of clock drift either way is accepted (a code typed as it turns over). */
const TOLERANCE_SECONDS = 30;

/** Recovery codes are compared without case, spaces or dashes. */
function normaliseRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '');
}

/** A recovery code as shown: 10 base32-ish characters in two groups, e.g. `k3p9x-7hq2m`. */
function newRecoveryCode(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const chars = [...randomBytes(10)].map((b) => alphabet[b % alphabet.length]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

/**
 * Staff TOTP (RFC 6238 through otplib): the secret is sealed with the shop's secret box (the shop must
 * read it back to check codes, so it is encrypted, not hashed), recovery codes are stored as SHA-256
 * hashes (they are random, so a plain hash is enough) and each works once. A code is accepted at most
 * once: the last accepted time step is raised with a conditional UPDATE, so two replicas cannot both
 * accept one code.
 */
export class StaffTotpStore {
  constructor(
    private readonly db: SqlClient,
    private readonly schema: string,
    private readonly clock: Clock,
    private readonly box: SecretBox,
  ) {}

  private context(accountId: string): string {
    return staffTotpContext(accountId);
  }

  /** Whether the account has a confirmed second factor. */
  async isEnabled(accountId: string): Promise<boolean> {
    const { rows } = await this.db.query(`SELECT 1 FROM ${this.schema}.staff_totp WHERE account_id = $1 AND enabled_at IS NOT NULL`, [
      accountId,
    ]);
    return rows.length > 0;
  }

  /**
   * The secret being enrolled (made on first call, kept until confirmed) and its `otpauth://` URI for the QR.
   * Returns `null` when a second factor is already enabled (it is never shown again).
   */
  async pendingEnrolment(accountId: string, label: string, issuer: string): Promise<{ secret: string; uri: string } | null> {
    const { rows } = await this.db.query<{ secret_sealed: string; enabled_at: Date | null }>(
      `SELECT secret_sealed, enabled_at FROM ${this.schema}.staff_totp WHERE account_id = $1`,
      [accountId],
    );
    let sealed = rows[0]?.secret_sealed;
    if (rows[0]?.enabled_at != null) return null;
    if (sealed === undefined) {
      sealed = this.box.seal(generateSecret(), this.context(accountId));
      const inserted = await this.db.query<{ secret_sealed: string }>(
        `INSERT INTO ${this.schema}.staff_totp (account_id, secret_sealed, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (account_id) DO UPDATE SET account_id = EXCLUDED.account_id RETURNING secret_sealed`,
        [accountId, sealed, this.clock.now()],
      );
      sealed = inserted.rows[0]?.secret_sealed ?? sealed;
    }
    const secret = this.box.open(sealed, this.context(accountId));
    return { secret, uri: generateURI({ issuer, label, secret }) };
  }

  /** Confirms an enrolment with a code from the app; returns the recovery codes (shown once), or `null` for a wrong code. */
  async confirm(accountId: string, code: string): Promise<string[] | null> {
    const ok = await this.acceptCode(accountId, code, false);
    if (!ok) return null;
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await this.db.transaction(async (tx) => {
      await tx.query(`UPDATE ${this.schema}.staff_totp SET enabled_at = $2 WHERE account_id = $1`, [accountId, this.clock.now()]);
      await tx.query(`DELETE FROM ${this.schema}.staff_recovery_codes WHERE account_id = $1`, [accountId]);
      for (const c of codes) {
        await tx.query(`INSERT INTO ${this.schema}.staff_recovery_codes (account_id, code_hash) VALUES ($1, $2)`, [
          accountId,
          hashToken(normaliseRecoveryCode(c)),
        ]);
      }
    });
    return codes;
  }

  /** Checks a sign-in or re-authentication code: a current TOTP code (once) or an unused recovery code (spent). */
  async verify(accountId: string, code: string): Promise<boolean> {
    const trimmed = code.trim();
    if (/^\d{6}$/.test(trimmed)) return this.acceptCode(accountId, trimmed, true);
    const normalised = normaliseRecoveryCode(trimmed);
    if (!/^[a-z0-9]{10}$/.test(normalised)) return false;
    const { rows } = await this.db.query(
      `UPDATE ${this.schema}.staff_recovery_codes SET used_at = $3 WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING 1`,
      [accountId, hashToken(normalised), this.clock.now()],
    );
    return rows.length > 0;
  }

  /**
   * Removes the account's second factor and recovery codes (a lost phone): its next sign-in enrols a new
   * one. Returns whether it had one.
   */
  async reset(accountId: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.query(`DELETE FROM ${this.schema}.staff_recovery_codes WHERE account_id = $1`, [accountId]);
      const { rows } = await tx.query(`DELETE FROM ${this.schema}.staff_totp WHERE account_id = $1 RETURNING 1`, [accountId]);
      return rows.length > 0;
    });
  }

  /** How many recovery codes are left unused. */
  async recoveryCodesLeft(accountId: string): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${this.schema}.staff_recovery_codes WHERE account_id = $1 AND used_at IS NULL`,
      [accountId],
    );
    return rows[0]?.n ?? 0;
  }

  /** Verifies a 6-digit code against the sealed secret and spends its time step, so it cannot be replayed. */
  private async acceptCode(accountId: string, code: string, mustBeEnabled: boolean): Promise<boolean> {
    if (!/^\d{6}$/.test(code.trim())) return false;
    const { rows } = await this.db.query<{ secret_sealed: string; enabled_at: Date | null }>(
      `SELECT secret_sealed, enabled_at FROM ${this.schema}.staff_totp WHERE account_id = $1`,
      [accountId],
    );
    const row = rows[0];
    if (row === undefined || (mustBeEnabled && row.enabled_at === null)) return false;
    const secret = this.box.open(row.secret_sealed, this.context(accountId));
    const epoch = Math.floor(this.clock.now().getTime() / 1000);
    const result = verifySync({ secret, token: code.trim(), epoch, epochTolerance: TOLERANCE_SECONDS });
    if (!result.valid) return false;
    const spent = await this.db.query(
      `UPDATE ${this.schema}.staff_totp SET last_time_step = $2 WHERE account_id = $1 AND last_time_step < $2 RETURNING 1`,
      [accountId, (result as { timeStep?: number }).timeStep ?? 0],
    );
    return spent.rows.length > 0;
  }
}
