import { createHmac } from 'node:crypto';
import { createId, type Clock } from '@panelkit/sdk';
import type { StorageTransaction } from '@panelkit/sdk/storage';
import { transactionSql, type SqlClient, type SqlQueryable } from '@panelkit/storage-postgres';
import type { ThrottleVerdict } from './sign-in-throttle.js';

/** What a code proves control of the mailbox for: signing in (or up), adding the address to an account, joining a sign-in provider's identity to the address's account. */
export type EmailCodePurpose = 'sign_in' | 'add_email' | 'join';

/** How long a code works. */
export const EMAIL_CODE_TTL_MS = 10 * 60_000;

/** Wrong guesses a code takes before it stops working (the throttle on the address comes on top). */
export const EMAIL_CODE_GUESSES = 5;

/** A code as the mail job reads it: where it goes, in which language, and the code while it is not yet sent. */
export interface PendingEmailCode {
  id: string;
  purpose: EmailCodePurpose;
  email: string;
  locale: string;
  sealedCode: string | null;
  expiresAt: Date;
  usedAt: Date | null;
}

/** A code redeemed: the account it was bound to (add-email and join codes) and what it was issued about. */
export interface RedeemedEmailCode {
  accountId: string | null;
  subject: string | null;
}

/** A right code left unspent because the gate of {@link EmailCodeStore.redeemAdmitted} refused, and when to try again. */
export interface NotAdmitted {
  refused: true;
  retryAfterMs: number;
}

/** Thrown inside the spending transaction when its gate refuses, so the spend is rolled back. */
class GateRefused extends Error {
  constructor(readonly retryAfterMs: number) {
    super('email code redemption refused by its gate');
  }
}

/** The context a code's sealed copy is bound to (one code's seal does not open as another's). */
export function emailCodeContext(id: string): string {
  return `email_codes.sealed_code:${id}`;
}

/**
 * One-time e-mail codes (`email_codes`). Only an HMAC of the code under the shop's secret is kept for checking (so a
 * copy of the table does not give the codes, short as they are, to a brute force); the mail job reads a sealed copy,
 * blanked once the mail is sent. A code works once, for {@link EMAIL_CODE_TTL_MS}, and dies after
 * {@link EMAIL_CODE_GUESSES} wrong guesses at its address.
 */
export class EmailCodeStore {
  constructor(
    private readonly db: SqlClient,
    private readonly schema: string,
    private readonly clock: Clock,
    private readonly secret: string,
  ) {}

  private hash(purpose: EmailCodePurpose, email: string, code: string): string {
    return createHmac('sha256', this.secret).update(`email-code|${purpose}|${email}|${code}`).digest('base64url');
  }

  /** Writes a code in `tx` (the transaction that also queues its mail); `sealed` is the code sealed under {@link emailCodeContext}. */
  async insert(
    tx: StorageTransaction,
    input: {
      id: string;
      purpose: EmailCodePurpose;
      email: string;
      accountId: string | null;
      subject: string | null;
      locale: string;
      code: string;
      sealed: string;
    },
  ): Promise<void> {
    const now = this.clock.now();
    await transactionSql(tx).query(
      `INSERT INTO ${this.schema}.email_codes (id, purpose, email, account_id, subject, locale, code_hash, sealed_code, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        input.id,
        input.purpose,
        input.email,
        input.accountId,
        input.subject,
        input.locale,
        this.hash(input.purpose, input.email, input.code),
        input.sealed,
        now,
        new Date(now.getTime() + EMAIL_CODE_TTL_MS),
      ],
    );
  }

  /** A fresh id for a code. */
  newId(): string {
    return createId('ecd');
  }

  /** How many codes of this purpose the address was sent since `since` (for the per-address limit). */
  async issuedSince(purpose: EmailCodePurpose, email: string, since: Date): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${this.schema}.email_codes WHERE email = $1 AND purpose = $2 AND created_at > $3`,
      [email, purpose, since],
    );
    return rows[0]?.n ?? 0;
  }

