/**
 * The real core's config as the simulated panel makes it (which inbounds and clients the core
 * serves, which stay API-only and why), and the stats answer read back. The core itself runs in
 * tests/integration (core.test.ts, link-traffic.test.ts), where v2ray is installed.
 */
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { buildCoreConfig, CoreProcess, freeLocalPort, isLocalPortFree, parseQueryStats } from '../../src/simulators/xui/core/index.js';
import { createXuiSimulator } from '../../src/simulators/xui/index.js';

type Inbound = {
  tag: string;
  port: number;
  protocol: string;
  listen: string;
  settings: Record<string, unknown>;
  streamSettings: Record<string, unknown>;
};
const inboundsOf = (json: Record<string, unknown>) => json.inbounds as Inbound[];

function panel() {
  const sim = createXuiSimulator();
  const vless = sim.addInbound({
    remark: 'vl',
    protocol: 'vless',
    port: 20001,
    streamSettings: { network: 'ws', security: 'none', wsSettings: { path: '/vl', host: 'cdn.example' } },
  });
  const vmess = sim.addInbound({ remark: 'vm', protocol: 'vmess', port: 20002 });
  const trojan = sim.addInbound({ remark: 'tj', protocol: 'trojan', port: 20003, listen: '127.0.0.2' });
  const ss = sim.addInbound({
    remark: 'ss',
    protocol: 'shadowsocks',
    port: 20004,
    settings: { method: 'aes-256-gcm', password: 'unused', network: 'tcp,udp' },
  });
  sim.seedClients(vless.id, 3, (i) => ({ email: `vl${i}` }));
  sim.seedClients(vmess.id, 1, () => ({ email: 'vm0' }));
  sim.seedClients(trojan.id, 1, () => ({ email: 'tj0', password: 'trojan-secret' }));
  sim.seedClients(ss.id, 1, () => ({ email: 'ss0', password: 'ss-secret' }));
  return { sim, vless, vmess, trojan, ss };
}

describe('the core config', () => {
  it('serves every enabled inbound on loopback with its enabled clients, per-user stats on and the API on its own port', () => {
    const { sim } = panel();
    const config = buildCoreConfig(sim.state, 30000);
    const inbounds = inboundsOf(config.json);
    expect(inbounds.map((i) => [i.protocol, i.port, i.listen])).toEqual([
      ['vless', 20001, '127.0.0.1'],
      ['vmess', 20002, '127.0.0.1'],
      ['trojan', 20003, '127.0.0.2'],
      ['shadowsocks', 20004, '127.0.0.1'],
      ['dokodemo-door', 30000, '127.0.0.1'],
    ]);
    expect(config.ports).toEqual([20001, 20002, 20003, 20004, 30000]);
    const [vl, vm, tj, ss] = inbounds;
    expect((vl!.settings.clients as { email: string }[]).map((c) => c.email)).toEqual(['vl0', 'vl1', 'vl2']);
    expect(vl!.streamSettings).toEqual({ network: 'ws', security: 'none', wsSettings: { path: '/vl', headers: { Host: 'cdn.example' } } });
    expect(vm!.settings.clients).toEqual([{ id: sim.client('vm0')!.id, alterId: 0, email: 'vm0', level: 0 }]);
    expect(tj!.settings.clients).toEqual([{ password: 'trojan-secret', email: 'tj0', level: 0 }]);
    expect(ss!.settings).toEqual({ method: 'aes-256-gcm', password: 'ss-secret', email: 'ss0', network: 'tcp', level: 0 });
    expect(config.json.policy).toMatchObject({ levels: { '0': { statsUserUplink: true, statsUserDownlink: true } } });
    expect(config.json.api).toEqual({ tag: 'api', services: ['StatsService'] });
    expect(config.inbounds.every((s) => s.served)).toBe(true);
  });

  it('leaves out clients the admin switched off and clients the traffic job disabled (depleted or expired)', () => {
    const { sim } = panel();
    sim.client('vl0')!.enable = false;
    sim.state.syncTraffic(sim.client('vl0')!, Date.now());
    sim.client('vl1')!.totalGB = 100;
    sim.state.syncTraffic(sim.client('vl1')!, Date.now());
    sim.state.addTraffic('vl1', 60, 40, Date.now());
    sim.enforce();
    const clients = inboundsOf(buildCoreConfig(sim.state, 30000).json)[0]!.settings.clients as { email: string }[];
    expect(clients.map((c) => c.email)).toEqual(['vl2']);
  });

  it('a single-user Shadowsocks inbound whose user is off closes its port', () => {
    const { sim } = panel();
    sim.client('ss0')!.enable = false;
    const config = buildCoreConfig(sim.state, 30000);
    expect(inboundsOf(config.json).map((i) => i.protocol)).not.toContain('shadowsocks');
    expect(config.inbounds.find((s) => s.remark === 'ss')).toMatchObject({ served: true, reason: 'no enabled client: the port is closed' });
    expect(config.ports).not.toContain(20004);
  });

  it('keeps what v2ray 4.34 cannot run API-only, saying why', () => {
    const sim = createXuiSimulator();
    sim.seedDemo();
    const multiUser = sim.addInbound({
      remark: 'ss-many',
      protocol: 'shadowsocks',
      port: 20010,
      settings: { method: 'aes-128-gcm', password: 'x' },
    });
    sim.seedClients(multiUser.id, 2);
    sim.addInbound({ remark: 'off', protocol: 'vless', port: 20011, enable: false });
    sim.addInbound({ remark: 'grpc', protocol: 'vless', port: 20012, streamSettings: { network: 'grpc', security: 'none' } });
    const config = buildCoreConfig(sim.state, 30000);
    const reasons = Object.fromEntries(config.inbounds.map((s) => [s.remark, s.served ? 'served' : s.reason]));
    expect(reasons).toEqual({
      'VLESS-Reality': expect.stringMatching(/cannot run reality.*API-only/),
      'VMess-WS': 'served',
      'Trojan-WS': expect.stringMatching(/cannot run tls.*API-only/),
      'SS-2022': expect.stringMatching(/"2022-blake3-aes-256-gcm" is not implemented by v2ray 4.34: API-only/),
      'ss-many': expect.stringMatching(/one shadowsocks user per inbound and this one has 2 clients/),
      off: 'the inbound is disabled',
      grpc: expect.stringMatching(/network "grpc" is not run/),
    });
    expect(inboundsOf(config.json).map((i) => i.tag)).toEqual(['inbound-8080', 'api']);
  });
});

