import type { Clock, Customer, NewCustomer } from '@panelkit/sdk';
import type { CustomerWithPriceBook } from '@panelkit/sdk/storage';
import {
  customerCreateSql,
  customerFromJson,
  customerIdByExternalRefSql,
  customerWithPriceBookFromJson,
  customerWithPriceBookSql,
  type CustomerCreate,
  type SqlClient,
} from '@panelkit/storage-postgres';
import { refusedSlot, slotOf, slotUpsertSql, type ThrottleRule, type ThrottleVerdict } from './sign-in-throttle.js';
import { linkFromRow, linkIfNewCtes, type LinkRow, type TelegramLink } from './telegram-links.js';

/** How long handled update ids are kept: far past Telegram's 24 h redelivery window. */
const KEEP_UPDATES_MS = 7 * 24 * 3600_000;

/**
 * How long an update may stay claimed and unfinished before a redelivery takes it over: its replica died handling
 * it. Far past the longest an update runs (its Bot API calls wait out 429s for up to a minute each, five times).
 */
export const UPDATE_CLAIM_LEASE_MS = 15 * 60_000;

/**
 * What a claim of an update id found: it is this caller's to handle now (`claimed`), handled already (`handled`),
 * or being handled elsewhere, or just now (`running`: deliver it again later).
 */
export type UpdateClaim = 'claimed' | 'handled' | 'running';

/**
 * How long at most a handled update's `finish` waits for the others this process is handling at the same time, so
 * they are written in one statement (the webhook's 200 waits for it; the user's reply went out before).
 */
const FINISH_GATHER_MS = 5;

/** A handled update's finish waiting for its statement, and how its caller is told the outcome. */
interface PendingFinish {
  updateId: number;
  done: () => void;
  failed: (error: unknown) => void;
}

/** Settles every finish of `batch` with the statement that wrote them. */
function settleWith(statement: Promise<unknown>, batch: readonly PendingFinish[]): void {
  if (batch.length === 0) return;
  statement.then(
    () => {
      for (const f of batch) f.done();
    },
    (error: unknown) => {
      for (const f of batch) f.failed(error);
    },
  );
}

/**
 * What a claim is asked to read of a sender who may have no link yet (a first contact): their customer keyed by
 * `externalRef`, and, when `slot` is given and no such customer exists, a new account's slot taken under its rule.
 * `create`: the customer to make (keyed by `externalRef`) and link to the sender when there is none and the slot, if
 * asked for, was taken, with the link's `@username`; absent: none is made in the claim.
 */
export interface NewSenderQuery {
  externalRef: string;
  slot: { rule: ThrottleRule; subject: string } | null;
  create?: { customer: NewCustomer; username: string | null };
}

/**
 * What the claim read of a sender with no link ({@link NewSenderQuery}): the customer keyed by their external
 * reference with its price book, or `null`; and, when there was none and a slot was asked for, the slot's verdict
 * (`null`: none was taken). `made`: the customer the claim made (its `create`), and its link to the sender (`null`:
 * the sender was linked by another statement meanwhile); absent: none was made (none asked, a slot refused, or the
 * reference taken by a first contact that committed after the claim's snapshot).
 */
export interface NewSenderRead {
  customer: CustomerWithPriceBook | null;
  slot: ThrottleVerdict | null;
  made?: { customer: Customer; link: TelegramLink | null };
}

/** The link a claim made (`row_to_json` of its row: pg gives it parsed, PGlite too, or as text), or `null`. */
function madeLinkOf(value: LinkRow | string | null | undefined): TelegramLink | null {
  if (value === null || value === undefined) return null;
  return linkFromRow(typeof value === 'string' ? (JSON.parse(value) as LinkRow) : value);
}

/**
 * The `telegram_updates` table: the update ids claimed, each unfinished (`finished_at` null) while some replica
 * handles it, so an update Telegram delivers again (a webhook retried, polling resumed after a crash) is handled
 * once across every replica, and a redelivery of one still running waits for its outcome.
 */
