import type { Clock } from '@panelkit/sdk';
import type { SqlClient } from '@panelkit/storage-postgres';

/**
 * What the bot waits for an admin to type: a rejection's, a suspension's or a device reset's reason, a customer to
 * find, the owner's link banner (subject: its language) or support address, a ticket's answer or closing reason;
 * or for a buyer: a new ticket's first message (subject: `new`), their message in a ticket, a subscription's new name
 * (`sub_label`, subject: the subscription), or their own contact for a trial that asks for a phone (`trial_phone`,
 * subject: the plan).
 */
export type PromptAction =
  | 'reject_reason'
  | 'suspend_reason'
  | 'find_customer'
  | 'device_reset_reason'
  | 'link_banner'
  | 'link_support'
  | 'ticket_answer'
  | 'ticket_close_reason'
  | 'ticket_open'
  | 'ticket_reply'
  | 'sub_label'
  | 'trial_phone';

/** One question the bot asked an admin and waits for the answer to, about one subject (a payment, a subscription). */
export interface TelegramPrompt {
  action: PromptAction;
  subjectId: string;
}

/** An unanswered question is forgotten after this long: an answer typed much later is more likely meant for something else. */
export const PROMPT_TTL_MS = 30 * 60_000;

const ACTIONS: readonly string[] = [
  'reject_reason',
  'suspend_reason',
  'find_customer',
  'device_reset_reason',
  'link_banner',
  'link_support',
  'ticket_answer',
  'ticket_close_reason',
  'ticket_open',
  'ticket_reply',
  'sub_label',
  'trial_phone',
] satisfies PromptAction[];

/**
 * The `telegram_prompts` table: at most one open question per Telegram user, kept in the database so any replica
 * can take the answer, and taken once (`take` deletes it), so two deliveries of one answer act once.
 */
export class TelegramPromptStore {
  constructor(
    private readonly db: SqlClient,
    private readonly schema: string,
    private readonly clock: Clock,
  ) {}

  /** Asks a new question, replacing any open one. */
  async ask(telegramUserId: string, prompt: TelegramPrompt): Promise<void> {
    await this.db.query(
      `INSERT INTO ${this.schema}.telegram_prompts (telegram_user_id, action, subject_id, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (telegram_user_id) DO UPDATE SET action = EXCLUDED.action, subject_id = EXCLUDED.subject_id, created_at = EXCLUDED.created_at`,
      [telegramUserId, prompt.action, prompt.subjectId, this.clock.now()],
    );
  }

  /** The open question, removed (one taker across replicas); `null` when there is none or it is too old. */
  async take(telegramUserId: string): Promise<TelegramPrompt | null> {
    const { rows } = await this.db.query<{ action: string; subject_id: string; created_at: Date | string }>(
      `DELETE FROM ${this.schema}.telegram_prompts WHERE telegram_user_id = $1 RETURNING action, subject_id, created_at`,
      [telegramUserId],
    );
    const row = rows[0];
    if (row === undefined || !ACTIONS.includes(row.action)) return null;
    if (new Date(row.created_at).getTime() < this.clock.now().getTime() - PROMPT_TTL_MS) return null;
    return { action: row.action as PromptAction, subjectId: row.subject_id };
  }

  /** The open question when it is one of `actions` (removed, one taker), else `null` and any other question stays open. */
  async takeIf(telegramUserId: string, actions: readonly PromptAction[]): Promise<TelegramPrompt | null> {
    const { rows } = await this.db.query<{ action: string; subject_id: string; created_at: Date | string }>(
      `DELETE FROM ${this.schema}.telegram_prompts WHERE telegram_user_id = $1 AND action = ANY($2::text[]) RETURNING action, subject_id, created_at`,
      [telegramUserId, [...actions]],
    );
    const row = rows[0];
    if (row === undefined) return null;
    if (new Date(row.created_at).getTime() < this.clock.now().getTime() - PROMPT_TTL_MS) return null;
    return { action: row.action as PromptAction, subjectId: row.subject_id };
  }

  /** Drops the open question, if any; true when there was one. */
  async cancel(telegramUserId: string): Promise<boolean> {
    const { rows } = await this.db.query(`DELETE FROM ${this.schema}.telegram_prompts WHERE telegram_user_id = $1 RETURNING 1`, [
      telegramUserId,
    ]);
    return rows.length > 0;
  }
}
