import { defineHostJob, enqueuePeriodicHostJob, type HostJobDefinition } from '@panelkit/sdk';
import { z } from 'zod';
import type { Shop } from '../../shop.js';
import { EPAY_PROVIDER } from '../epay/provider.js';
import { YOOKASSA_PROVIDER } from '@panelkit/payment-providers/yookassa';
import { STRIPE_PROVIDER } from '@panelkit/payment-providers/stripe';
import { keyRefusalIn, sweepPendingPayments } from '@panelkit/payment-providers';
import { isGatewayRail } from './gateway-rails.js';
import { reportRefusedGatewayKey } from './refused-key-report.js';

/** The host job that asks gateways about their pending payments. */
export const GATEWAY_SWEEP_JOB = 'shop.payments.gateway_sweep';
/** The gateways whose notifies may be lost and whose own API the sweep asks instead: EPay, YooKassa, Stripe. */
export const SWEPT_PROVIDERS: readonly string[] = [EPAY_PROVIDER, YOOKASSA_PROVIDER, STRIPE_PROVIDER];
/** How often one replica sweeps (leaderless: one winner per slot). */
export const GATEWAY_SWEEP_EVERY_MS = 5 * 60_000;
/** A payment younger than this is left to its notify (it usually comes within seconds of paying). */
export const GATEWAY_SWEEP_QUIET_MS = 2 * 60_000;
/** Pending payments asked about per provider and sweep (the newest page; older ones on the next sweeps as these settle). */
const SWEEP_PAGE = 200;

const SweepSchema = z.object({ slot: z.iso.datetime() });

/**
 * One sweep of the swept gateways (`sweepPendingPayments` of `@panelkit/payment-providers`: each pending payment older
 * than {@link GATEWAY_SWEEP_QUIET_MS} is looked up at its gateway and credited once). Returns how many it credited. A
 * gateway that cannot be asked is thrown for after the others were swept (the job retries; the payments it did ask
 * about stay settled); one that refuses the shop's merchant key tells the owner (once per setup,
 * `reportRefusedGatewayKey`), as a buyer's top-up does.
 */
export async function sweepGatewayPayments(shop: Shop): Promise<number> {
  const { credited, unreachable } = await sweepPendingPayments(shop.kit, {
    providers: SWEPT_PROVIDERS,
    quietMs: GATEWAY_SWEEP_QUIET_MS,
    limit: SWEEP_PAGE,
    now: shop.clock.now(),
  });
  for (const { providerId, error } of unreachable) {
    const refusal = keyRefusalIn(error);
    if (refusal !== null && isGatewayRail(providerId)) await reportRefusedGatewayKey(shop, providerId, refusal);
  }
  if (unreachable.length > 0) throw unreachable[unreachable.length - 1]!.error;
  return credited;
}

/** The sweep as a host job, retried a few times within its slot when a gateway cannot be asked. */
export function gatewaySweepJob(shopOf: () => Shop): HostJobDefinition<typeof SweepSchema> {
  return defineHostJob({
    type: GATEWAY_SWEEP_JOB,
    payload: SweepSchema,
    serialKey: () => GATEWAY_SWEEP_JOB,
    retry: { maxAttempts: 4, baseDelayMs: 30_000, maxDelayMs: GATEWAY_SWEEP_EVERY_MS, giveUpAfterMs: GATEWAY_SWEEP_EVERY_MS },
    async run(_payload, { logger }) {
      const credited = await sweepGatewayPayments(shopOf());
      if (credited > 0) logger.info({ credited }, 'gateway payments whose notify never came were credited');
    },
  });
}

/** Asked on every background tick: the one replica that wins a new slot queues the sweep. Returns whether this call did. */
export async function queueGatewaySweep(shop: Shop): Promise<boolean> {
  const job = shop.hostJobs.find((d) => d.type === GATEWAY_SWEEP_JOB);
  if (job === undefined) return false;
  const { enqueued } = await enqueuePeriodicHostJob(shop.storage, job, {
    everyMs: GATEWAY_SWEEP_EVERY_MS,
    now: shop.clock.now(),
    payload: (slot) => ({ slot: slot.toISOString() }),
  });
  return enqueued;
}
