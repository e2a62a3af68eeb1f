/**
 * Issue 55 on S-UI, over real HTTP: the panel applies a create (`POST apiv2/save`), then the kept-alive connection
 * closes without a byte of the answer. S-UI does not refuse a second client of the same name, so the save must not
 * be sent again at once: the adapter reads the clients back and finds the one the save made, by the name derived
 * from the subscription id, and the engine's next attempt adopts it without another save.
 */
import { ManualClock } from '@panelkit/sdk/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { serveOnLocalhost, type RunningSimulator } from '../../src/simulators/harness/index.js';
import { createSuiSimulator } from '../../src/simulators/sui/index.js';
import { createSuiAdapter } from '../../src/sui/index.js';
import { TOKEN, calls, ctx, spec } from './setup.js';

const running: RunningSimulator[] = [];
afterEach(async () => {
  for (const server of running.splice(0)) await server.close();
});

async function servedPanel() {
  const sim = createSuiSimulator({ clock: new ManualClock(new Date('2026-01-01T00:00:00Z')), token: TOKEN, webPath: '/app/' });
  const server = await serveOnLocalhost(sim.handle);
  running.push(server);
  const adapter = createSuiAdapter({ baseUrl: `${server.origin}/app/`, auth: { token: TOKEN } });
  const [target] = (await adapter.listTargets(ctx())).filter((t) => t.protocol === 'vless');
  // A second read, so that the pool holds a connection that already carried an answer, idle for the next request
  // (undici may open a second one while the first finishes an answer).
  await adapter.listTargets(ctx());
  return { sim, adapter, target: target! };
}

describe('S-UI: a save whose connection dropped after the panel applied it', () => {
  it('is sent once, and the client it made is found by its name and adopted', async () => {
    const { sim, adapter, target } = await servedPanel();
    const s = spec();
    sim.injectFault({ kind: 'lost_connection', on: 'write' });

    const [created] = await adapter.createClients(target, [s], { ...ctx(), attempt: 1 });

    expect(sim.pendingFaults()).toBe(0);
    expect(calls(sim, 'POST apiv2/save')).toBe(1);
    expect(created!.ref.username).toBe(s.identity.username);
    expect(await sim.countClients(s.identity.username)).toBe(1);
    expect(created!.ref.remoteClientId).toBe(String(sim.client(s.identity.username)!.id));

    // The engine runs the job again all the same (its first attempt's answer was lost to it too): no second save.
    const [again] = await adapter.createClients(target, [s], { ...ctx(), attempt: 2 });
    expect(again!.ref.remoteClientId).toBe(created!.ref.remoteClientId);
    expect(calls(sim, 'POST apiv2/save')).toBe(1);
    expect(await sim.countClients(s.identity.username)).toBe(1);
  });

  it('a read whose connection dropped on a reused socket is sent again at once: a GET changes nothing', async () => {
    const { sim, adapter, target } = await servedPanel();
    const s = spec();
    const listed = calls(sim, 'GET apiv2/clients');
    sim.injectFault({ kind: 'lost_connection', on: 'read' });

    const [created] = await adapter.createClients(target, [s], { ...ctx(), attempt: 1 });

    expect(sim.pendingFaults()).toBe(0);
    expect(calls(sim, 'GET apiv2/clients') - listed).toBeGreaterThanOrEqual(2);
    expect(created!.ref.username).toBe(s.identity.username);
    expect(calls(sim, 'POST apiv2/save')).toBe(1);
  });
});
