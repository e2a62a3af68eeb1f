import { describe, expect, it } from 'vitest';
import type { ClientAddressReading } from '../../ports/panel.js';
import { bareRef, createOne, expectPanelError } from './support.js';
import type { PanelSuiteEnv } from './support.js';

/** Documentation addresses (RFC 5737, RFC 3849): a home line and a phone's IPv6. */
const HOME = '198.51.100.7';
const PHONE = '2001:db8:1::5';
const OFFICE = '203.0.113.40';

type SkipContext = { skip: (condition: boolean, note?: string) => void };

function ipsOf(reading: ClientAddressReading | undefined): string[] | null {
  if (reading === undefined) throw new Error('no reading for the client');
  return reading.addresses === null ? null : reading.addresses.map((a) => a.ip).sort();
}

/** Zero addresses, said as `[]` or, by a panel that cannot tell "connected nowhere" from "no answer", as `null`. */
function expectNoAddresses(reading: ClientAddressReading | undefined): void {
  const ips = ipsOf(reading);
  if (ips !== null) expect(ips).toEqual([]);
}

/**
 * The source addresses a panel reports per client (`listClientAddresses`, where `capabilities.clientAddresses`): a
 * client with two addresses reads two, a silent panel or node reads `null` (never `[]`), and a bulk read covers every
 * client of the target. Addresses reach the panel through `controls.setClientAddresses`, silence through
 * `controls.silenceClientAddresses`.
 */
export function addressesSuite(env: PanelSuiteEnv): void {
  describe('client addresses', () => {
    const skipWithout = (context: SkipContext) => {
      context.skip(env.adapter.capabilities.clientAddresses === undefined, 'the panel reports no per-client addresses');
      context.skip(env.controls.setClientAddresses === undefined, 'the controls cannot make a client connect from an address');
    };

    it('reads the two addresses a client connects from, and none of them for another client or one not on the panel', async (context) => {
      skipWithout(context);
      const capability = env.adapter.capabilities.clientAddresses!;
      const sharer = await createOne(env);
      const other = await createOne(env);
      await env.controls.setClientAddresses!(sharer.ref.username, [HOME, PHONE]);
      const refs = [sharer.ref, other.ref, bareRef(env.target, 'pkt_nobody_here')];
      const readings = await env.adapter.listClientAddresses!(refs, env.ctx());
      expect(readings.map((r) => r.username)).toEqual(refs.map((r) => r.username));
      const [first, second, nobody] = readings;
      expect(ipsOf(first)).toEqual([HOME, PHONE].sort());
      expect(first!.silentNodes).toEqual([]);
      expect(first!.at).toBeInstanceOf(Date);
      for (const address of first!.addresses!) {
        if (capability.liveCounts) expect(address.connections).toBeGreaterThanOrEqual(1);
        else expect(address.connections).toBeNull();
      }
      expectNoAddresses(second);
      expectNoAddresses(nobody);
    });

    it('gives no reading (null, not []) while the panel or its node is silent, and reads again once it answers', async (context) => {
      skipWithout(context);
      context.skip(env.controls.silenceClientAddresses === undefined, 'the controls cannot silence the panel’s address reports');
      const client = await createOne(env);
      await env.controls.setClientAddresses!(client.ref.username, [OFFICE]);
      await env.controls.silenceClientAddresses!(true);
      const [silent] = await env.adapter.listClientAddresses!([client.ref], env.ctx());
      expect(silent!.addresses).toBeNull();
      await env.controls.silenceClientAddresses!(false);
      const [heard] = await env.adapter.listClientAddresses!([client.ref], env.ctx());
      expect(ipsOf(heard)).toEqual([OFFICE]);
    });

    it('reads every client of the target in one bulk read, each once', async (context) => {
      skipWithout(context);
      context.skip(env.adapter.capabilities.clientAddresses?.bulk !== true, 'the panel reads one client a call');
      const two = await createOne(env);
      const one = await createOne(env);
      const none = await createOne(env);
      await env.controls.setClientAddresses!(two.ref.username, [HOME, PHONE]);
      await env.controls.setClientAddresses!(one.ref.username, [OFFICE]);
      const readings = await env.adapter.listClientAddresses!(env.target, env.ctx());
      const names = readings.map((r) => r.username);
      expect(new Set(names).size).toBe(names.length);
      const byName = new Map(readings.map((r) => [r.username, r]));
      expect(ipsOf(byName.get(two.ref.username))).toEqual([HOME, PHONE].sort());
      expect(ipsOf(byName.get(one.ref.username))).toEqual([OFFICE]);
      expectNoAddresses(byName.get(none.ref.username));
    });

    it('refuses a whole target where the panel reads one client a call', async (context) => {
      skipWithout(context);
      context.skip(env.adapter.capabilities.clientAddresses?.bulk !== false, 'the panel reads a whole target at once');
      await expectPanelError(env, env.adapter.listClientAddresses!(env.target, env.ctx()), 'PanelUnsupportedError', false);
    });
  });
}
