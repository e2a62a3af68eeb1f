import { afterEach, describe, expect, it } from 'vitest';
import { json, Router, serveOnLocalhost, SimulatorBase, type RunningSimulator } from '../../src/simulators/index.js';

class EchoSimulator extends SimulatorBase {
  writes = 0;
  readonly #router = new Router()
    .on('GET', '/items/:id', (_req, params) => json({ id: params.id }))
    .on(
      'POST',
      '/items',
      () => (
        this.writes++,
        new Response(null, {
          status: 200,
          headers: [
            ['set-cookie', 'a=1; Path=/'],
            ['set-cookie', 'b=2; Path=/'],
          ],
        })
      ),
    );
  protected routePath(request: Request): string | null {
    return new URL(request.url).pathname;
  }
  protected isSessionRequest(_request: Request, path: string): boolean {
    return path === '/login';
  }
  protected async route(request: Request, path: string | null): Promise<Response> {
    const found = this.#router.find(request.method, path ?? '');
    if ('handler' in found) return found.handler(request, found.params, undefined);
    return new Response(null, { status: found.methodMismatch ? 405 : 404 });
  }
}

let running: RunningSimulator | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe('simulator harness', () => {
  it('serves a simulator over real HTTP with separate Set-Cookie headers', async () => {
    const sim = new EchoSimulator();
    running = await serveOnLocalhost(sim.handle);
    const got = await fetch(`${running.origin}/items/42`);
    expect(await got.json()).toEqual({ id: '42' });
    const posted = await fetch(`${running.origin}/items`, { method: 'POST', body: 'x' });
    expect(posted.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    expect(sim.requests.total).toBe(2);
  });

  it('lands faults in order on matching requests and applies lost-response writes', async () => {
    const sim = new EchoSimulator();
    sim.injectFault({ kind: 'status', status: 503, on: 'read' });
    sim.injectFault({ kind: 'lost_response', on: 'write' });
    const write = await sim.handle(new Request('http://x/items', { method: 'POST' }));
    expect(write.status).toBe(200);
    expect(await write.text()).toBe('');
    expect(sim.writes).toBe(1);
    expect((await sim.handle(new Request('http://x/items/1'))).status).toBe(503);
    expect((await sim.handle(new Request('http://x/items/1'))).status).toBe(200);
    expect(sim.faults.size).toBe(0);
  });

  it('holds a timed-out request until the caller aborts', async () => {
    const sim = new EchoSimulator();
    sim.injectFault({ kind: 'timeout' });
    const controller = new AbortController();
    const pending = sim.handle(new Request('http://x/items/1', { signal: controller.signal }));
    controller.abort();
    expect((await pending).status).toBe(504);
  });

  it('ends a timed-out request at once when its signal ended before it arrived', async () => {
    const sim = new EchoSimulator();
    sim.injectFault({ kind: 'timeout' });
    const response = await sim.handle(new Request('http://x/items/1', { signal: AbortSignal.abort() }));
    expect(response.status).toBe(504);
  });
});
