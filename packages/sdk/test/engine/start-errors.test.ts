/**
 * What a developer meets first from plain JavaScript: options the engine cannot start with, and a checkout line
 * with fields the engine does not know. Each refusal is a `ConfigurationError`/`ValidationError` that names the
 * cause and what to pass, never a `TypeError` from deep inside.
 */
import { describe, expect, it } from 'vitest';
import { ConfigurationError, ValidationError, createPanelkit } from '../../src/index.js';
import type { PanelkitOptions } from '../../src/index.js';
import { FakePanelAdapter } from '../../src/testing/index.js';
import { IDENTITY, createHarness } from './harness.js';

const start = (options: unknown) => () => createPanelkit(options as PanelkitOptions);

describe('createPanelkit refuses what it cannot start with, saying what to pass', () => {
  it('no options at all', () => {
    expect(start(undefined)).toThrow(ConfigurationError);
    expect(start(undefined)).toThrow(/createPanelkit\(\{ storage, panels, policy \}\)/);
  });

  it('no storage, or something that is not a storage', async () => {
    const panels = () => new FakePanelAdapter();
    expect(start({ panels, policy: { identity: IDENTITY } })).toThrow(/options\.storage is missing.*createMemoryStorage\(\)/);
    expect(start({ storage: { query: () => undefined }, panels, policy: { identity: IDENTITY } })).toThrow(
      /not a StoragePort \(it has no portVersion\)/,
    );
  });

  it('no panels factory, or no policy', async () => {
    const h = await createHarness();
    expect(start({ storage: h.storage, policy: { identity: IDENTITY } })).toThrow(/options\.panels must be a function/);
    expect(start({ storage: h.storage, panels: () => new FakePanelAdapter() })).toThrow(
      /policy\.identity is required: pass policy: \{ identity: \{ secret \} \}/,
    );
  });
});

describe('checkout refuses fields it does not know instead of dropping them', () => {
  it('an unknown field on a line or on the request is a ValidationError and writes nothing', async () => {
    const h = await createHarness();
    const customerId = await h.customer(5000);
    const line = { planId: h.plan.id, qty: 2 } as never;
    await expect(h.kit.checkout({ customerId, items: [line], idempotencyKey: 'k-qty' })).rejects.toSatisfy(
      (e: unknown) => ValidationError.is(e) && /items\.0: Unrecognized key: "qty"/.test(e.message),
    );
    const request = { customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'k-amount', amount: -500 } as never;
    await expect(h.kit.checkout(request)).rejects.toThrow(/Unrecognized key: "amount"/);
    expect((await h.storage.orders.list({ customerId }, { limit: 10 })).items).toEqual([]);
  });
});
