import { isDeepStrictEqual } from 'node:util';
import type { Actor } from '../domain/common.js';
import { TargetSettingsSchema } from '../domain/target.js';
import type { Target, TargetSettings } from '../domain/target.js';
import { parseInput } from '../domain/validate.js';
import { NotFoundError } from '../errors.js';
import { ADMIN_ACTOR } from './admin-actor.js';
import type { EngineContext } from './context.js';

/**
 * Changes the settings an admin owns on a stored target (capacity, tags, default, provisioning), audited as
 * `target.updated` with the panel, the names of the fields that changed and the settings as they are now.
 * Nothing changed: returned unwritten and unaudited. Bad input is a `ValidationError`, an unknown target a
 * `NotFoundError`; either changes nothing.
 */
export async function updateTargetSettings(
  ctx: EngineContext,
  targetId: string,
  settings: TargetSettings,
  actor: Actor = ADMIN_ACTOR,
): Promise<Target> {
  const valid = parseInput(TargetSettingsSchema, settings, 'target settings');
  return ctx.storage.transaction(async (tx) => {
    const before = await tx.targets.get(targetId);
    if (before === null) throw new NotFoundError('target', targetId);
    const changed = (Object.keys(valid) as Array<keyof typeof valid>).filter((key) => !isDeepStrictEqual(before[key], valid[key]));
    if (changed.length === 0) return before;
    const target = await tx.targets.update(targetId, valid);
    await tx.audit.append({
      actor,
      action: 'target.updated',
      subjectType: 'target',
      subjectId: target.id,
      data: {
        panelId: target.panelId,
        name: target.name,
        changed,
        capacity: target.capacity,
        tags: target.tags,
        isDefault: target.isDefault,
        provisioningEnabled: target.provisioningEnabled,
      },
    });
    return target;
  });
}
