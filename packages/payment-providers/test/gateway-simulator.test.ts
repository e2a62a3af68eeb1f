import { afterEach, describe, expect, it } from 'vitest';
import { GatewaySimulator, type GatewayAnswer, YooKassaSimulator } from '../src/simulators.js';

/** A gateway whose POSTs count and record their order, and whose GETs say the count. */
class CountingGateway extends GatewaySimulator {
  readonly seen: string[] = [];
  protected async answer(request: Request): Promise<GatewayAnswer> {
    if (request.method === 'POST') this.seen.push(await request.text());
    return request.url.endsWith('/page') ? { status: 200, body: '<p>page</p>' } : { status: 200, body: { count: this.seen.length } };
  }
}

const running: GatewaySimulator[] = [];
afterEach(async () => {
  for (const sim of running.splice(0)) await sim.close();
});

describe('GatewaySimulator', () => {
  it('answers a Fetch request in-process: JSON, or HTML for a string body', async () => {
    const sim = new CountingGateway();
    const json = await sim.handle(new Request('http://sim/api', { method: 'POST', body: 'a' }));
    expect([json.status, json.headers.get('content-type'), await json.json()]).toEqual([200, 'application/json', { count: 1 }]);
    const page = await sim.handle(new Request('http://sim/page'));
    expect([page.headers.get('content-type'), await page.text()]).toEqual(['text/html; charset=utf-8', '<p>page</p>']);
  });

  it('loses the next answers on the wire after applying the requests; a look-up afterwards is answered', async () => {
    const sim = await new CountingGateway().start();
    running.push(sim);
    sim.loseNextAnswers(2);
    for (const body of ['a', 'b']) await expect(fetch(`${sim.url}api`, { method: 'POST', body })).rejects.toThrow();
    expect(sim.seen).toEqual(['a', 'b']);
    expect(await (await fetch(`${sim.url}api`)).json()).toEqual({ count: 2 });
    expect((await fetch(`${sim.url}api`, { method: 'POST', body: 'c' })).status).toBe(200);
  });

  it('holds POSTs until all of them have arrived, then handles them in arrival order', async () => {
    const sim = new CountingGateway();
    const post = (body: string) => sim.handle(new Request('http://sim/api', { method: 'POST', body }));
    const turns = async (n: number) => {
      for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
    };
    sim.holdPosts(2);
    let settled = false;
    const first = post('first').then(() => (settled = true));
    // A GET is not held; the first POST waits however long the second takes.
    expect(await (await sim.handle(new Request('http://sim/api'))).json()).toEqual({ count: 0 });
    await turns(20);
    expect([settled, sim.seen]).toEqual([false, []]);
    await Promise.all([first, post('second')]);
    expect(sim.seen).toEqual(['first', 'second']);
    // Released: the next POST is not held.
    await post('third');
    expect(sim.seen).toHaveLength(3);
  });

  it('takes its credentials and controls as options', async () => {
    const sim = new YooKassaSimulator({
      shopId: '500100',
      secretKey: 'test_key',
      webhookUrl: 'http://127.0.0.1:9/n',
      chargeAnswer: 'decline',
    });
    expect([sim.shopId, sim.secretKey, sim.webhookUrl, sim.chargeAnswer]).toEqual([
      '500100',
      'test_key',
      'http://127.0.0.1:9/n',
      'decline',
    ]);
    const refused = await sim.handle(new Request('http://sim/v3/payments/x', { headers: { authorization: 'Basic bm9wZTpub3Bl' } }));
    expect(refused.status).toBe(401);
  });
});
