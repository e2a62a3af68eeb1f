import { describe, expect, it } from 'vitest';
import { decideDeviceAccess } from '../../src/rules/index.js';

const terms = (deviceLimit: number | null, noHwidPolicy: 'serve' | 'refuse' = 'serve') => ({ deviceLimit, noHwidPolicy });

describe('decideDeviceAccess', () => {
  it('refreshes a known device, registers a new one with room, refuses one past the limit', () => {
    expect(decideDeviceAccess({ terms: terms(2), hwid: 'a', registered: ['a', 'b'] })).toEqual({ verdict: 'refresh' });
    expect(decideDeviceAccess({ terms: terms(2), hwid: 'b', registered: ['a'] })).toEqual({ verdict: 'register' });
    expect(decideDeviceAccess({ terms: terms(2), hwid: 'c', registered: ['a', 'b'] })).toEqual({
      verdict: 'refuse',
      reason: 'limit_reached',
      count: 2,
    });
    expect(decideDeviceAccess({ terms: terms(null), hwid: 'z', registered: ['a', 'b', 'c'] })).toEqual({ verdict: 'register' });
  });

  it('keeps serving a known device when the limit was lowered below the devices counted', () => {
    expect(decideDeviceAccess({ terms: terms(1), hwid: 'b', registered: ['a', 'b'] })).toEqual({ verdict: 'refresh' });
    expect(decideDeviceAccess({ terms: terms(1), hwid: 'c', registered: ['a', 'b'] })).toMatchObject({ verdict: 'refuse' });
  });

  it('serves an app without an id uncounted or refuses it, as the policy says, whatever the limit', () => {
    expect(decideDeviceAccess({ terms: terms(1), hwid: null, registered: ['a'] })).toEqual({ verdict: 'serve_uncounted' });
    expect(decideDeviceAccess({ terms: terms(5, 'refuse'), hwid: null, registered: ['a'] })).toEqual({
      verdict: 'refuse',
      reason: 'hwid_required',
      count: 1,
    });
  });

  it('counts the panel’s devices with the registry’s, each id once', () => {
    expect(decideDeviceAccess({ terms: terms(2), hwid: 'c', registered: ['a'], panelHwids: ['a', 'p'] })).toMatchObject({
      verdict: 'refuse',
      count: 2,
    });
    expect(decideDeviceAccess({ terms: terms(3), hwid: 'c', registered: ['a'], panelHwids: ['a', 'p'] })).toEqual({ verdict: 'register' });
    // A device the panel counts already is registered without taking a new slot.
    expect(decideDeviceAccess({ terms: terms(2), hwid: 'p', registered: ['a'], panelHwids: ['p', 'q'] })).toEqual({ verdict: 'register' });
  });
});
