import { describe, expect, it } from 'vitest';
import { loggedUrl } from '../src/logging/logged-url.js';

describe('the request path in the request log', () => {
  it('blanks a link, reset or invite token in the path and in the sign-in page’s next', () => {
    expect(loggedUrl('/s/abcdefghijabcdefghijabcdefghij12')).toBe('/s/[redacted]');
    expect(loggedUrl('/family/join/abcdefghijabcdefghijabcdefghij12')).toBe('/family/join/[redacted]');
    expect(loggedUrl('/reset-password/tok123?x=1')).toBe('/reset-password/[redacted]?x=1');
    expect(loggedUrl('/signin?next=%2Ffamily%2Fjoin%2Fabcdefghijabcdefghijabcdefghij12')).toBe(
      '/signin?next=%2Ffamily%2Fjoin%2F[redacted]',
    );
    expect(loggedUrl('/signin?next=%2Fdashboard')).toBe('/signin?next=%2Fdashboard');
    expect(loggedUrl('/subscriptions/sub_1/family')).toBe('/subscriptions/sub_1/family');
  });
});