  /** The code for its mail job. */
  async pending(id: string): Promise<PendingEmailCode | null> {
    const { rows } = await this.db.query<{
      id: string;
      purpose: EmailCodePurpose;
      email: string;
      locale: string;
      sealed_code: string | null;
      expires_at: Date;
      used_at: Date | null;
    }>(`SELECT id, purpose, email, locale, sealed_code, expires_at, used_at FROM ${this.schema}.email_codes WHERE id = $1`, [id]);
    const row = rows[0];
    if (row === undefined) return null;
    return {
      id: row.id,
      purpose: row.purpose,
      email: row.email,
      locale: row.locale,
      sealedCode: row.sealed_code,
      expiresAt: new Date(row.expires_at),
      usedAt: row.used_at === null ? null : new Date(row.used_at),
    };
  }

  /** The mail went out (or will never): the sealed copy is blanked, only the HMAC stays. */
  async forgetSealed(id: string): Promise<void> {
    await this.db.query(`UPDATE ${this.schema}.email_codes SET sealed_code = NULL WHERE id = $1`, [id]);
  }

  /**
   * Spends a live code of this purpose for this address (and account, when given): one statement, so a code is used
   * once across every replica; the address's other live codes of the purpose are voided with it. A wrong code counts
   * against every live code of the address (each dies after {@link EMAIL_CODE_GUESSES}). `null` when nothing matched.
   */
  async redeem(purpose: EmailCodePurpose, email: string, code: string, accountId: string | null = null): Promise<RedeemedEmailCode | null> {
    return this.db.transaction((db) => this.spend(db, purpose, email, code, accountId, null));
  }

  /**
   * {@link redeem} (no account bound) where a right code is spent only if `admit` allows it, asked on the spending
   * transaction's connection once the code matched: what `admit` writes commits with the spend. Refused, nothing is
   * written (the code stays live for a later try, no wrong guess is counted) and the refusal is answered.
   */
  async redeemAdmitted(
    purpose: EmailCodePurpose,
    email: string,
    code: string,
    admit: (db: SqlQueryable) => Promise<ThrottleVerdict>,
  ): Promise<RedeemedEmailCode | NotAdmitted | null> {
    try {
      return await this.db.transaction((db) => this.spend(db, purpose, email, code, null, admit));
    } catch (error) {
      if (error instanceof GateRefused) return { refused: true, retryAfterMs: error.retryAfterMs };
      throw error;
    }
  }

  private async spend(
    db: SqlQueryable,
    purpose: EmailCodePurpose,
    email: string,
    code: string,
    accountId: string | null,
    admit: ((db: SqlQueryable) => Promise<ThrottleVerdict>) | null,
  ): Promise<RedeemedEmailCode | null> {
    const now = this.clock.now();
    const live = `purpose = $1 AND email = $2 AND used_at IS NULL AND expires_at > $3 AND wrong_guesses < ${EMAIL_CODE_GUESSES}
      AND ($4::text IS NULL OR account_id = $4)`;
    const { rows } = await db.query<{ account_id: string | null; subject: string | null }>(
      `UPDATE ${this.schema}.email_codes SET used_at = $3, sealed_code = NULL WHERE ${live} AND code_hash = $5 RETURNING account_id, subject`,
      [purpose, email, now, accountId, this.hash(purpose, email, code)],
    );
    const row = rows[0];
    if (row === undefined) {
      await db.query(`UPDATE ${this.schema}.email_codes SET wrong_guesses = wrong_guesses + 1 WHERE ${live}`, [
        purpose,
        email,
        now,
        accountId,
      ]);
      return null;
    }
    const verdict = admit === null ? null : await admit(db);
    if (verdict !== null && !verdict.allowed) throw new GateRefused(verdict.retryAfterMs);
    await db.query(`UPDATE ${this.schema}.email_codes SET used_at = $3, sealed_code = NULL WHERE ${live}`, [
      purpose,
      email,
      now,
      accountId,
    ]);
    return { accountId: row.account_id, subject: row.subject };
  }

  /** Forgets codes that expired a day ago or more. */
  async deleteStale(): Promise<number> {
    const { rows } = await this.db.query(`DELETE FROM ${this.schema}.email_codes WHERE expires_at < $1 RETURNING 1`, [
      new Date(this.clock.now().getTime() - 24 * 3600_000),
    ]);
    return rows.length;
  }
}

/** The shop's e-mail code store. */
export function emailCodesOf(shop: { db: SqlClient; shopSchema: string; clock: Clock; secret: string }): EmailCodeStore {
  return new EmailCodeStore(shop.db, shop.shopSchema, shop.clock, shop.secret);
}
