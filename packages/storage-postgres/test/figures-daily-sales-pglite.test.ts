import { afterAll } from 'vitest';
import { describeDailySalesFromBuckets } from '../../sdk/test/engine/figures-daily-sales-cases.js';
import { storagesInTurn } from './helpers.js';

// The SDK's daily-sales-from-buckets cases on PostgreSQL (PGlite): the buckets the triggers' marks fold into equal
// `sales.figures`' aggregates in four zones.
const storages = storagesInTurn();
afterAll(() => storages.close());

describeDailySalesFromBuckets('PGlite', async (clock) => (await storages.storage(clock)).storage, 80);
