import { toPanelkitError } from '../../errors.js';
import type { RemoteClient } from '../../ports/panel.js';
import type { EngineContext } from '../context.js';

/** A panel's clients by username, read once per import; or why the panel could not be read. */
export type PanelClients =
  | { ok: true; clients: Map<string, RemoteClient> }
  | { ok: false; reason: 'unknown_panel' | 'panel_unavailable'; detail: string };

/** Reads every client of each panel an import touches, once (a page of 500 at a time). */
export class PanelClientIndex {
  readonly #panels = new Map<string, Promise<PanelClients>>();

  constructor(private readonly ctx: EngineContext) {}

  of(panelId: string): Promise<PanelClients> {
    let found = this.#panels.get(panelId);
    if (found === undefined) {
      found = this.#read(panelId);
      this.#panels.set(panelId, found);
    }
    return found;
  }

  async #read(panelId: string): Promise<PanelClients> {
    const panel = await this.ctx.storage.panels.get(panelId);
    if (panel === null) return { ok: false, reason: 'unknown_panel', detail: panelId };
    try {
      const handle = this.ctx.panels.handleFor(panel);
      const clients = new Map<string, RemoteClient>();
      let cursor: string | null = null;
      do {
        const page = await this.ctx.panels.call(handle, `import:${panelId}`, (c) => handle.adapter.listClients({ cursor, limit: 500 }, c));
        for (const client of page.items) clients.set(client.ref.username, client);
        cursor = page.nextCursor;
      } while (cursor !== null);
      return { ok: true, clients };
    } catch (error) {
      return { ok: false, reason: 'panel_unavailable', detail: toPanelkitError(error).message.slice(0, 500) };
    }
  }
}
