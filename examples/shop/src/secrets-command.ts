import { formatSecretKeys, generateSecretKey } from '@panelkit/sdk';
import { resealSecrets } from '@panelkit/storage-postgres';
import { loadConfig } from './config/config.js';
import { shopSchemaName } from './db/migrations.js';
import { readDemoAdminLogin, resealDemoAdminFile } from './stack/admin-account.js';
import { openDatabase } from './stack/database.js';
import { shopSecretBox } from './stack/secret-keys.js';
import { resealShopSecrets } from './db/shop-secrets.js';
import { exitOnStartupError } from './stack/startup-errors.js';

/**
 * `npm run secrets -- <command>`:
 * - `new-key <id>` prints a fresh key (`id:base64`) to put first in SHOP_SECRET_KEYS;
 * - `rotate` seals every stored secret again under the first key of SHOP_SECRET_KEYS (safe while the
 *   shop runs; every replica must already hold the new key) and says how many values each key seals,
 *   so an old key is retired once it seals none;
 * - `check` opens every stored secret with the keys given, changing nothing but plain rows;
 * - `demo-admin` prints the demo admin's login kept in the data folder (the start banner's line, for a shop whose
 *   output went to a log as JSON, where the password is not written).
 * See docs/guides/secrets.md.
 */
async function main(args: string[]): Promise<void> {
  const [command, id] = args;
  if (command === 'new-key') {
    console.log(formatSecretKeys([generateSecretKey(id ?? `k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`)]));
    return;
  }
  if (command !== 'rotate' && command !== 'check' && command !== 'demo-admin') {
    console.error('usage: secrets new-key <id> | rotate | check | demo-admin');
    process.exit(2);
  }
  const config = loadConfig(process.env);
  if (command === 'demo-admin') {
    const login = readDemoAdminLogin(config.dataDir, shopSecretBox(config, config.dataDir));
    if (login === null) {
      console.error(`no demo admin is kept in ${config.dataDir} (the demo makes one at its first start)`);
      process.exit(1);
    }
    console.log(`${login.email} / ${login.password}`);
    return;
  }
  const database = await openDatabase(config.database);
  try {
    const secretBox = shopSecretBox(config, config.dataDir);
    const rotate = command === 'rotate';
    const engine = await resealSecrets(database.client, { schema: config.schema, secretBox, rotate });
    const staff = await resealShopSecrets(database.client, shopSchemaName(config.schema), secretBox, rotate);
    const demoAdminFile = resealDemoAdminFile(config.dataDir, secretBox, rotate);
    console.log(JSON.stringify({ engine, staffTotp: staff, demoAdminFile, currentKey: secretBox.currentKeyId }));
    const inUse = (keyId: string) => (engine.byKey[keyId] ?? 0) + (staff.byKey[keyId] ?? 0) > 0 || demoAdminFile === keyId;
    const retirable = secretBox.keyIds.filter((keyId) => !inUse(keyId) && keyId !== secretBox.currentKeyId);
    if (retirable.length > 0)
      console.log(`no stored secret is sealed with ${retirable.join(', ')} any more: it can be removed from SHOP_SECRET_KEYS`);
  } finally {
    await database.close();
  }
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  exitOnStartupError(error);
}
