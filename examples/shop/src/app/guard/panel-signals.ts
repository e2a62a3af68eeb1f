import type { Shop } from '../shop.js';

/**
 * What the guard can read of one panel's clients: `addresses` (the panel reports each client's source addresses,
 * counted as networks) or `registry` (the panel reports none: Marzban, Marzneshin, S-UI, 3x-ui before v3.4.1; the guard
 * counts the devices that fetched the buyer's link in the last hour, and a subscription none fetched has no reading).
 * `needsFail2ban`: 3x-ui records client addresses only while its fail2ban IP limit is on (`XUI_ENABLE_FAIL2BAN=true`),
 * and enforces a device limit only then.
 */
export interface GuardPanelSignal {
  panelId: string;
  name: string;
  kind: string;
  signal: 'addresses' | 'registry';
  needsFail2ban: boolean;
}

/** Each panel's guard signal, from the capabilities its adapter declares (never from its kind's name alone). */
export async function guardPanelSignals(shop: Pick<Shop, 'kit' | 'storage'>): Promise<GuardPanelSignal[]> {
  const panels = await shop.storage.panels.list();
  return Promise.all(
    panels.map(async (panel) => {
      const adapter = await shop.kit.panels.adapter(panel.id).catch(() => null);
      const addresses = adapter?.capabilities.clientAddresses !== undefined;
      return {
        panelId: panel.id,
        name: panel.name,
        kind: panel.kind,
        signal: addresses ? 'addresses' : 'registry',
        // 3x-ui's address records and its IP limit both come from its fail2ban job; no capability says so.
        needsFail2ban: panel.kind === '3x-ui',
      } satisfies GuardPanelSignal;
    }),
  );
}
