import { afterAll } from 'vitest';
import { createSecretBox, generateSecretKey } from '@panelkit/sdk';
import { describeStoragePort } from '@panelkit/sdk/testing';
import { recycledSchemas, sharedPGlite } from './helpers.js';

const pglite = sharedPGlite();
let schemas: ReturnType<typeof recycledSchemas> | undefined;
afterAll(async () => {
  await schemas?.dropAll();
  await pglite.close();
});

// On PGlite panel credentials are sealed (as the shop runs it); the real-server suite runs without a box.
const secretBox = createSecretBox([generateSecretKey('conformance')]);

describeStoragePort('postgres (PGlite, sealed credentials)', async ({ clock }) => {
  schemas ??= recycledSchemas(await pglite.client());
  return schemas.storage(clock, secretBox);
});
