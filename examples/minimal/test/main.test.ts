import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { deriveRemoteIdentity } from '@panelkit/sdk';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const folder = fileURLToPath(new URL('..', import.meta.url));
const secret = 'minimal-test-identity-secret-7c1e';

describe('examples/minimal', () => {
  it('sells a plan and prints the active subscription with a share link for the identity its secret derives', async () => {
    const { stdout } = await run(process.execPath, ['--conditions=@panelkit/source', '--import', 'tsx', 'src/main.ts'], {
      cwd: folder,
      env: { ...process.env, PANELKIT_IDENTITY_SECRET: secret },
      timeout: 60_000,
    });
    const line = (label: string) => stdout.split('\n').find((l) => l.startsWith(`${label}`)) ?? '';
    expect(line('targets:')).toBe('targets: VLESS-Reality, VMess-WS, Trojan-WS, SS-2022');
    expect(line('order ')).toMatch(/^order ord_\w+: completed$/);
    const subscriptionId = /^subscription (sub_\w+): active$/.exec(line('subscription '))?.[1];
    expect(subscriptionId).toBeDefined();
    // The client on the panel is the one derived from the subscription and the shop's secret, so a retry adopts it.
    const identity = deriveRemoteIdentity(subscriptionId ?? '', 0, { secret, prefix: 'mini' });
    const link = new URL(line('share link:').slice('share link: '.length));
    expect(link.protocol).toBe('vless:');
    expect(link.username).toBe(identity.uuid);
    expect(decodeURIComponent(link.hash)).toBe(`#VLESS-Reality-${identity.username}`);
  }, 90_000);
});
