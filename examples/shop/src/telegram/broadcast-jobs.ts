import { RetryLaterError, defineHostJob, enqueueHostJob, type HostJobContext, type HostJobDefinition } from '@panelkit/sdk';
import { setTimeout as sleep } from 'node:timers/promises';
import { GrammyError, type Api } from 'grammy';
import { z } from 'zod';
import type { Shop } from '../app/shop.js';
import { BroadcastStore, type BroadcastCopy } from '../db/telegram-broadcasts.js';
import { TelegramUnreachableChats } from '../db/telegram-unreachable.js';
import { classifySendError } from './send-policy.js';
import { parseStorefrontAddress, storefrontRoutes } from './storefront/address.js';
import { createSendPacer, DEFAULT_SEND_GAP_MS, type SendPacer } from './send-pacer.js';
import { BROADCAST_FAN_OUT_TYPE, broadcastFanOutJob, fanOutBroadcast } from '../app/notifications/broadcast-fan-out.js';

/**
 * Host job types of broadcasts: the same names in every process, whichever builds them. `copies` sends a run of a
 * broadcast's copies; `copy` sends one (queued by releases before runs, still run).
 */
export const BROADCAST_JOB_TYPES = {
  fanOut: BROADCAST_FAN_OUT_TYPE,
  copies: 'shop.broadcast.copies',
  copy: 'shop.broadcast.copy',
} as const;

/** The owner's bot's send lane: its copies one at a time in the whole deployment, as Telegram's per-bot limit wants. */
const COPY_SERIAL_KEY = 'telegram:broadcast';

/**
 * The send lane of a copy: its bot's, since Telegram's limits and its 429s are each bot's own. The owner's bot's copies
 * share one lane, each storefront bot's copies another (`sf:<bot id>:<chat>` addresses): the lane is the copies job's
 * serial key (one run at a time per bot in the deployment, different bots' runs side by side), and each lane has its
 * own pacer and its own pause after a 429, so one bot told to wait holds up no other bot's broadcast.
 */
export function broadcastLane(chatId: string): string {
  const storefront = parseStorefrontAddress(chatId);
  return storefront === null ? COPY_SERIAL_KEY : `${COPY_SERIAL_KEY}:${storefront.botId}`;
}

/**
 * Copies one job sends by default: a broadcast to 100 000 chats is 1 000 jobs, not 100 000, so its fan-out queues it
 * in seconds and a claim passing over the lane's queued jobs (while one of them runs) reads 1 000 rows, not 100 000
 * (`bench/broadcast`); about 3.5 s of sending at Telegram's pace, well inside a worker's 10 s stop.
 */
export const COPIES_PER_JOB = 100;

/**
 * The longest 429 `retry_after` a run of copies waits out itself (in ms), holding the lane, rather than going back to
 * the queue: Telegram's usual 1 s. Handing the lane back costs more than the wait (every run this worker holds fails
 * once, then the worker finds them due only at its next poll, 0.5–1.5 s later: ~2.5 s a 429 at 100 000 copies in
 * `bench/broadcast`), and no other job could use the lane meanwhile.
 */
const SHORT_WAIT_MS = 1_000;

/** Short waits one run takes; at the next 429 it goes back to the queue like any (Telegram keeps refusing). */
const MAX_SHORT_WAITS_PER_RUN = 3;

export interface BroadcastJobsOptions {
  /**
   * Time between the starts of two copies, in ms (the copy's own work is inside it). Default 1000 ÷ 29: at most
   * 30 in any second, Telegram's ~30 a second for one bot (`send-pacer.ts`).
   */
  gapMs?: number;
  /** Copies one job sends, in chat order (default `COPIES_PER_JOB`). */
  copiesPerJob?: number;
}

/** Broadcasts on the SDK's worker: the job types, and queueing one. */
export interface BroadcastJobs {
  readonly store: BroadcastStore;
  /** The host job types to hand to a worker (`kit.createWorker({ hostJobs })`). */
  readonly definitions: readonly HostJobDefinition[];
  /**
   * Queues a broadcast to every linked chat but `exceptUsers`' (the admins): one fan-out job, keyed by the
   * admin's message, so a redelivered command queues nothing more. Returns its id and how many chats it reaches.
   */
  create(input: { key: string; text: string; createdBy: string; exceptUsers?: readonly string[] }): Promise<{
    id: string;
    recipients: number;
    created: boolean;
  }>;
  /** How many copies this process has sent. */
  sent(): number;
}

const CopiesSchema = z.object({ broadcastId: z.string().min(1), chatIds: z.array(z.string().min(1)).min(1) });
const CopySchema = z.object({ broadcastId: z.string().min(1), chatId: z.string().min(1) });

