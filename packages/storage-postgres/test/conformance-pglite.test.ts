import { afterAll } from 'vitest';
import { createSecretBox, generateSecretKey } from '@panelkit/sdk';
import { describeStoragePort } from '@panelkit/sdk/testing';
import { sharedPGlite, storageInFreshSchema } from './helpers.js';

const pglite = sharedPGlite();
afterAll(() => pglite.close());

// On PGlite panel credentials are sealed (as the shop runs it); the real-server suite runs without a box.
const secretBox = createSecretBox([generateSecretKey('conformance')]);

describeStoragePort('postgres (PGlite, sealed credentials)', async ({ clock }) =>
  storageInFreshSchema(await pglite.client(), clock, secretBox),
);
