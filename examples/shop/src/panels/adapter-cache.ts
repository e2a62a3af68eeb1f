import type { Panel, PanelAdapter } from '@panelkit/sdk';

/**
 * Adapters for the shop's own panel calls (test connection, target sync), one per panel and
 * rebuilt when the panel's settings change, so a session or token is reused between admin
 * actions (Marzban reports every login to its owner, and rations them).
 */
export class AdapterCache {
  readonly #adapters = new Map<string, { version: number; adapter: PanelAdapter }>();

  constructor(private readonly build: (panel: Panel) => PanelAdapter) {}

  for(panel: Panel): PanelAdapter {
    const version = panel.updatedAt.getTime();
    const cached = this.#adapters.get(panel.id);
    if (cached !== undefined && cached.version === version) return cached.adapter;
    const adapter = this.build(panel);
    this.#adapters.set(panel.id, { version, adapter });
    return adapter;
  }
}