export class TelegramUpdateLog {
  /** Updates this process claimed and has not finished or given back yet. */
  private open = 0;
  /** Updates finished while others were open, written together (see {@link finish}). */
  private finishing: PendingFinish[] = [];
  private finishTimer: ReturnType<typeof setTimeout> | undefined;
  /** The claim's statement text of each shape (see {@link claimText}), built on first use. */
  private readonly claimTexts = new Map<string, string>();

  /**
   * `engineSchema`: the storage's schema (the shop's `DATABASE_SCHEMA`), whose customer of the sender's link
   * {@link claimReadingLink} reads in its statement; `null`: no customer is read there.
   */
  constructor(
    private readonly db: SqlClient,
    private readonly schema: string,
    private readonly clock: Clock,
    private readonly engineSchema: string | null = null,
  ) {}

  /**
   * Claims an update id for handling: the first claim anywhere wins, and so does the first after an unfinished
   * claim's lease ran out. `fromChat`: the chat the update came from, which wrote to the bot and so may be sent to
   * again: its `telegram_unreachable_chats` mark is cleared in the same statement (whatever the claim's outcome).
   */
  async claim(updateId: number, fromChat: string | null = null): Promise<UpdateClaim> {
    return (await this.claimReadingLink(updateId, fromChat, null)).claim;
  }

  /**
   * {@link claim}, and in the same statement the link of `fromUser` (the Telegram user who sent the update; `null`:
   * none read) and that link's customer with its price book (what `kit.customers.withPriceBook` answers; read only
   * when the log was given the storage's schema), which the bot resolves next: two round trips an update less. `link`
   * is `null` when that user is not linked (or none was asked for), `customer` when no link or customer was read. The
   * finishes waiting to be gathered (see {@link finish}) ride on the same
   * statement, and settle with it: in a rush, a claim comes before the gather's wait is over.
   * `newSender` (with the storage's schema): for a sender with no link, claimed now, the same statement also reads
   * their customer by external reference and takes a new account's slot when there is none (`slotUpsertSql`: the
   * limit's own upsert), answered as `newSender` (absent when the sender is linked, the update not claimed, or nothing
   * was asked): a first contact's lookup and slot two round trips less. A refused slot reads its window once more.
   * With `newSender.create`, the customer of a sender who has neither link nor customer is made there too (the
   * storage's own insert, `customerCreateSql`) once their slot is taken, and linked to them (`linkIfNewCtes`): a first
   * contact's two writes in the claim. Made only by the claim that wins the update, so a redelivery or another
   * replica's delivery of it makes none.
   */
  async claimReadingLink(
    updateId: number,
    fromChat: string | null,
    fromUser: string | null,
    newSender: NewSenderQuery | null = null,
  ): Promise<{ claim: UpdateClaim; link: TelegramLink | null; customer: CustomerWithPriceBook | null; newSender?: NewSenderRead }> {
    const now = this.clock.now();
    const riders = this.takeFinishing(updateId);
    const engine = this.engineSchema;
    const asked = engine !== null && fromUser !== null ? newSender : null;
    const params: unknown[] = [
      updateId,
      now,
      new Date(now.getTime() - UPDATE_CLAIM_LEASE_MS),
      fromChat,
      fromUser,
      riders.map((f) => f.updateId),
    ];
    const slot = asked?.slot == null ? null : { rule: asked.slot.rule, take: slotOf(asked.slot.rule, asked.slot.subject, now) };
    // The parameters, in the order the statement's text (one per shape, below) numbers them.
    let made: CustomerCreate | undefined;
    if (asked !== null && engine !== null) {
      params.push(asked.externalRef);
      if (slot !== null) params.push(slot.take.key, slot.take.expired, slot.take.limit, slot.take.delay);
      if (asked.create !== undefined) {
        params.push(asked.create.username);
        made = customerCreateSql(engine, asked.create.customer, now, params.length + 1, this.createWhen(slot !== null));
        params.push(...made.params);
      }
    }
    // Built once a shape: the same string each time is hashed and compared once by the driver's statement cache.
    const shape = asked === null ? 'link' : `sender${slot === null ? '' : '+slot'}${made === undefined ? '' : '+create'}`;
    let text = this.claimTexts.get(shape);
    if (text === undefined) {
      text = this.claimText(asked !== null, slot !== null, made?.sql);
      this.claimTexts.set(shape, text);
    }
    const claiming = this.db.query<
      Partial<LinkRow> & {
        claimed: boolean;
        customer_read: unknown;
        by_ref_read?: unknown;
        slot_taken?: boolean;
        made_customer?: unknown;
        made_link?: LinkRow | string | null;
      }
    >(text, params);
    settleWith(claiming, riders);
    const { rows } = await claiming;
    const row = rows[0]!;
    const link = typeof row.telegram_user_id === 'string' ? linkFromRow(row as LinkRow) : null;
    const customer = link === null ? null : customerWithPriceBookFromJson(row.customer_read);
    if (row.claimed) {
      this.open++;
      if (asked === null || link !== null) return { claim: 'claimed', link, customer };
      const byRef = customerWithPriceBookFromJson(row.by_ref_read);
      // The slot was asked for exactly when no customer was keyed by the reference (the statement's own condition).
      const verdict =
        slot === null || byRef !== null
          ? null
          : row.slot_taken === true
            ? ({ allowed: true } as const)
            : await refusedSlot(this.db, this.schema, slot.rule, slot.take);
      const madeCustomer = customerFromJson(row.made_customer);
      const read: NewSenderRead = { customer: byRef, slot: verdict };
      if (madeCustomer !== null) read.made = { customer: madeCustomer, link: madeLinkOf(row.made_link) };
      return { claim: 'claimed', link, customer, newSender: read };
    }
    const held = await this.db.query<{ finished: boolean }>(
      `SELECT finished_at IS NOT NULL AS finished FROM ${this.schema}.telegram_updates WHERE update_id = $1`,
      [updateId],
    );
    // Gone between the two statements: given back just now, so it is delivered again.
    return { claim: held.rows[0]?.finished === true ? 'handled' : 'running', link, customer };
  }

