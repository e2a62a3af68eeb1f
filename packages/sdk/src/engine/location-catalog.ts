import { z } from 'zod';
import { ActorSchema, TagSchema } from '../domain/common.js';
import type { Actor } from '../domain/common.js';
import { type LocationEntry, LocationEntrySchema } from '../domain/location.js';
import { parseInput } from '../domain/validate.js';
import type { EngineContext } from './context.js';

const ADMIN: Actor = Object.freeze({ type: 'admin', id: null });

/** Validates `kit.locations.name`: the tag, its country (ISO 3166-1 alpha-2), the name buyers read, and who did it. */
export const NameLocationRequestSchema = LocationEntrySchema.extend({ actor: ActorSchema.optional() });
/** Input of `kit.locations.name`. */
export type NameLocationRequest = z.input<typeof NameLocationRequestSchema>;

/** Validates `kit.locations.remove`: the tag whose entry goes, and who did it. */
export const RemoveLocationRequestSchema = z.strictObject({ location: TagSchema, actor: ActorSchema.optional() });
/** Input of `kit.locations.remove`. */
export type RemoveLocationRequest = z.input<typeof RemoveLocationRequestSchema>;

/**
 * `kit.locations`: the owner's location catalog. Each panel location tag (`Panel.locationTags`) may be named with a
 * country and the name buyers read; `kit.planLocations` shows them. A tag without an entry still sells, shown by its
 * tag alone.
 */
export interface PanelkitLocations {
  /** Every entry, sorted by tag. */
  list(): Promise<LocationEntry[]>;
  /**
   * Names a tag (replacing its entry), audited `location.named` in the same transaction; the entry as stored. An
   * invalid tag, country or name is a `ValidationError` and changes nothing.
   */
  name(request: NameLocationRequest): Promise<LocationEntry>;
  /** Removes a tag's entry, audited `location.removed` when there was one; whether there was. */
  remove(request: RemoveLocationRequest): Promise<boolean>;
}

/** `kit.locations` over the engine. */
export function createLocations(ctx: EngineContext): PanelkitLocations {
  return {
    list: () => ctx.storage.locations.list(),
    async name(input) {
      const { actor, ...entry } = parseInput(NameLocationRequestSchema, input, 'location name');
      return ctx.storage.transaction(async (tx) => {
        const stored = await tx.locations.put(entry);
        await tx.audit.append({
          actor: actor ?? ADMIN,
          action: 'location.named',
          subjectType: 'location',
          subjectId: stored.location,
          data: { country: stored.country, name: stored.name },
        });
        return stored;
      });
    },
    async remove(input) {
      const { actor, location } = parseInput(RemoveLocationRequestSchema, input, 'location removal');
      return ctx.storage.transaction(async (tx) => {
        const removed = await tx.locations.remove(location);
        if (removed)
          await tx.audit.append({
            actor: actor ?? ADMIN,
            action: 'location.removed',
            subjectType: 'location',
            subjectId: location,
            data: {},
          });
        return removed;
      });
    },
  };
}
