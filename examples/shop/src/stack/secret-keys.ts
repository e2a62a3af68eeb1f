import { createSecretBox, formatSecretKeys, generateSecretKey, parseSecretKeys, type SecretBox } from '@panelkit/sdk';
import type { ShopConfig } from '../config/config.js';
import { remembered } from './data-folder.js';

/**
 * The shop's secret box: SHOP_SECRET_KEYS when set (required on PostgreSQL), else in embedded mode a key
 * generated once and kept in the data folder (`secret-keys.json`), so `npm start` stays one command.
 * The demo key sits beside the database it seals, which protects a copied database file but not a copied
 * data folder: a real deployment sets SHOP_SECRET_KEYS and keeps it out of the database's backups.
 */
export function shopSecretBox(config: ShopConfig, keepDir: string | null): SecretBox {
  if (config.secretKeys !== null) return createSecretBox(config.secretKeys);
  const saved = remembered(keepDir, 'secret-keys.json', () => ({ keys: formatSecretKeys([generateSecretKey('demo1')]) }));
  return createSecretBox(parseSecretKeys(saved.keys));
}
