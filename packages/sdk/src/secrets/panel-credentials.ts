import { PanelCredentialsSchema, type PanelCredentials } from '../domain/panel.js';
import { SecretKeyError, type SecretBox } from './secret-box.js';

/** How a sealed secret sits in a JSON column: `{"sealed": "pk1.<keyId>.…"}`, told apart from plain JSON by its one key. */
export interface StoredSealedSecret {
  readonly sealed: string;
}

/** Whether a JSON column's value is a {@link StoredSealedSecret} (rather than plain JSON). */
export function isStoredSealedSecret(value: unknown): value is StoredSealedSecret {
  return typeof value === 'object' && value !== null && typeof (value as { sealed?: unknown }).sealed === 'string';
}

/** The authenticated context of one panel's sealed credentials, so they open only on that panel's row. */
export function panelCredentialsContext(panelId: string): string {
  return `panels.credentials:${panelId}`;
}

/** Seals a panel's credentials for a JSON column; {@link openPanelCredentials} reverses it with the same panel id. */
export function sealPanelCredentials(box: SecretBox, panelId: string, credentials: PanelCredentials): StoredSealedSecret {
  return { sealed: box.seal(JSON.stringify(credentials), panelCredentialsContext(panelId)) };
}

/**
 * Credentials each box opened, by panel and sealed text: a panel's row is read by every checkout, placement and
 * provisioning claim, and its sealed text changes only when its credentials are sealed again (a fresh nonce each
 * time), so one text opens to the same credentials for as long as the box (its keys are fixed) lives. Bounded: past
 * {@link OPENED_KEPT} texts it starts again.
 */
const opened = new WeakMap<SecretBox, Map<string, PanelCredentials>>();
const OPENED_KEPT = 1_000;

/**
 * Opens what a storage holds for a panel's credentials. A sealed value is opened with `box`; plain
 * credentials (a row written before sealing, or by a storage without a box) are returned as they are
 * only when there is no box, so a host with a box never runs on plain text unnoticed: it throws
 * `SecretKeyError`, and the storage's start-up sealing (`resealSecrets`) is what seals such rows.
 */
export function openPanelCredentials(box: SecretBox | undefined, panelId: string, stored: unknown): PanelCredentials {
  if (isStoredSealedSecret(stored)) {
    if (box === undefined) throw new SecretKeyError(`panel ${panelId} has sealed credentials but the storage was given no secret keys`);
    let byText = opened.get(box);
    if (byText === undefined) opened.set(box, (byText = new Map()));
    const key = `${panelId}\n${stored.sealed}`;
    let credentials = byText.get(key);
    if (credentials === undefined) {
      credentials = PanelCredentialsSchema.parse(JSON.parse(box.open(stored.sealed, panelCredentialsContext(panelId))));
      if (byText.size >= OPENED_KEPT) byText.clear();
      byText.set(key, credentials);
    }
    // A copy: what a caller does with its credentials is not what the next caller gets.
    return { ...credentials };
  }
  if (box !== undefined)
    throw new SecretKeyError(`panel ${panelId} has credentials in plain text; seal them first (resealSecrets at start-up)`);
  return PanelCredentialsSchema.parse(stored);
}
