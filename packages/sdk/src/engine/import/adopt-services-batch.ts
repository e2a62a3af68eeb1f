import type { Target } from '../../domain/target.js';
import { ConflictError } from '../../errors.js';
import type { StorageTransaction } from '../../ports/storage.js';
import type { PanelHandle } from '../adapters.js';
import type { EngineContext } from '../context.js';
import { adoptService, adoptionAudit, importedSubscriptionId, prepareAdoption, withLinks } from './adopt-service.js';
import type { AdoptionLookups, PreparedAdoption, ReadyAdoption, ServiceContext } from './adopt-service.js';
import type { ValidImportBatch } from './import-batch.js';

type Service = ValidImportBatch['services'][number];

/** Thrown inside a chunk's transaction to roll it back when a plan or target has no room for the whole chunk. */
class ChunkDoesNotFit extends Error {}

const pair = (a: string, b: string) => `${a}\u0000${b}`;

/** Targets by panel and remote ref, each read once per import (their slot counts are taken in the transaction). */
export class TargetCache {
  readonly #targets = new Map<string, Promise<Target | null>>();

  constructor(private readonly ctx: EngineContext) {}

  of(panelId: string, remoteRef: string): Promise<Target | null> {
    const key = pair(panelId, remoteRef);
    let found = this.#targets.get(key);
    if (found === undefined) {
      found = this.ctx.storage.targets.getByRemoteRef(panelId, remoteRef);
      this.#targets.set(key, found);
    }
    return found;
  }
}

/** The lookups of a chunk, read in a few statements: which ids are stored, and who holds each username. */
async function chunkLookups(
  ctx: EngineContext,
  source: string,
  services: readonly Service[],
  targets: TargetCache,
): Promise<AdoptionLookups> {
  const ids = services.map((s) => importedSubscriptionId(source, s.ref));
  const stored = new Set((await ctx.storage.subscriptions.getMany(ids)).map((s) => s.id));
  const usernames = new Map<string, string[]>();
  for (const s of services) usernames.set(s.panelId, [...(usernames.get(s.panelId) ?? []), s.username]);
  const owners = new Map<string, string>();
  for (const [panelId, names] of usernames) {
    for (const held of await ctx.storage.subscriptions.getByUsernames(panelId, names))
      owners.set(pair(panelId, held.remote.username), held.id);
  }
  return {
    stored: async (id) => stored.has(id),
    owner: async (panelId, username) => owners.get(pair(panelId, username)) ?? null,
    target: (panelId, remoteRef) => targets.of(panelId, remoteRef),
  };
}

/** Takes the slots of every plan and target the chunk fills, in plan then target id order, all or none. */
async function reserveAll(tx: StorageTransaction, adoptions: readonly PreparedAdoption[]) {
  const counts = new Map<string, { planId: string; targetId: string; count: number }>();
  for (const a of adoptions) {
    const key = pair(a.planId, a.target.id);
    const slot = counts.get(key) ?? { planId: a.planId, targetId: a.target.id, count: 0 };
    counts.set(key, { ...slot, count: slot.count + 1 });
  }
  for (const key of [...counts.keys()].sort()) {
    const reserved = await tx.capacity.reserve(counts.get(key)!);
    if (!reserved.ok) throw new ChunkDoesNotFit();
  }
}

/**
 * Adopts a chunk of services: reads what the checks need for the whole chunk at once, checks every
 * service, reads their links all at once, then writes every adoption in one transaction (their slots, the
 * subscriptions in one insert, their audit entries in another). When the chunk does not fit (a plan or
 * target without room for all of it) or another run adopted one of them meanwhile, nothing of it is
 * written and each of its services is adopted on its own instead, so each gets its own outcome.
 */
export async function adoptServiceChunk(
  ctx: EngineContext,
  services: readonly Service[],
  contextOf: (service: Service) => ServiceContext,
  targets: TargetCache,
): Promise<void> {
  const first = services[0];
  if (first === undefined) return;
  const { batch, report, dryRun } = contextOf(first);
  const lookups = await chunkLookups(ctx, batch.source, services, targets);
  const ready: ReadyAdoption[] = [];
  for (const service of services) {
    const adoption = await prepareAdoption(contextOf(service), service, lookups);
    if (adoption !== null) ready.push(adoption);
  }
  if (dryRun || ready.length === 0) return;
  // All at once: the panel's queue bounds them, and hands its slots from call to call.
  const handles = new Map<string, Promise<PanelHandle>>();
  const handleOf = (panelId: string) => {
    let handle = handles.get(panelId);
    if (handle === undefined) {
      handle = ctx.panels.get(panelId);
      handle.catch(() => undefined); // each call that needs it reports its failure
      handles.set(panelId, handle);
    }
    return handle;
  };
  const read = await Promise.all(ready.map((a) => withLinks(contextOf(a.service), a, () => handleOf(a.service.panelId))));
  const adoptions = read.filter((a): a is PreparedAdoption => a !== null);
  if (adoptions.length === 0) return;
  try {
    await ctx.storage.transaction(async (tx) => {
      await reserveAll(tx, adoptions);
      await tx.subscriptions.createMany(adoptions.map((a) => a.subscription));
      await tx.audit.appendMany(adoptions.map((a) => adoptionAudit(contextOf(a.service), a)));
    });
  } catch (error) {
    if (!(error instanceof ChunkDoesNotFit) && !ConflictError.is(error)) throw error;
    for (const a of adoptions) await adoptService(contextOf(a.service), a.service);
    return;
  }
  for (const a of adoptions) report.add({ kind: 'service', ref: a.service.ref, outcome: 'created', id: a.id });
}
