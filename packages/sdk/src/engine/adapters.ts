import PQueue from 'p-queue';
import type { Panel } from '../domain/panel.js';
import { ConfigurationError, NotFoundError } from '../errors.js';
import { PANEL_ADAPTER_API_VERSION } from '../ports/panel.js';
import type { CallContext, PanelAdapter } from '../ports/panel.js';
import type { StoragePort } from '../ports/storage.js';
import type { ResolvedPolicy } from './policy.js';

/** Gives the adapter for a stored panel. Called once per panel; the engine keeps the result. */
export type PanelAdapterFactory = (panel: Panel) => PanelAdapter;

/** One adapter and one concurrency queue per panel. */
export interface PanelHandle {
  readonly panel: Panel;
  readonly adapter: PanelAdapter;
  readonly queue: PQueue;
}

/** Adapters by panel id, checked for their API version, each with its own p-queue. */
export class PanelRegistry {
  readonly #handles = new Map<string, { adapter: PanelAdapter; queue: PQueue }>();

  constructor(
    private readonly storage: StoragePort,
    private readonly factory: PanelAdapterFactory,
    private readonly policy: ResolvedPolicy,
  ) {}

  /** The panel as stored now, with its adapter and queue. */
  async get(panelId: string): Promise<PanelHandle> {
    const panel = await this.storage.panels.get(panelId);
    if (panel === null) throw new NotFoundError('panel', panelId);
    return this.handleFor(panel);
  }

  handleFor(panel: Panel): PanelHandle {
    let handle = this.#handles.get(panel.id);
    if (handle === undefined) {
      const adapter = this.factory(panel);
      if (adapter?.apiVersion !== PANEL_ADAPTER_API_VERSION) {
        throw new ConfigurationError(
          `the adapter for panel ${panel.id} speaks panel API ${String(adapter?.apiVersion)}; this engine needs ${PANEL_ADAPTER_API_VERSION}`,
        );
      }
      const concurrency = this.policy.panelConcurrency[panel.id] ?? adapter.capabilities.maxConcurrency;
      handle = { adapter, queue: new PQueue({ concurrency: Math.max(1, concurrency) }) };
      this.#handles.set(panel.id, handle);
    }
    return { panel, ...handle };
  }

  /** Every queue, for shutdown. */
  queues(): PQueue[] {
    return [...this.#handles.values()].map((h) => h.queue);
  }

  /** A call context with a timeout, chained to `parent`. */
  context(idempotencyKey: string, parent?: AbortSignal, attempt?: number): CallContext {
    const timeout = AbortSignal.timeout(this.policy.panelCallTimeoutMs);
    const signal = parent === undefined ? timeout : AbortSignal.any([parent, timeout]);
    return attempt === undefined ? { signal, idempotencyKey } : { signal, idempotencyKey, attempt };
  }
}