describe('the stats answer', () => {
  it('sums uplink and downlink per user, unescaping emails and ignoring inbound counters', () => {
    const output = [
      'stat: <\n  name: "inbound>>>inbound-45253>>>traffic>>>downlink"\n  value: 101\n>',
      'stat: <\n  name: "user>>>a\\"b\\\\c@x y>>>traffic>>>uplink"\n  value: 60\n>',
      'stat: <\n  name: "user>>>a\\"b\\\\c@x y>>>traffic>>>downlink"\n  value: 99\n>',
      'stat: <\n  name: "user>>>plain>>>traffic>>>downlink"\n>',
      'stat: <\n  name: "user>>>big>>>traffic>>>downlink"\n  value: 5368709120\n>',
    ].join('\n');
    expect(parseQueryStats(output)).toEqual([
      { email: 'a"b\\c@x y', up: 60, down: 99 },
      { email: 'plain', up: 0, down: 0 },
      { email: 'big', up: 0, down: 5_368_709_120 },
    ]);
    expect(parseQueryStats('')).toEqual([]);
  });
});

describe('choosing what the core runs', () => {
  it('the serve option keeps the other inbounds API-only, saying so', () => {
    const { sim } = panel();
    const config = buildCoreConfig(sim.state, 30000, (inbound) => inbound.protocol === 'trojan');
    expect(inboundsOf(config.json).map((i) => i.protocol)).toEqual(['trojan', 'dokodemo-door']);
    expect(config.inbounds.filter((s) => !s.served).map((s) => s.reason)).toEqual(
      Array(3).fill('left out of the core by its `serve` option: API-only'),
    );
  });

  it('a core refuses to start on a port another process holds (its readiness check would be fooled)', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', () => resolve()));
    const { port } = holder.address() as AddressInfo;
    try {
      expect(await isLocalPortFree(port)).toBe(false);
      await expect(new CoreProcess('/nonexistent/v2ray').start({}, [port])).rejects.toThrow(
        `the core cannot listen on 127.0.0.1:${port}: the port is taken`,
      );
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
    // Free once closed; but other tests running beside this one may take a just-freed port (as the local port of a
    // connection, say), so one of three freed ports has to be found free.
    const freed = [port];
    for (let i = 0; i < 2; i++) freed.push(await freeLocalPort());
    const found = await Promise.all(freed.map((p) => isLocalPortFree(p)));
    expect(found).toContain(true);
  });
});
