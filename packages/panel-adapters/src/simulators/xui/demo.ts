/**
 * The inbounds a fresh demo panel gets: one per protocol the subscription service shares, with
 * the stream settings a real install would have (keys here are placeholders, not real secrets).
 */
import type { SimInbound } from './state.js';
import type { XuiSimulator } from './simulator.js';

export function seedDemoInbounds(sim: XuiSimulator): SimInbound[] {
  return [
    sim.addInbound({
      remark: 'VLESS-Reality',
      protocol: 'vless',
      port: 443,
      settings: { decryption: 'none', encryption: 'none', fallbacks: [] },
      streamSettings: {
        network: 'tcp',
        security: 'reality',
        externalProxy: [],
        realitySettings: {
          show: false,
          xver: 0,
          target: 'www.microsoft.com:443',
          serverNames: ['www.microsoft.com'],
          privateKey: 'demo-private-key-not-secret',
          shortIds: ['6ba85179e30d4fc2'],
          settings: { publicKey: 'demo-public-key-0123456789abcdefghijklmnop', fingerprint: 'chrome', serverName: '', spiderX: '/' },
        },
        tcpSettings: { acceptProxyProtocol: false, header: { type: 'none' } },
      },
    }),
    sim.addInbound({
      remark: 'VMess-WS',
      protocol: 'vmess',
      port: 8080,
      settings: {},
      streamSettings: {
        network: 'ws',
        security: 'none',
        externalProxy: [],
        wsSettings: { acceptProxyProtocol: false, path: '/vm', host: '', headers: {} },
      },
    }),
    sim.addInbound({
      remark: 'Trojan-WS',
      protocol: 'trojan',
      port: 8443,
      settings: { fallbacks: [] },
      streamSettings: {
        network: 'ws',
        security: 'tls',
        externalProxy: [],
        tlsSettings: {
          serverName: 'vpn.example.com',
          alpn: ['h2', 'http/1.1'],
          certificates: [],
          settings: { allowInsecure: false, fingerprint: 'chrome' },
        },
        wsSettings: { acceptProxyProtocol: false, path: '/tj', host: '', headers: {} },
      },
    }),
    sim.addInbound({
      remark: 'SS-2022',
      protocol: 'shadowsocks',
      port: 8388,
      settings: { method: '2022-blake3-aes-256-gcm', password: Buffer.alloc(32, 1).toString('base64'), network: 'tcp,udp' },
      streamSettings: {
        network: 'tcp',
        security: 'none',
        externalProxy: [],
        tcpSettings: { acceptProxyProtocol: false, header: { type: 'none' } },
      },
    }),
  ];
}
