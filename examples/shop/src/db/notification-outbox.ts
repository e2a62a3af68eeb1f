import { defineHostJob, enqueueHostJob, type HostJobDefinition, type HostJobRetry } from '@panelkit/sdk';
import { enqueueHostJobs } from '@panelkit/sdk/host-jobs';
import type { StoragePort, StorageTransaction } from '@panelkit/sdk/storage';
import { z } from 'zod';

/** The host job that writes one notification's deliveries (one per channel and address) and queues each. */
export const FAN_OUT_TYPE = 'shop.notification.fan_out';

/** The host job type that sends one delivery on `channel` (only a process with that channel claims it). */
export function deliveryJobType(channel: string): string {
  return `shop.notification.send.${channel}`;
}

/** How a delivery is retried: 8 attempts over about a day, capped exponential backoff with jitter (a channel's `RetryLaterError` waits as asked). */
export const DELIVERY_RETRY: Required<HostJobRetry> = {
  maxAttempts: 8,
  baseDelayMs: 60_000,
  maxDelayMs: 6 * 3_600_000,
  giveUpAfterMs: 36 * 3_600_000,
};

/** The fan-out job's payload. */
export const FanOutPayload = z.object({ notificationId: z.string().min(1) });
/** A send job's payload. */
export const DeliveryPayload = z.object({ deliveryId: z.string().min(1) });

function notRunHere(): Promise<void> {
  // Enqueue-side definitions only give the type, payload and retry; the worker runs the ones `notificationJobs` builds.
  throw new Error('this definition only enqueues; the worker runs the one notificationJobs() builds');
}

const fanOutQueue = defineHostJob({ type: FAN_OUT_TYPE, payload: FanOutPayload, run: notRunHere });

/** Queues a notification's fan-out in `tx`, the transaction that writes it: once per notification, ever. */
export async function enqueueFanOut(tx: StorageTransaction, notificationId: string): Promise<void> {
  await enqueueHostJob(tx, fanOutQueue, { notificationId }, { key: notificationId });
}

/** Queues the fan-outs of these notifications in `tx` as `enqueueFanOut` does each, in one `enqueueMany` call. */
export async function enqueueFanOuts(tx: StorageTransaction, notificationIds: readonly string[]): Promise<void> {
  if (notificationIds.length === 0) return;
  await enqueueHostJobs(
    tx,
    fanOutQueue,
    notificationIds.map((notificationId) => ({ payload: { notificationId }, options: { key: notificationId } })),
  );
}

const sendQueues = new Map<string, HostJobDefinition<typeof DeliveryPayload>>();

function sendQueue(channel: string): HostJobDefinition<typeof DeliveryPayload> {
  let queue = sendQueues.get(channel);
  if (queue === undefined) {
    queue = defineHostJob({ type: deliveryJobType(channel), payload: DeliveryPayload, retry: DELIVERY_RETRY, run: notRunHere });
    sendQueues.set(channel, queue);
  }
  return queue;
}

/** Queues one delivery's send in `tx`; `key` defaults to the delivery id (an admin's retry passes a fresh one). */
export async function enqueueDelivery(
  tx: StorageTransaction,
  channel: string,
  deliveryId: string,
  key: string = deliveryId,
): Promise<void> {
  await enqueueHostJob(tx, sendQueue(channel), { deliveryId }, { key });
}

/**
 * Queues the send jobs of these deliveries in `tx`, each as `enqueueDelivery` does it (keyed by its id), in one
 * `enqueueMany` call a channel rather than one call a delivery.
 */
export async function enqueueDeliveries(tx: StorageTransaction, deliveries: readonly { channel: string; id: string }[]): Promise<void> {
  const byChannel = new Map<string, string[]>();
  for (const { channel, id } of deliveries) {
    const ids = byChannel.get(channel);
    if (ids === undefined) byChannel.set(channel, [id]);
    else ids.push(id);
  }
  for (const [channel, ids] of byChannel) {
    if (ids.length === 1) await enqueueDelivery(tx, channel, ids[0]!);
    else
      await enqueueHostJobs(
        tx,
        sendQueue(channel),
        ids.map((deliveryId) => ({ payload: { deliveryId }, options: { key: deliveryId } })),
      );
  }
}

/**
 * Queues the send jobs of deliveries written without one (their cause tried to send them itself, `event-notices.ts`),
 * each keyed by its delivery id as `enqueueDelivery` keys it, so a delivery is queued once however often this is
 * asked; due at `runAt`. Given a transaction's `tx` they commit with it; given the storage, each job is written as the
 * call returns.
 */
export async function queueDeliveriesAt(
  storage: Pick<StoragePort, 'jobs'>,
  deliveries: readonly { channel: string; id: string; runAt: Date }[],
): Promise<void> {
  for (const { channel, id, runAt } of deliveries)
    await enqueueHostJob(storage, sendQueue(channel), { deliveryId: id }, { key: id, runAt });
}
