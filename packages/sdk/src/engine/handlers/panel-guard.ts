import { PanelConnectionError } from '../../errors.js';
import type { PanelHandle } from '../adapters.js';

/**
 * An unhealthy panel is not called: its jobs back off until a health check sees it recover.
 * The error is retryable, so the job waits; it is never refunded for this alone until its
 * attempts run out.
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
