import { afterAll } from 'vitest';
import { describeFiguresFold } from '../../sdk/test/engine/figures-fold-cases.js';
import { storagesInTurn } from './helpers.js';

// The SDK's figures-fold cases on PostgreSQL (PGlite): random sales folded by the triggers' marks leave every rollup
// equal to `figuresFromRows`. Fewer steps than on memory: each step is several statements on one PGlite connection.
const storages = storagesInTurn();
afterAll(() => storages.close());

describeFiguresFold('PGlite', async (clock) => (await storages.storage(clock)).storage, { seeds: [1, 2], steps: 80 });
