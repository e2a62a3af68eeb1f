import { expect } from 'vitest';
import type { ClientSpec } from '../../../ports/panel.js';
import type { KindEnv } from './kind-env.js';
import { expectRefused, isTelegramProxy, isWireGuardLike, kindCase } from './kind-env.js';

/** Base64 of 19 bytes: decodes, but is no WireGuard key. */
const SHORT_KEY = Buffer.from('not-a-wireguard-key').toString('base64');

/** Specs whose credentials the panel must refuse before it changes anything. */
function badSpecs(k: KindEnv): ClientSpec[] {
  const bad: ClientSpec[] = [];
  if (isWireGuardLike(k.kind)) {
    const { wireguard: _, ...withoutKeys } = k.spec().identity;
    bad.push(k.spec({ identity: withoutKeys }));
    const malformed = k.spec();
    bad.push(k.spec({ identity: { ...malformed.identity, wireguard: { privateKey: SHORT_KEY, publicKey: SHORT_KEY } } }));
  }
  if (isTelegramProxy(k.kind)) {
    const { mtproto: _, ...withoutCore } = k.spec().identity;
    bad.push(k.spec({ identity: withoutCore }));
    const malformed = k.spec();
    bad.push(k.spec({ identity: { ...malformed.identity, mtproto: { secretCore: 'zz'.repeat(16) } } }));
  }
  return bad;
}

export function badInputCases(k: KindEnv): void {
  kindCase(k, 'missing or malformed credentials are refused, not retryable, and the panel holds nothing new', async () => {
    const keep = await k.create();
    const before = await k.addresses();
    const specs = badSpecs(k);
    expect(specs.length, 'the suite has bad specs for this kind').toBeGreaterThan(0);
    for (const spec of specs) {
      await expectRefused(k, k.base.adapter.createClients(k.target, [spec], k.base.ctx()));
      expect(await k.base.controls.countClients(spec.identity.username), 'nothing created').toBe(0);
    }
    expect(await k.addresses()).toEqual(before);
    expect(await k.base.controls.countClients(keep.ref.username)).toBe(1);
  });
}
