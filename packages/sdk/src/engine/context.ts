import type { Actor } from '../domain/common.js';
import type { Subscription } from '../domain/subscription.js';
import type { PanelkitEventBus } from '../events.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { StoragePort, StorageRepositories } from '../ports/storage.js';
import type { RandomSource } from '../retry.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { PanelRegistry } from './adapters.js';
import type { PaymentProviderRegistry } from './payments/providers.js';
import type { ResolvedPolicy } from './policy.js';
import type { ResolvedFigures } from './figures/settings.js';

/** What every part of the engine shares. */
export interface EngineContext {
  readonly storage: StoragePort;
  readonly panels: PanelRegistry;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly events: PanelkitEventBus;
  readonly policy: ResolvedPolicy;
  readonly random: RandomSource;
  /** The payment providers and the box that seals saved methods (absent: the kit takes no payments). */
  readonly payments?: { readonly registry: PaymentProviderRegistry; readonly secrets: SecretBox | null };
  /** The owner figures' settings (absent: the scheduler leaves the figures alone). */
  readonly figures?: ResolvedFigures;
}

/** Writes one audit event about a subscription, in the caller's transaction. */
export async function auditSubscription(
  tx: StorageRepositories,
  actor: Actor,
  action: string,
  subscription: Pick<Subscription, 'id'>,
  data: Record<string, string | number | boolean | null> = {},
): Promise<void> {
  await tx.audit.append({ actor, action, subjectType: 'subscription', subjectId: subscription.id, data });
}

export const WORKER_ACTOR: Actor = Object.freeze({ type: 'worker', id: null });
export const SCHEDULER_ACTOR: Actor = Object.freeze({ type: 'scheduler', id: null });