  /**
   * The condition on which a claim makes a new sender's customer: the slot taken (`slotted`), or, with no limit, the
   * slot's own condition (claimed now, no link, no customer by reference).
   */
  private createWhen(slotted: boolean): string {
    if (slotted) return 'EXISTS (SELECT 1 FROM slot)';
    return `EXISTS (SELECT 1 FROM claimed)
      AND NOT EXISTS (SELECT 1 FROM ${this.schema}.telegram_links WHERE telegram_user_id = $5)
      AND ${customerIdByExternalRefSql(this.engineSchema!, '$7')} IS NULL`;
  }

  /**
   * The text of {@link claimReadingLink}'s statement: the claim and the sender's link and customer; with `sender`, a
   * sender with no link read by reference ($7); `slotted`, their slot taken ($8…$11); `createSql`, their customer made
   * by that insert (from `customerCreateSql`, its parameters after the username's) and linked.
   */
  private claimText(sender: boolean, slotted: boolean, createSql: string | undefined): string {
    const engine = this.engineSchema;
    const customerRead = engine === null ? 'NULL' : customerWithPriceBookSql(engine, 'l.customer_id');
    let newSenderSql = '';
    let slotSql = '';
    let createCtes = '';
    if (sender && engine !== null) {
      const byRef = customerIdByExternalRefSql(engine, '$7');
      newSenderSql = `, CASE WHEN l.telegram_user_id IS NULL THEN ${customerWithPriceBookSql(engine, byRef)} END AS by_ref_read`;
      if (slotted) {
        const rows = `SELECT $8::text, $2::timestamptz, 1, NULL::timestamptz
          WHERE EXISTS (SELECT 1 FROM claimed)
            AND NOT EXISTS (SELECT 1 FROM ${this.schema}.telegram_links WHERE telegram_user_id = $5) AND ${byRef} IS NULL`;
        slotSql = `, slot AS (${slotUpsertSql(this.schema, rows, { key: '$8', now: '$2', expired: '$9', limit: '$10', delay: '$11' })})`;
        newSenderSql += ', EXISTS (SELECT 1 FROM slot) AS slot_taken';
      }
      if (createSql !== undefined) {
        const username = slotted ? '$12' : '$8';
        const rows = `SELECT $5::text, $4::text, c.id, ${username}::text, $2::timestamptz, $2::timestamptz FROM made_customer AS c`;
        createCtes = `, made_customer AS (${createSql}),
          ${linkIfNewCtes(this.schema, 'made_link', rows, { telegramUserId: '$5', username, now: '$2' })}`;
        newSenderSql += `, (SELECT row_to_json(c) FROM made_customer AS c) AS made_customer,
          (SELECT row_to_json(m) FROM made_link AS m) AS made_link`;
      }
    }
    return `WITH reachable AS (DELETE FROM ${this.schema}.telegram_unreachable_chats WHERE chat_id = $4),
       finished AS (UPDATE ${this.schema}.telegram_updates SET finished_at = $2 WHERE update_id = ANY($6::bigint[])),
       claimed AS (
         INSERT INTO ${this.schema}.telegram_updates AS u (update_id, received_at, finished_at) VALUES ($1, $2, NULL)
         ON CONFLICT (update_id) DO UPDATE SET received_at = EXCLUDED.received_at
           WHERE u.finished_at IS NULL AND u.received_at < $3
         RETURNING update_id)${slotSql}${createCtes}
       SELECT EXISTS (SELECT 1 FROM claimed) AS claimed, l.telegram_user_id, l.chat_id, l.customer_id, l.username,
         ${customerRead} AS customer_read${newSenderSql}
       FROM (SELECT 1) AS one LEFT JOIN ${this.schema}.telegram_links AS l ON l.telegram_user_id = $5`;
  }

