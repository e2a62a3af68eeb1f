/** The simulated 3x-ui subscription service: what a client app gets from `GET /sub/<subId>`. */
import { ManualClock } from '@panelkit/sdk/testing';
import { describe, expect, it } from 'vitest';
import { createXuiSimulator } from '../../src/simulators/xui/index.js';

const GiB = 1024 ** 3;
const EXPIRY = Date.parse('2026-02-01T00:00:00Z');

function setUp() {
  const sim = createXuiSimulator({ version: '2.8.x', clock: new ManualClock('2026-01-01T00:00:00Z') });
  const [vless, vmess, trojan] = sim.seedDemo();
  const shared = { subId: 'sub-alice', totalGB: 10 * GiB, expiryTime: EXPIRY };
  sim.seedClients(vless!.id, 1, () => ({ email: 'alice', ...shared }));
  sim.seedClients(vmess!.id, 1, () => ({ email: 'alice-vm', security: 'auto', ...shared }));
  sim.seedClients(trojan!.id, 1, () => ({ email: 'alice-off', enable: false, ...shared }));
  return { sim, handle: sim.subscriptionService() };
}

const get = (handle: (r: Request) => Promise<Response>, path: string) => handle(new Request(`http://sub.test:2096${path}`));

describe('3x-ui simulator subscription service', () => {
  it('answers a subId with the base64 links of its enabled clients and the summed traffic header', async () => {
    const { sim, handle } = setUp();
    await sim.addTraffic('alice', GiB, 2 * GiB);
    await sim.addTraffic('alice-vm', 0, GiB);
    const response = await get(handle, '/sub/sub-alice');
    expect(response.status).toBe(200);
    const links = Buffer.from(await response.text(), 'base64')
      .toString('utf8')
      .split('\n');
    expect(links.pop()).toBe(''); // every link ends with a newline
    expect(links.map((l) => l.split('://')[0])).toEqual(['vless', 'vmess']);
    expect(links[0]).toContain(`${String(sim.client('alice')!.id)}@sub.test:443?`);
    expect(response.headers.get('subscription-userinfo')).toBe(
      `upload=${GiB}; download=${3 * GiB}; total=${20 * GiB}; expire=${EXPIRY / 1000}`,
    );
  });

  it('leaves out disabled inbounds and answers 400 "Error!" when nothing matches, as the panel does', async () => {
    const { sim, handle } = setUp();
    for (const inbound of sim.state.inbounds.values()) inbound.enable = false;
    const response = await get(handle, '/sub/sub-alice');
    expect([response.status, await response.text()]).toEqual([400, 'Error!']);
    expect((await get(handle, '/sub/nobody')).status).toBe(400);
    expect((await get(handle, '/other/sub-alice')).status).toBe(404);
  });
});
