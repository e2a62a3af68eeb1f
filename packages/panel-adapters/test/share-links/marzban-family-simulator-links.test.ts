/**
 * The Marzban and Marzneshin simulators' share links carry what the real panels' links carry, so the
 * project's own `shareLinkToOutbound` reads them as it reads real ones: REALITY `sni`/`fp`/`pbk`/
 * `sid`/`flow`, a gRPC `serviceName` and a WS path, and names percent-encoded as Python's `quote`
 * does (`(` → `%28`). Left from the real Marzban and Marzneshin runs (issue 33).
 */
import { describe, expect, it } from 'vitest';
import { shareLinkToOutbound } from '../../src/share-links/index.js';
import type { MarzbanSimInbound } from '../../src/simulators/marzban/index.js';
import type { MarzneshinSimInbound } from '../../src/simulators/marzneshin/index.js';
import * as marzban from '../marzban/setup.js';
import * as marzneshin from '../marzneshin/setup.js';

marzban.useMsw();

const MARZBAN_INBOUNDS: MarzbanSimInbound[] = [
  { tag: 'VLESS GRPC', protocol: 'vless', network: 'grpc', tls: 'tls', port: 8443, serverNames: ['grpc.example.com'], path: 'my-grpc-svc' },
  { tag: 'VLESS WS', protocol: 'vless', network: 'ws', tls: 'none', port: 8080, path: '/my-ws-path', hosts: ['cdn.example.com'] },
  { tag: 'VMess WS', protocol: 'vmess', network: 'ws', tls: 'none', port: 8081, path: '/vmess-ws' },
];

describe('simulated Marzban links', () => {
  it('hold a gRPC serviceName and a WS path, and name the link as the panel does (`(` → %28)', async () => {
    const { adapter, clock } = marzban.setup({ inbounds: MARZBAN_INBOUNDS });
    const target = {
      remoteRef: 'all',
      protocol: 'mixed',
      remoteMeta: { inbounds: { vless: ['VLESS GRPC', 'VLESS WS'], vmess: ['VMess WS'] } },
    };
    const [client] = await adapter.createClients(target, [marzban.spec('links-mz', clock)], marzban.ctx());
    const { shareLinks } = await adapter.links(client!.ref, marzban.ctx());
    expect(shareLinks).toHaveLength(3);
    const [grpc, ws, vmess] = shareLinks.map((link) => shareLinkToOutbound(link).streamSettings);
    expect(grpc).toMatchObject({
      network: 'grpc',
      grpcSettings: { serviceName: 'my-grpc-svc' },
      tlsSettings: { serverName: 'grpc.example.com' },
    });
    expect(ws).toMatchObject({ network: 'ws', wsSettings: { path: '/my-ws-path', headers: { Host: 'cdn.example.com' } } });
    expect(vmess).toMatchObject({ network: 'ws', wsSettings: { path: '/vmess-ws' } });
    expect(shareLinks[0]).toContain(`#%F0%9F%9A%80%20Marz%20%28${client!.ref.username}%29%20%5BVLESS%20-%20grpc%5D`);
  });
});

const MARZNESHIN_INBOUNDS: MarzneshinSimInbound[] = [
  {
    id: 1,
    tag: 'VLESS TCP REALITY',
    protocol: 'vless',
    network: 'tcp',
    security: 'reality',
    port: 443,
    sni: 'www.speedtest.net',
    fingerprint: 'chrome',
    publicKey: 'Z84J2IelR9ch3k8VtlVhhs5ycBUlXA7wHBWcBrjqnAw',
    shortId: '6ba85179e30d4fc2',
    flow: 'xtls-rprx-vision',
  },
  {
    id: 2,
    tag: 'VLESS GRPC TLS',
    protocol: 'vless',
    network: 'grpc',
    security: 'tls',
    port: 2053,
    sni: 'grpc.example.com',
    path: 'grpc-svc',
  },
  { id: 3, tag: 'VMESS WS', protocol: 'vmess', network: 'ws', security: 'none', port: 8080, path: '/vm-ws' },
];

describe('simulated Marzneshin links', () => {
  it('carry REALITY sni/fp/pbk/sid/flow, a gRPC serviceName and a WS path, which shareLinkToOutbound reads', async () => {
    const { adapter, clock } = marzneshin.setup({
      inbounds: MARZNESHIN_INBOUNDS,
      services: [{ id: 1, name: 'All', inbound_ids: [1, 2, 3] }],
    });
    const [client] = await adapter.createClients(marzneshin.SERVICE_TARGET, [marzneshin.spec('links-mn', clock)], marzneshin.ctx());
    const { shareLinks } = await adapter.links(client!.ref, marzneshin.ctx());
    expect(shareLinks).toHaveLength(3);
    const reality = shareLinkToOutbound(shareLinks[0]!);
    expect(reality.settings).toMatchObject({ vnext: [{ users: [{ flow: 'xtls-rprx-vision' }] }] });
    expect(reality.streamSettings).toMatchObject({
      security: 'reality',
      realitySettings: {
        serverName: 'www.speedtest.net',
        fingerprint: 'chrome',
        publicKey: 'Z84J2IelR9ch3k8VtlVhhs5ycBUlXA7wHBWcBrjqnAw',
        shortId: '6ba85179e30d4fc2',
      },
    });
    expect(shareLinkToOutbound(shareLinks[1]!).streamSettings).toMatchObject({
      network: 'grpc',
      grpcSettings: { serviceName: 'grpc-svc' },
    });
    expect(shareLinkToOutbound(shareLinks[2]!).streamSettings).toMatchObject({ network: 'ws', wsSettings: { path: '/vm-ws' } });
    expect(shareLinks[0]).toContain(`#VLESS%20TCP%20REALITY%20%28${client!.ref.username}%29`);
  });

  it('the default inbounds’ REALITY link parses too', async () => {
    const { adapter, clock } = marzneshin.setup();
    const [client] = await adapter.createClients(marzneshin.SERVICE_TARGET, [marzneshin.spec('links-default', clock)], marzneshin.ctx());
    const { shareLinks } = await adapter.links(client!.ref, marzneshin.ctx());
    const reality = shareLinks.find((link) => link.includes('security=reality'))!;
    expect(shareLinkToOutbound(reality).streamSettings).toMatchObject({
      security: 'reality',
      realitySettings: { shortId: '6ba85179e30d4fc2' },
    });
  });
});
