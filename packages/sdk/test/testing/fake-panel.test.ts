import { describe, expect, it } from 'vitest';
import { PanelNotFoundError, PanelOutcomeUnknownError, PanelConnectionError, deriveRemoteIdentity } from '../../src/index.js';
import type { CallContext, ClientSpec } from '../../src/adapter.js';
import { FakePanelAdapter, ManualClock } from '../../src/testing/index.js';

const ctx = (): CallContext => ({ signal: new AbortController().signal, idempotencyKey: 'k' });
const target = { remoteRef: '1', protocol: 'vless', remoteMeta: {} };
const spec = (id: string, over: Partial<ClientSpec> = {}): ClientSpec => ({
  identity: deriveRemoteIdentity(id, 0, { secret: 'fake-panel-secret-0123' }),
  expiry: { type: 'never' },
  trafficLimitBytes: 100,
  deviceLimit: null,
  enabled: true,
  ...over,
});

describe('FakePanelAdapter honours the port contract', () => {
  it('adopts an existing username instead of duplicating it', async () => {
    const fake = new FakePanelAdapter();
    const [a] = await fake.createClients(target, [spec('s1')], ctx());
    const [b] = await fake.createClients(target, [spec('s1', { trafficLimitBytes: 5 })], ctx());
    expect(b!.ref.remoteClientId).toBe(a!.ref.remoteClientId);
    expect(b!.trafficLimitBytes).toBe(100);
    expect([fake.created, fake.clientCount()]).toEqual([1, 1]);
  });

  it('deletes a missing client as success; updating or reading one is not found / null', async () => {
    const fake = new FakePanelAdapter();
    const ref = { target, username: spec('gone').identity.username };
    await expect(fake.deleteClient(ref, ctx())).resolves.toBeUndefined();
    await expect(fake.updateClient(ref, { enabled: false }, ctx())).rejects.toSatisfy((e: unknown) => PanelNotFoundError.is(e));
    await expect(fake.getClient(ref, ctx())).resolves.toBeNull();
  });

  it('pages every client in a stable order', async () => {
    const fake = new FakePanelAdapter({ targets: [{ remoteRef: '1' }, { remoteRef: '2' }], maxPageSize: 3 });
    await fake.createClients(
      target,
      Array.from({ length: 4 }, (_, i) => spec(`a${i}`)),
      ctx(),
    );
    await fake.createClients(
      { ...target, remoteRef: '2' },
      Array.from({ length: 3 }, (_, i) => spec(`b${i}`)),
      ctx(),
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await fake.listClients({ cursor }, ctx());
      seen.push(...page.items.map((c) => c.ref.username));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toHaveLength(7);
    expect(seen).toEqual([...seen].sort());
  });

  it('injects faults: fail, apply-then-lose, down', async () => {
    const fake = new FakePanelAdapter();
    fake.loseResponseNext('createClients');
    await expect(fake.createClients(target, [spec('x')], ctx())).rejects.toSatisfy((e: unknown) => PanelOutcomeUnknownError.is(e));
    expect(fake.clientCount()).toBe(1);
    fake.setDown(true);
    await expect(fake.getClient({ target, username: spec('x').identity.username }, ctx())).rejects.toSatisfy((e: unknown) =>
      PanelConnectionError.is(e),
    );
    expect((await fake.health(ctx())).ok).toBe(false);
  });

  it('starts an after-first-use period on first traffic and enforces limits when it says it does', async () => {
    const clock = new ManualClock();
    const fake = new FakePanelAdapter({ clock });
    const s = spec('f', { expiry: { type: 'after_first_use', durationMs: 1000 } });
    await fake.createClients(target, [s], ctx());
    clock.advance(50);
    fake.addTraffic(s.identity.username, 100);
    const client = await fake.getClient({ target, username: s.identity.username }, ctx());
    expect(client!.expiry).toEqual({ type: 'at', at: new Date(clock.now().getTime() + 1000) });
    expect(client!.enabled).toBe(false); // 100 of 100 bytes
    const lax = new FakePanelAdapter({ clock, capabilities: { enforcesTrafficLimit: false } });
    await lax.createClients(target, [s], ctx());
    lax.addTraffic(s.identity.username, 100);
    expect((await lax.getClient({ target, username: s.identity.username }, ctx()))!.enabled).toBe(true);
  });
});
