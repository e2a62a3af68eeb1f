/** What bench/scale's processes share about its simulated panels: kinds, names, logins. */
import type { NewPanel } from '../../packages/sdk/src/index.js';

/** The five panel API generations the adapters speak. */
export const BENCH_KINDS = ['xui-gen-a', 'xui-gen-b', 'sui', 'marzban', 'marzneshin'] as const;
export type BenchKind = (typeof BENCH_KINDS)[number];

/** One panel as a host process is asked to serve it. */
export interface HostedPanel {
  /** 0-based, across the whole bench. */
  index: number;
  kind: BenchKind;
  clients: number;
  latencyMs: number;
}

/** A hosted panel with the base URL its adapter talks to. */
export interface ServedPanel extends HostedPanel {
  baseUrl: string;
}

export const PANEL_USER = 'owner';
export const PANEL_PASSWORD = 'bench-admin-password';
export const SUI_TOKEN = 'bench-sui-api-token-0123456789';

/** The username of client `n` on panel `index` (a subscription's `remote.username`). */
export function clientName(index: number, n: number | ''): string {
  return `s${index}_${n}`;
}

/** The panel row the shop's adapter factory turns into the right adapter. */
export function panelRow(panel: ServedPanel): NewPanel {
  const kind = panel.kind === 'sui' ? 's-ui' : panel.kind.startsWith('xui') ? '3x-ui' : panel.kind;
  return {
    kind,
    name: `p${panel.index} ${panel.kind}`,
    baseUrl: panel.baseUrl,
    credentials:
      panel.kind === 'sui' ? { type: 'token', token: SUI_TOKEN } : { type: 'password', username: PANEL_USER, password: PANEL_PASSWORD },
  };
}
