import { afterAll } from 'vitest';
import { describeStoragePort } from '@panelkit/sdk/testing';
import { sharedPGlite, storageInFreshSchema } from './helpers.js';

const pglite = sharedPGlite();
afterAll(() => pglite.close());

describeStoragePort('postgres (PGlite)', async ({ clock }) => storageInFreshSchema(await pglite.client(), clock));
