import { defineHostJob, enqueueHostJob, type HostJobDefinition } from '@panelkit/sdk';
import { enqueueHostJobs, type HostJobItem } from '@panelkit/sdk/host-jobs';
import { z } from 'zod';
import type { Shop } from '../shop.js';
import type { BroadcastStore } from '../../db/telegram-broadcasts.js';

/** What a fan-out writes: the broadcast and who it goes to. */
export interface FanOutInput {
  id: string;
  text: string;
  createdBy: string;
  exceptUsers: readonly string[];
  /** Only these customers' chats (a reseller's broadcast to its own buyers); absent: every linked chat. */
  onlyCustomers?: readonly string[] | undefined;
  /** The storefront whose buyers these are: their chats with its own bot are written too, sent through that bot. */
  storefrontId?: string | undefined;
}

/** The host job type of a broadcast's fan-out: the same name in every process. */
export const BROADCAST_FAN_OUT_TYPE = 'shop.broadcast.fan_out';

/** A fan-out job's payload (`onlyCustomers` and `storefrontId` are absent on an owner's broadcast to everyone). */
export const FanOutSchema = z.object({
  broadcastId: z.string().min(1),
  text: z.string().min(1),
  createdBy: z.string().min(1),
  exceptUsers: z.array(z.string()),
  onlyCustomers: z.array(z.string().min(1)).max(100_000).optional(),
  /** The storefront whose buyers these are: the hook for sending through that storefront's own bot. */
  storefrontId: z.string().min(1).optional(),
});

/**
 * The fan-out job type with its `run`: the process that sends (the bot's worker) passes the real one; a process
 * that only queues broadcasts (a reseller's web page) passes one that is never called, since enqueueing reads the
 * type, the payload schema and the retry policy, which are the same either way.
 */
export function broadcastFanOutJob(run: (payload: z.output<typeof FanOutSchema>) => Promise<void>): HostJobDefinition<typeof FanOutSchema> {
  return defineHostJob({ type: BROADCAST_FAN_OUT_TYPE, payload: FanOutSchema, run });
}

/** The payload of a job sending a run of a broadcast's copies. */
export interface CopiesPayload {
  broadcastId: string;
  chatIds: string[];
}

/**
 * Runs queued in one `enqueueHostJobs` call (one statement) after the first: 100 000 chats at 100 a run are 1 000
 * jobs in 20 calls rather than 1 000 transactions.
 */
const RUNS_PER_CALL = 50;

/**
 * Fans a broadcast out, run by its fan-out job (which stays unfinished, and so runs again after a crash, until every
 * copy has its job):
 *
 * 1. The broadcast and a `pending` copy per recipient in one transaction and one `INSERT … SELECT`: the recipients
 *    are fixed from then on (a rerun writes nothing). Then the table's planner statistics, so that paging through
 *    the new copies uses its primary key.
 * 2. Its copies in chat order, `perJob` at a time and never two send lanes in one run (`laneOf`: a run is cut where
 *    the chats' bot changes), each run queued as one copies job keyed by the broadcast and the run's first chat: a
 *    rerun reads the same runs and queues none twice. A run with no copy still `pending` (an old
 *    release's half-sent broadcast) is skipped. The first run is queued alone, so the first copies go out at once;
 *    the others `RUNS_PER_CALL` runs a call (one page of copies read, one write of their jobs).
 */
export async function fanOutBroadcast<S extends z.ZodType>(
  shop: Shop,
  store: BroadcastStore,
  copiesJob: HostJobDefinition<S>,
  input: FanOutInput,
  perJob: number,
  laneOf: (chatId: string) => string = () => '',
): Promise<void> {
  const written = await shop.storage.transaction((tx) => store.writeRecipients(tx, input));
  if (written > 0) await store.analyze();
  let after: string | null = null;
  let runs = 1;
  for (;;) {
    const page = await store.copiesAfter(input.id, after, runs * perJob);
    if (page.length === 0) return;
    after = page[page.length - 1]!.chatId;
    const items: HostJobItem<S>[] = [];
    for (const run of runsOf(page, perJob, laneOf)) {
      const chatIds = run.filter((c) => c.status === 'pending').map((c) => c.chatId);
      if (chatIds.length === 0) continue;
      const payload: CopiesPayload = { broadcastId: input.id, chatIds };
      items.push({ payload: payload as z.input<S>, options: { key: `${input.id}:from:${run[0]!.chatId}` } });
    }
    if (items.length === 1) await enqueueHostJob(shop.storage, copiesJob, items[0]!.payload, items[0]!.options);
    else if (items.length > 1) await enqueueHostJobs(shop.storage, copiesJob, items);
    runs = RUNS_PER_CALL;
  }
}

/** `page` cut into runs of at most `perJob` copies, in order, a run ending where the next copy's lane is another. */
function runsOf<C extends { chatId: string }>(page: readonly C[], perJob: number, laneOf: (chatId: string) => string): C[][] {
  const runs: C[][] = [];
  let run: C[] = [];
  for (const copy of page) {
    if (run.length === perJob || (run.length > 0 && laneOf(run[0]!.chatId) !== laneOf(copy.chatId))) {
      runs.push(run);
      run = [];
    }
    run.push(copy);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}
