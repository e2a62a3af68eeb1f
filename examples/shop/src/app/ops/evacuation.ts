import type { Actor, EvacuationProgress, EvacuationReport, Panel, Target } from '@panelkit/sdk';
import { ShopError } from '../shop-error.js';
import type { Shop } from '../shop.js';

/** What the evacuation page and the bot show before and during an evacuation. */
export interface EvacuationView {
  panel: Panel;
  /** Every target, for names in the plan. */
  targets: Map<string, Target>;
  /** Where each live subscription would go now, and what does not fit (a dry run). */
  plan: EvacuationReport;
  progress: EvacuationProgress;
}

async function panelOf(shop: Shop, panelId: string): Promise<Panel> {
  const panel = await shop.storage.panels.get(panelId);
  if (panel === null) throw new ShopError('not_found', 'errors.notFound');
  return panel;
}

/** The dry run and progress of evacuating a panel; writes nothing. A missing panel is a 404. */
export async function evacuationView(shop: Shop, panelId: string): Promise<EvacuationView> {
  const panel = await panelOf(shop, panelId);
  const [plan, progress, targets] = await Promise.all([
    shop.kit.evacuate({ panelId, dryRun: true }),
    shop.kit.evacuationProgress(panelId),
    shop.storage.targets.list(),
  ]);
  return { panel, targets: new Map(targets.map((t) => [t.id, t])), plan, progress };
}

/**
 * Starts moving every live subscription off the panel (one durable job each; the worker carries them
 * out). Safe to run again: what is already moving is not queued twice. A missing panel is a 404.
 */
export async function startEvacuation(shop: Shop, panelId: string, actor: Actor): Promise<EvacuationReport> {
  await panelOf(shop, panelId);
  return shop.kit.evacuate({ panelId, actor });
}