/**
 * The broadcast jobs. A fan-out writes the broadcast's record (a `pending` row per chat) and queues its copies in
 * runs of `copiesPerJob`, one job each (`app/notifications/broadcast-fan-out.ts`). A copies job sends its run one copy after
 * another, each marked `sending` before the call and never sent again once it was: a crash mid-call leaves it
 * `sending`, which the job's next attempt turns `unknown`; copies already `sent` or `failed` are passed over.
 * Failures follow the one send policy (`send-policy.ts`): a 429 puts the copy back to `pending` and every copy of
 * that bot in this process (its lane, `broadcastLane`) waits the `retry_after` Telegram asked for (the job runs again
 * then, from that copy), while other bots' copies go on, a 5xx too
 * (after the job's backoff); a refusal (blocked bot, chat gone) is `failed` with Telegram's reason and marks the
 * chat, whose later copies fail without a call until it writes to the bot again.
 */
export function createBroadcastJobs(shop: Shop, api: Api, options: BroadcastJobsOptions = {}): BroadcastJobs {
  const store = new BroadcastStore(shop.db, shop.shopSchema, shop.clock);
  const unreachable = new TelegramUnreachableChats(shop.db, shop.shopSchema, shop.clock);
  const logger = shop.logger.child({ component: 'telegram-broadcast' });
  const storefronts = storefrontRoutes(shop);
  const copiesPerJob = options.copiesPerJob ?? COPIES_PER_JOB;
  // A lane's copies run one at a time in the deployment (their serial key); where the lane passes to another replica,
  // its pacer knows nothing of this one's last start and the two starts may come closer (a 429 then says wait).
  const pacers = new Map<string, SendPacer>();
  const pacerOf = (lane: string): SendPacer => {
    let pacer = pacers.get(lane);
    if (pacer === undefined) pacers.set(lane, (pacer = createSendPacer(options.gapMs ?? DEFAULT_SEND_GAP_MS)));
    return pacer;
  };
  let sent = 0;
  /** Until when Telegram asked each lane's bot to send nothing (ms since the epoch, shop clock). */
  const pausedUntil = new Map<string, number>();

  /** Sends the copies of `broadcastId` to `chatIds` still `pending`, in order (the body of a copies job). */
  async function sendCopies(broadcastId: string, chatIds: readonly string[], { job, signal }: HostJobContext): Promise<void> {
    const found = await store.copies(broadcastId, chatIds);
    if (found === null) return;
    const died = found.copies.filter((c) => c.status === 'sending').map((c) => c.chatId);
    if (died.length > 0) {
      // An earlier attempt began the call and died: the message may have arrived.
      logger.warn({ broadcastId, chatIds: died }, 'broadcast copy outcome unknown; it will not be sent again');
      await store.finishMany(broadcastId, died, 'unknown', 'the sender stopped during the call');
    }
    let shortWaits = 0;
    for (const c of found.copies) {
      if (c.status !== 'pending') continue;
      const target: BroadcastCopy = { broadcastId, chatId: c.chatId };
      // False: Telegram asked for a short wait, waited out here, holding the lane (nothing else could use it); then
      // this copy again, a few times a run at most.
      while (!(await sendOne(target, c.unreachable, found.text, job.attempts, signal))) {
        if (++shortWaits >= MAX_SHORT_WAITS_PER_RUN) throw new RetryLaterError('Telegram keeps asking the bot to wait', 0);
      }
    }
  }

  /**
   * Sends one `pending` copy. False when Telegram answered a 429 asking for at most `SHORT_WAIT_MS` and that wait
   * is over (the copy is `pending` again, to send now); a longer 429 or a 5xx throws `RetryLaterError`.
   */
  async function sendOne(
    target: BroadcastCopy,
    markedUnreachable: string | null,
    text: string,
    attempt: number,
    signal: AbortSignal,
  ): Promise<boolean> {
    if (markedUnreachable !== null) {
      await store.finish(target, 'failed', markedUnreachable);
      return true;
    }
    // Stopping: the copies not begun go back to the queue with the job.
    if (signal.aborted) throw signal.reason;
    const lane = broadcastLane(target.chatId);
    const wait = (pausedUntil.get(lane) ?? 0) - shop.clock.now().getTime();
    if (wait > 0) throw new RetryLaterError('Telegram asked the bot to wait', wait);
    if (!(await store.beginSend(target, attempt))) return true;
    // Paced after the mark, right before the call: the gap then holds between the calls themselves, not
    // between marks whose database time varies (a copy crashing in this wait is `unknown`, as mid-call).
    // A storefront buyer's copy goes through its storefront's bot (its address names the bot); gone since: failed.
    const storefront = parseStorefrontAddress(target.chatId);
    const through = storefront === null ? api : await storefronts.apiOf(storefront.botId);
    if (through === null) {
      await store.finish(target, 'failed', 'the storefront has no bot now');
      return true;
    }
    await pacerOf(lane).next();
    try {
      await through.sendMessage(storefront?.chatId ?? target.chatId, text);
    } catch (error) {
      const failure = classifySendError(error);
      if (failure === null) throw error; // Left `sending`: the next attempt marks it `unknown`.
      if (failure.kind === 'retry') {
        await store.finish(target, 'pending', failure.error.message.slice(0, 500));
        const waitMs = failure.error.retryAfterMs;
        if (isTooManyRequests(error) && waitMs <= SHORT_WAIT_MS) {
          await sleep(waitMs, undefined, { signal });
          return false;
        }
        pausedUntil.set(lane, Math.max(pausedUntil.get(lane) ?? 0, shop.clock.now().getTime() + waitMs));
        // Routine: the run goes back to the queue until then; one line says so, no stack.
        logger.info({ ...target, retryAfterMs: waitMs, reason: failure.error.message }, 'broadcast copies will be retried later');
        throw failure.error;
      }
      if (failure.kind === 'unknown') {
        logger.warn({ err: error, ...target }, 'broadcast copy outcome unknown; it will not be sent again');
        await store.finish(target, 'unknown', failure.reason);
        return true;
      }
      if (failure.unreachable) await unreachable.mark(target.chatId, failure.reason);
      await store.finish(target, 'failed', failure.reason);
      return true;
    }
    await store.finish(target, 'sent');
    sent++;
    return true;
  }

  // 429s spend attempts while Telegram keeps refusing: room for many, and a day in all.
  const retry = { maxAttempts: 50, baseDelayMs: 1_000, maxDelayMs: 5 * 60_000 };
  const copies = defineHostJob({
    type: BROADCAST_JOB_TYPES.copies,
    payload: CopiesSchema,
    // Runs are cut at a lane's end (`fanOutBroadcast`): the first chat's lane is the run's.
    serialKey: (run) => broadcastLane(run.chatIds[0] ?? ''),
    retry,
    run: (run, context) => sendCopies(run.broadcastId, run.chatIds, context),
    async onDead(run, error) {
      await store.finishMany(run.broadcastId, run.chatIds, 'failed', `given up: ${error.message}`.slice(0, 500));
    },
  });
  const copy = defineHostJob({
    type: BROADCAST_JOB_TYPES.copy,
    payload: CopySchema,
    serialKey: (one) => broadcastLane(one.chatId),
    retry,
    run: (one, context) => sendCopies(one.broadcastId, [one.chatId], context),
    async onDead(one, error) {
      await store.finishMany(one.broadcastId, [one.chatId], 'failed', `given up: ${error.message}`.slice(0, 500));
    },
  });

  const fanOut = broadcastFanOutJob(async (input) => {
    const recipients = {
      id: input.broadcastId,
      text: input.text,
      createdBy: input.createdBy,
      exceptUsers: input.exceptUsers,
      onlyCustomers: input.onlyCustomers,
      storefrontId: input.storefrontId,
    };
    await fanOutBroadcast(shop, store, copies, recipients, copiesPerJob, broadcastLane);
  });

  return {
    store,
    definitions: [fanOut, copies, copy],
    async create(input) {
      const id = BroadcastStore.idOf(input.key);
      const exceptUsers = [...(input.exceptUsers ?? [])];
      const { created } = await enqueueHostJob(
        shop.storage,
        fanOut,
        { broadcastId: id, text: input.text, createdBy: input.createdBy, exceptUsers },
        { key: id },
      );
      return { id, recipients: await store.countRecipients(exceptUsers), created };
    },
    sent: () => sent,
  };
}

