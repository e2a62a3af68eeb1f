import { PanelConnectionError } from '../../errors.js';
import type { PanelHandle } from '../adapters.js';

/**
 * An unhealthy panel is not called. The worker parks a job of a panel known to be down before it
 * runs (spending no attempt); this catches a panel marked down between routing and running. The
 * error is retryable, so the job waits, and is given up only at its give-up time.
 */
export function assertPanelUsable(handle: PanelHandle, operation: string): void {
  if (handle.panel.health.status === 'unhealthy') {
    throw new PanelConnectionError('the panel is unhealthy; waiting for it to recover', {
      panelId: handle.panel.id,
      panelKind: handle.panel.kind,
      operation,
    });
  }
}
