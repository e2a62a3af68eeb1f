import { deriveRemoteIdentity } from '@panelkit/sdk';
import type { ClientSpec } from '@panelkit/sdk/adapter';
import { ManualClock } from '@panelkit/sdk/fakes';
import { afterEach, describe, expect, it } from 'vitest';
import { serveOnLocalhost } from '../../src/simulators/harness/index.js';
import { createToyAdapter } from './toy-adapter.js';
import { ToyPanel } from './toy-panel.js';

const PASSWORD = 'toy-panel-admin-password-7c1e';
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A toy panel and an adapter that tries each call once, so a rule the factory skips cannot hide behind a retry. */
async function oneShot() {
  const panel = new ToyPanel(new ManualClock('2026-05-01T00:00:00Z'), PASSWORD);
  const server = await serveOnLocalhost(panel.handle);
  closers.push(() => server.close());
  const adapter = createToyAdapter({
    baseUrl: server.origin,
    password: PASSWORD,
    timeoutMs: 500,
    retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 },
  });
  const ctx = () => ({ signal: new AbortController().signal, idempotencyKey: crypto.randomUUID() });
  const [target] = (await adapter.listTargets(ctx())).filter((t) => t.protocol === 'vless');
  const spec: ClientSpec = {
    identity: deriveRemoteIdentity('define-adapter-test', 0, { secret: 'define-adapter-test-secret', prefix: 'toy' }),
    expiry: { type: 'never' },
    trafficLimitBytes: null,
    deviceLimit: null,
    enabled: true,
  };
  return { panel, adapter, ctx, target: target!, spec };
}

describe('defineHttpPanelAdapter', () => {
  it('settles a create whose answer was lost (an empty 200) by reading the client back, without a second try', async () => {
    const { panel, adapter, ctx, target, spec } = await oneShot();
    panel.injectFault({ kind: 'lost_response', on: 'write' });
    const [created] = await adapter.createClients(target, [spec], ctx());
    expect(created?.ref.username).toBe(spec.identity.username);
    expect(panel.clients.size).toBe(1);
  });

  it('adopts a client the panel already holds (a 409 on create) as it is', async () => {
    const { adapter, ctx, target, spec } = await oneShot();
    await adapter.createClients(target, [spec], ctx());
    const [again] = await adapter.createClients(target, [{ ...spec, enabled: false }], ctx());
    expect(again?.enabled).toBe(true);
  });

  it('treats an empty 200 on a read as a lost answer to retry, not as a body that breaks the schema', async () => {
    const { panel, adapter, ctx } = await oneShot();
    panel.injectFault({ kind: 'lost_response', on: 'read' });
    await expect(adapter.listTargets(ctx())).rejects.toMatchObject({ name: 'PanelConnectionError', retryable: true });
  });

  it('counts a delete of a client that is gone as done', async () => {
    const { adapter, ctx, target } = await oneShot();
    await expect(adapter.deleteClient({ target, username: 'nobody_here' }, ctx())).resolves.toBeUndefined();
  });
});
