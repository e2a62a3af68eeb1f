import { afterAll, describe, expect, it } from 'vitest';
import { ConflictError } from '@panelkit/sdk';
import { sharedPGlite } from './helpers.js';
import { recordingStorage } from './support/recorded-storage.js';

const pglite = sharedPGlite();
afterAll(() => pglite.close());

describe('customers.create on PostgreSQL: what it sends', () => {
  it('is one INSERT outside a transaction; a taken key there stores nothing; in a transaction it keeps its savepoint', async () => {
    const { storage, statements, cleanup } = await recordingStorage(pglite);

    // A bot's first contact: the insert alone, no BEGIN or COMMIT around it.
    statements.length = 0;
    const made = await storage.customers.create({ externalRef: 'telegram:1', telegramId: '1', name: 'One', locale: 'en' });
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/^INSERT INTO \S+\.customers /);
    expect(await storage.customers.get(made.id)).toEqual(made);

    // Taken: a typed conflict, and the first customer as it was.
    await expect(storage.customers.create({ externalRef: 'telegram:1', locale: 'ru' })).rejects.toBeInstanceOf(ConflictError);
    expect(await storage.customers.getByExternalRef('telegram:1')).toEqual(made);
    // Bad input: a typed error before anything is sent.
    statements.length = 0;
    await expect(storage.customers.create({ email: 'not an email', locale: 'en' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(statements).toEqual([]);

    // Inside a transaction a taken key is caught by its caller and the transaction goes on (its savepoint).
    const other = await storage.transaction(async (tx) => {
      await expect(tx.customers.create({ externalRef: 'telegram:1', locale: 'en' })).rejects.toBeInstanceOf(ConflictError);
      return tx.customers.create({ externalRef: 'telegram:2', locale: 'en' });
    });
    expect(await storage.customers.getByExternalRef('telegram:2')).toEqual(other);
    await cleanup();
  });
});