/** A Bot API 429 (Too Many Requests), not a 5xx or a connection never made. */
function isTooManyRequests(error: unknown): boolean {
  return error instanceof GrammyError && error.error_code === 429;
}

/** How long an old release's sender could hold a copy `sending` (its sweep's lease). */
const LEGACY_SENDING_LEASE_MS = 5 * 60_000;

/**
 * Queues the fan-out of every broadcast a shop from before host jobs left with `pending` copies (its
 * old sender's queue): each once, by the broadcast's id. Returns how many it queued.
 */
export async function adoptPendingBroadcasts(shop: Shop, jobs: BroadcastJobs): Promise<number> {
  // An old sender's claims (a copy job's own `sending` is settled by its next attempt long before this).
  await jobs.store.abandonStale(new Date(shop.clock.now().getTime() - LEGACY_SENDING_LEASE_MS));
  const fanOut = jobs.definitions.find((d) => d.type === BROADCAST_JOB_TYPES.fanOut) as HostJobDefinition;
  let queued = 0;
  for (const b of await jobs.store.withPending()) {
    const payload = { broadcastId: b.id, text: b.text, createdBy: b.createdBy, exceptUsers: [] };
    if ((await enqueueHostJob(shop.storage, fanOut, payload, { key: b.id })).created) queued++;
  }
  return queued;
}
