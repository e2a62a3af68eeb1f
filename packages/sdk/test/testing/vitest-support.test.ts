import { describe, expect, it } from 'vitest';
import { LOWEST_SUPPORTED_VITEST, assertSupportedVitest, isSupportedVitest } from '../../src/testing/vitest-support.js';

describe('the vitest floor of the conformance suites', () => {
  it('is 3.1.0: the first vitest whose ctx.skip(false, note) goes on with the test', () => {
    expect(LOWEST_SUPPORTED_VITEST).toBe('3.1.0');
    expect(['3.0.0', '3.0.9', '2.1.9'].map(isSupportedVitest)).toEqual([false, false, false]);
    expect(['3.1.0', '3.1.0-beta.1', '3.2.7', '4.0.0', '4.1.12', '5.1.1'].map(isSupportedVitest)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
    ]);
  });

  it("lets this repository's own vitest run the suites", () => {
    expect(() => assertSupportedVitest('describeStoragePort')).not.toThrow();
  });
});
