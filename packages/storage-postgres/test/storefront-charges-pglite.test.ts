import { afterAll } from 'vitest';
import { describeStorefrontCharges } from '../../sdk/test/engine/storefront-charges-cases.js';
import { storagesInTurn } from './helpers.js';

// The SDK's storefront-money cases (extension, top-up, renewal, device pack, gift, provisioning death) on PostgreSQL.
const storages = storagesInTurn();
afterAll(() => storages.close());

describeStorefrontCharges('PGlite', async (clock) => (await storages.storage(clock)).storage);
