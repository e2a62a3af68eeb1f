import { NotFoundError } from '@panelkit/sdk';
import { parseCapacityRequest } from '@panelkit/sdk/storage';
import type { CapacityRepository, CapacityRequest, ReserveResult } from '@panelkit/sdk/storage';
import { rowLock } from '../internal/locks.js';
import type { Call, RepositoryContext } from '../internal/runner.js';
import { dec } from '../internal/sql.js';

function hasRoom(limit: number | null, allocated: number, count: number): boolean {
  return limit === null || allocated + count <= limit;
}

/**
 * Slot counters. Both rows are locked (`FOR NO KEY UPDATE`, always plan before target, so two callers
 * cannot deadlock, even when one tries target after target) and checked before either is written:
 * concurrent reservations from any number of connections queue on the plan's row and never pass a
 * target's capacity.
 */
export function capacityRepository({ runner, schema }: RepositoryContext): CapacityRepository {
  async function lock({ db }: Call, { targetId, planId }: CapacityRequest) {
    // The plan first: a checkout that finds one target full goes on to the next while holding the plan, so a
    // second checkout must queue on the plan before it holds any target (target first, it held the next target
    // and waited for the plan the first one held: "deadlock detected" under 50 buyers).
    const plan = (await db.query(`SELECT max_clients, allocated FROM ${schema}.plans WHERE id = $1 ${rowLock()}`, [planId])).rows[0];
    if (plan === undefined) throw new NotFoundError('plan', planId);
    const target = (await db.query(`SELECT capacity, allocated FROM ${schema}.targets WHERE id = $1 ${rowLock()}`, [targetId])).rows[0];
    if (target === undefined) throw new NotFoundError('target', targetId);
    return {
      target: { limit: dec.intOrNull(target['capacity']), allocated: dec.int(target['allocated']) },
      plan: { limit: dec.intOrNull(plan['max_clients']), allocated: dec.int(plan['allocated']) },
    };
  }

  async function move({ db }: Call, { targetId, planId }: CapacityRequest, target: number, plan: number): Promise<void> {
    await db.query(`UPDATE ${schema}.targets SET allocated = $2 WHERE id = $1`, [targetId, target]);
    await db.query(`UPDATE ${schema}.plans SET allocated = $2 WHERE id = $1`, [planId, plan]);
  }

  return {
    reserve: (request: CapacityRequest) =>
      runner.run('capacity.reserve', async (call): Promise<ReserveResult> => {
        const parsed = parseCapacityRequest(request);
        const { target, plan } = await lock(call, parsed);
        if (!hasRoom(target.limit, target.allocated, parsed.count)) return { ok: false, reason: 'target_full' };
        if (!hasRoom(plan.limit, plan.allocated, parsed.count)) return { ok: false, reason: 'plan_full' };
        await move(call, parsed, target.allocated + parsed.count, plan.allocated + parsed.count);
        return { ok: true };
      }),

    release: (request: CapacityRequest) =>
      runner.run('capacity.release', async (call): Promise<void> => {
        const parsed = parseCapacityRequest(request);
        const { target, plan } = await lock(call, parsed);
        await move(call, parsed, Math.max(0, target.allocated - parsed.count), Math.max(0, plan.allocated - parsed.count));
      }),
  };
}
