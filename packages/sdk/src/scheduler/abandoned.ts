import { PanelkitError } from '../errors.js';
import { provisionHandler } from '../engine/handlers/provision.js';
import { JOB_TYPES } from '../engine/job-types.js';
import type { TickScope } from './tick-scope.js';
import { pages } from '../engine/paging.js';

/**
 * A provisioning job can die without its worker running the compensation: the storage's reaper
 * kills a job whose last attempt outlived its lease (the worker crashed or hung on it). Its
 * subscription would stay `pending` with the money taken. This finds pending subscriptions whose
 * provisioning job is dead and runs the compensation (failed, slot released, refund), which is
 * idempotent. Its cost follows the number of pending subscriptions.
 */
export async function settleAbandonedProvisioning(scope: TickScope): Promise<number> {
  const { ctx } = scope;
  let settled = 0;
  for (const panel of await ctx.storage.panels.list()) {
    for await (const sub of pages((p) => ctx.storage.subscriptions.listByPanel(panel.id, { statuses: ['pending'] }, p))) {
      const latest = (await ctx.storage.jobs.list({ dedupeKey: `${JOB_TYPES.provision}:${sub.id}` }, { limit: 1 })).items[0];
      if (latest === undefined || latest.state !== 'dead') continue;
      const last = latest.lastError;
      const error = new PanelkitError('LEASE_LOST', last?.message ?? 'the provisioning job died', {
        details: { lastErrorCode: last?.code ?? null },
      });
      await provisionHandler.onDead!(ctx, latest, error);
      settled++;
    }
  }
  return settled;
}
