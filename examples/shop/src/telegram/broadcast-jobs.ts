import { RetryLaterError, defineHostJob, enqueueHostJob, type HostJobDefinition } from '@panelkit/sdk';
import type { Api } from 'grammy';
import { z } from 'zod';
import type { Shop } from '../app/shop.js';
import { fanOutBroadcast } from '../app/notifications/staff-job-queues.js';
import { BroadcastStore, type BroadcastCopy } from '../db/telegram-broadcasts.js';
import { TelegramUnreachableChats } from '../db/telegram-unreachable.js';
import { classifySendError } from './send-policy.js';
import { createSendPacer, DEFAULT_SEND_GAP_MS } from './send-pacer.js';

/** Host job types of broadcasts: the same names in every process, whichever builds them. */
export const BROADCAST_JOB_TYPES = { fanOut: 'shop.broadcast.fan_out', copy: 'shop.broadcast.copy' } as const;

/** All broadcast copies share one serial key: one at a time in the whole deployment, as Telegram's per-bot limit wants. */
const COPY_SERIAL_KEY = 'telegram:broadcast';

export interface BroadcastJobsOptions {
  /**
   * Time between the starts of two copies, in ms (the copy's own work is inside it). Default 1000 ÷ 29: at most
   * 30 in any second, Telegram's ~30 a second for one bot (`send-pacer.ts`).
   */
  gapMs?: number;
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

const FanOutSchema = z.object({
  broadcastId: z.string().min(1),
  text: z.string().min(1),
  createdBy: z.string().min(1),
  exceptUsers: z.array(z.string()),
});
const CopySchema = z.object({ broadcastId: z.string().min(1), chatId: z.string().min(1) });

/**
 * The broadcast jobs. A fan-out writes the broadcast's record (a `pending` row per chat) and enqueues
 * one copy job per chat (keyed by broadcast and chat: at most once). A copy is marked `sending` before
 * the call and never sent again once it was: a crash mid-call leaves it `sending`, which the next attempt
 * turns `unknown`. Failures follow the one send policy (`send-policy.ts`): a 429 puts the copy back to `pending`
 * and every copy of this process waits the `retry_after` Telegram asked for (the job runs again then), a 5xx
 * too (after the job's backoff); a refusal (blocked bot, chat gone) is `failed` with Telegram's reason and
 * marks the chat, whose later copies fail without a call until it writes to the bot again.
 */
export function createBroadcastJobs(shop: Shop, api: Api, options: BroadcastJobsOptions = {}): BroadcastJobs {
  const store = new BroadcastStore(shop.db, shop.shopSchema, shop.clock);
  const unreachable = new TelegramUnreachableChats(shop.db, shop.shopSchema, shop.clock);
  const logger = shop.logger.child({ component: 'telegram-broadcast' });
  // Copies run one at a time in the deployment (their serial key); where the lane passes to another replica,
  // its pacer knows nothing of this one's last start and the two starts may come closer (a 429 then says wait).
  const pacer = createSendPacer(options.gapMs ?? DEFAULT_SEND_GAP_MS);
  let sent = 0;
  /** Until when Telegram asked this bot to send nothing (ms since the epoch, shop clock). */
  let pausedUntil = 0;

  const copy = defineHostJob({
    type: BROADCAST_JOB_TYPES.copy,
    payload: CopySchema,
    serialKey: () => COPY_SERIAL_KEY,
    // 429s spend attempts while Telegram keeps refusing: room for many, and a day in all.
    retry: { maxAttempts: 50, baseDelayMs: 1_000, maxDelayMs: 5 * 60_000 },
    async run(target: BroadcastCopy, { job }) {
      const record = await store.record(target);
      if (record === null || record.status === 'sent' || record.status === 'failed' || record.status === 'unknown') return;
      if (record.status === 'sending') {
        // An earlier attempt began the call and died: the message may have arrived.
        logger.warn({ ...target }, 'broadcast copy outcome unknown; it will not be sent again');
        await store.finish(target, 'unknown', 'the sender stopped during the call');
        return;
      }
      const marked = await unreachable.reasonOf(target.chatId);
      if (marked !== null) {
        await store.finish(target, 'failed', marked);
        return;
      }
      const wait = pausedUntil - shop.clock.now().getTime();
      if (wait > 0) throw new RetryLaterError('Telegram asked the bot to wait', wait);
      if (!(await store.beginSend(target, job.attempts))) return;
      // Paced after the mark, right before the call: the gap then holds between the calls themselves, not
      // between marks whose database time varies (a copy crashing in this wait is `unknown`, as mid-call).
      await pacer.next();
      try {
        await api.sendMessage(target.chatId, record.text);
      } catch (error) {
        const failure = classifySendError(error);
        if (failure === null) throw error; // Left `sending`: the next attempt marks it `unknown`.
        if (failure.kind === 'retry') {
          pausedUntil = Math.max(pausedUntil, shop.clock.now().getTime() + failure.error.retryAfterMs);
          await store.finish(target, 'pending', failure.error.message.slice(0, 500));
          throw failure.error;
        }
        if (failure.kind === 'unknown') {
          logger.warn({ err: error, ...target }, 'broadcast copy outcome unknown; it will not be sent again');
          await store.finish(target, 'unknown', failure.reason);
          return;
        }
        if (failure.unreachable) await unreachable.mark(target.chatId, failure.reason);
        await store.finish(target, 'failed', failure.reason);
        return;
      }
      await store.finish(target, 'sent');
      sent++;
    },
    async onDead(target, error) {
      await store.finish(target, 'failed', `given up: ${error.message}`.slice(0, 500));
    },
  });

  const fanOut = defineHostJob({
    type: BROADCAST_JOB_TYPES.fanOut,
    payload: FanOutSchema,
    async run(input) {
      // The broadcast's record and its copies' jobs in one transaction (keyed: a rerun adds nothing).
      await fanOutBroadcast(shop, store, copy, {
        id: input.broadcastId,
        text: input.text,
        createdBy: input.createdBy,
        exceptUsers: input.exceptUsers,
      });
    },
  });

  return {
    store,
    definitions: [fanOut, copy],
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