  /** Marks a claimed update done: every later delivery of it is `handled`. */
  finish(updateId: number): Promise<void> {
    // Updates this process handles at the same time (a rush's webhook posts) finish in one statement: one finished
    // while others are open waits for them, up to FINISH_GATHER_MS, or for the next claim, which writes it in its own
    // statement; the last one open writes them all at once (so an update handled alone, or one after another, is
    // written at once). Each resolves or fails with the statement that wrote it.
    this.open = Math.max(0, this.open - 1);
    return new Promise((done, failed) => {
      this.finishing.push({ updateId, done, failed });
      if (this.open === 0) this.writeFinished();
      else this.finishTimer ??= setTimeout(() => this.writeFinished(), FINISH_GATHER_MS);
    });
  }

  private writeFinished(): void {
    clearTimeout(this.finishTimer);
    this.finishTimer = undefined;
    const batch = this.finishing;
    this.finishing = [];
    if (batch.length === 0) return;
    settleWith(
      this.db.query(`UPDATE ${this.schema}.telegram_updates SET finished_at = $2 WHERE update_id = ANY($1::bigint[])`, [
        batch.map((f) => f.updateId),
        this.clock.now(),
      ]),
      batch,
    );
  }

  /**
   * The finishes waiting to be gathered, for a claim of `claiming` to write: all of them but one of `claiming` itself
   * (a redelivery of an update still finishing), which stays for the gather: one statement does not write a row twice.
   */
  private takeFinishing(claiming: number): PendingFinish[] {
    if (this.finishing.length === 0) return [];
    const riders = this.finishing.filter((f) => f.updateId !== claiming);
    this.finishing = this.finishing.filter((f) => f.updateId === claiming);
    if (this.finishing.length === 0) {
      clearTimeout(this.finishTimer);
      this.finishTimer = undefined;
    }
    return riders;
  }

  /**
   * Gives an update back when handling it failed before any Bot API call could have reached the user, so a
   * redelivery tries again (every money action is keyed); one that may have shown something is finished instead.
   */
  async release(updateId: number): Promise<void> {
    this.open = Math.max(0, this.open - 1);
    // The finished ones waiting for this update need not wait longer.
    if (this.open === 0) this.writeFinished();
    await this.db.query(`DELETE FROM ${this.schema}.telegram_updates WHERE update_id = $1`, [updateId]);
  }

  /** Forgets ids older than a week. */
  async prune(): Promise<void> {
    await this.db.query(`DELETE FROM ${this.schema}.telegram_updates WHERE received_at < $1`, [
      new Date(this.clock.now().getTime() - KEEP_UPDATES_MS),
    ]);
  }
}
