import type { Job } from '../domain/job.js';
import type { Panel } from '../domain/panel.js';
import { PanelConnectionError } from '../errors.js';
import type { JobRetryPolicy } from './policy.js';

/**
 * When a job is given up: `giveUpAfterMs` after its first failed or parked attempt (`failingSince`),
 * or after `now` for a job that has not failed yet.
 */
export function giveUpAt(job: Pick<Job, 'failingSince'>, policy: Pick<JobRetryPolicy, 'giveUpAfterMs'>, now: Date): Date {
  return new Date((job.failingSince ?? now).getTime() + policy.giveUpAfterMs);
}

/** Whether the worker parks jobs for this panel instead of calling it: it is known to be down. */
export function isKnownDown(panel: Pick<Panel, 'health'>): boolean {
  return panel.health.status === 'unhealthy';
}

/** The error a job parked on a down panel is given up with once its time is over. */
export function stayedDownError(panel: Pick<Panel, 'id' | 'kind' | 'health'>, job: Pick<Job, 'type'>): PanelConnectionError {
  const reason = panel.health.lastError ?? 'health checks failed';
  return new PanelConnectionError(`the panel stayed down until the job was given up (${reason})`, {
    panelId: panel.id,
    panelKind: panel.kind,
    operation: job.type,
  });
}
