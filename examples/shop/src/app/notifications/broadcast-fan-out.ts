import { enqueueHostJobs, type HostJobDefinition, type HostJobItem } from '@panelkit/sdk';
import type { z } from 'zod';
import type { Shop } from '../shop.js';
import type { BroadcastStore } from '../../db/telegram-broadcasts.js';

/** What a fan-out writes: the broadcast and who it goes to. */
export interface FanOutInput {
  id: string;
  text: string;
  createdBy: string;
  exceptUsers: readonly string[];
}

/** The payload of a job sending a run of a broadcast's copies. */
export interface CopiesPayload {
  broadcastId: string;
  chatIds: string[];
}

/**
 * Fans a broadcast out, run by its fan-out job (which stays unfinished, and so runs again after a crash, until every
 * copy has its job):
 *
 * 1. The broadcast and a `pending` copy per recipient in one transaction and one `INSERT … SELECT`: the recipients
 *    are fixed from then on (a rerun writes nothing). Then the table's planner statistics, so that paging through
 *    the new copies uses its primary key.
 * 2. Its copies in chat order, `perJob` at a time, each run queued as one copies job keyed by the broadcast and the
 *    run's first chat: a rerun reads the same runs and queues none twice. A run with no copy still `pending` (an old
 *    release's half-sent broadcast) is skipped.
 *
 * The first run's job is committed alone, so the first copies go out while the rest are still being queued; the
 * others go {@link JOBS_PER_WRITE} to a `jobs.enqueueMany` (one statement on PostgreSQL, not one a job).
 */
export async function fanOutBroadcast<S extends z.ZodType>(
  shop: Shop,
  store: BroadcastStore,
  copiesJob: HostJobDefinition<S>,
  input: FanOutInput,
  perJob: number,
): Promise<void> {
  const written = await shop.storage.transaction((tx) => store.writeRecipients(tx, input));
  if (written > 0) await store.analyze();
  let after: string | null = null;
  let gathered: HostJobItem<S>[] = [];
  let queuedAny = false;
  const write = async () => {
    await enqueueHostJobs(shop.storage, copiesJob, gathered);
    gathered = [];
    queuedAny = true;
  };
  for (;;) {
    const run = await store.copiesAfter(input.id, after, perJob);
    if (run.length === 0) break;
    const first = run[0]!.chatId;
    after = run[run.length - 1]!.chatId;
    const chatIds = run.filter((c) => c.status === 'pending').map((c) => c.chatId);
    if (chatIds.length === 0) continue;
    const payload: CopiesPayload = { broadcastId: input.id, chatIds };
    gathered.push({ payload: payload as z.input<S>, options: { key: `${input.id}:from:${first}` } });
    if (!queuedAny || gathered.length >= JOBS_PER_WRITE) await write();
  }
  if (gathered.length > 0) await write();
}

/** Copies jobs queued in one write once the first is out: 100 000 buyers at 50 a job are 20 writes, not 2 000. */
export const JOBS_PER_WRITE = 100;
