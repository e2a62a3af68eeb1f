import { PanelkitError } from '@panelkit/sdk';
import type { PanelHealthReport } from '@panelkit/sdk/adapter';

/** What a health probe found; `measureHealth` adds the latency. */
export interface HealthProbe {
  readonly ok: boolean;
  readonly version: string | null;
  readonly message: string | null;
}

/**
 * Runs `probe` and times it. A failure is a report, not an error: `ok: false` with the typed error's
 * message (which holds no secrets), or a fixed text for anything else (whose message might).
 */
export async function measureHealth(probe: () => Promise<HealthProbe>): Promise<PanelHealthReport> {
  const started = performance.now();
  const latencyMs = (): number => Math.round(performance.now() - started);
  try {
    const found = await probe();
    return { ok: found.ok, latencyMs: latencyMs(), version: found.version, message: found.message };
  } catch (error) {
    const message = PanelkitError.is(error) ? error.message : 'unexpected failure';
    return { ok: false, latencyMs: latencyMs(), version: null, message };
  }
}
