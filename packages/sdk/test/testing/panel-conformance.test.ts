import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ManualClock, describePanelAdapter } from '../../src/testing/index.js';
import type { PanelFactoryContext, PanelUnderTest } from '../../src/testing/index.js';
import { createFakeAdapter } from './fake-adapter.js';
import { FAKE_TARGETS, FakePanel } from './fake-panel.js';

// The suite run against a small fake panel and adapter, so that the suite itself is tested: every
// test passes here; panel-suite-checks.test.ts shows that its checks fail on a flawed answer.
function fakeFactory(mode: 'login' | 'static-token') {
  return async ({ clock, logger }: PanelFactoryContext): Promise<PanelUnderTest> => {
    const credentials = { username: 'admin', password: 'fake-panel-password-1234' };
    const apiToken = 'fake-static-api-token-5678';
    const panel = new FakePanel(clock, credentials);
    if (mode === 'static-token') panel.issueStaticToken(apiToken);
    const adapter = createFakeAdapter({
      baseUrl: 'http://fake-panel.test',
      ...credentials,
      fetch: (input, init) => panel.handle(new Request(input, init), init?.signal ?? undefined),
      logger,
      // The static-token variant also claims the least, so the suite's capability branches run too.
      ...(mode === 'static-token'
        ? {
            staticToken: apiToken,
            capabilities: {
              batchCreate: false,
              inPlaceUpdate: false,
              startOnFirstUse: false,
              resetUsage: false,
              deviceLimit: false,
              deviceList: false,
              deviceRemoval: false,
            },
          }
        : {}),
    });
    const first = FAKE_TARGETS[0];
    return {
      adapter,
      target: { remoteRef: first.id, protocol: first.protocol, remoteMeta: {} },
      controls: panel,
      secrets: [credentials.password, apiToken],
      sessionKind: mode,
      hasSubscriptionUrl: true,
    };
  };
}

describePanelAdapter('fake (session login)', fakeFactory('login'));
describePanelAdapter('fake (static token)', fakeFactory('static-token'));

describe('the fake panel', () => {
  it('rejects a hanging request at once when its signal ended before the request arrived, as fetch does', async () => {
    const panel = new FakePanel(new ManualClock(), { username: 'admin', password: 'fake-panel-password-1234' });
    panel.issueStaticToken('token');
    panel.injectFault({ kind: 'timeout' });
    const request = new Request('http://fake-panel.test/clients', {
      headers: { authorization: 'Bearer token' },
      signal: AbortSignal.abort(),
    });
    await expect(panel.handle(request)).rejects.toMatchObject({ name: 'AbortError' });
  });

  it("ends a hanging request with its caller's signal after the garbage collector has run (nodejs/node#55428)", async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const panel = new FakePanel(new ManualClock(), { username: 'admin', password: 'fake-panel-password-1234' });
    panel.issueStaticToken('token');
    panel.injectFault({ kind: 'timeout' });
    const caller = new AbortController();
    // What the adapters' fetch in the suite does: a Request made for the call and dropped, the caller's signal kept.
    const hanging = panel.handle(
      new Request('http://fake-panel.test/clients', { headers: { authorization: 'Bearer token' }, signal: caller.signal }),
      caller.signal,
    );
    gc();
    await sleep(10);
    gc();
    caller.abort();
    const outcome = await Promise.race([
      hanging.then(
        () => 'answered',
        () => 'ended',
      ),
      sleep(2_000).then(() => 'still hanging'),
    ]);
    expect(outcome).toBe('ended');
  });
});
