import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/index.js';
import { CountryCodeSchema, LocationEntrySchema } from '../../src/plan-builder.js';
import { parseInput } from '../../src/storage.js';
import { createHarness } from '../engine/harness.js';

/** The messages of a refused country, as `parseInput` reports them; throws whatever else is thrown. */
function countryIssues(country: string): string[] {
  try {
    parseInput(LocationEntrySchema, { location: 'de', country, name: 'Frankfurt' }, 'location');
  } catch (error) {
    if (!ValidationError.is(error)) throw error;
    return error.issues.map((i) => `${i.path}: ${i.message}`);
  }
  return [];
}

describe('CountryCodeSchema', () => {
  it('takes an assigned alpha-2 code', () => {
    expect(CountryCodeSchema.parse('DE')).toBe('DE');
    expect(countryIssues('NL')).toEqual([]);
  });

  it('refuses anything but two capital letters with one issue on the field, never a RangeError from the region names', () => {
    for (const country of ['ZZZ9', 'D3', '12', 'de', '', 'DEU', 'É1'])
      expect(countryIssues(country), country).toEqual(['country: an ISO 3166-1 alpha-2 code: two capital letters']);
  });

  it('refuses two capital letters that name no country', () => {
    for (const country of ['QQ', 'ZZ', 'EU', 'UK'])
      expect(countryIssues(country), country).toEqual(['country: not an assigned ISO 3166-1 alpha-2 code']);
  });

  it('kit.locations.name refuses a malformed country with a ValidationError and stores nothing', async () => {
    const h = await createHarness();
    await expect(h.kit.locations.name({ location: 'de', country: 'ZZZ9', name: 'Nowhere' })).rejects.toSatisfy(
      (e: unknown) => ValidationError.is(e) && e.issues.some((i) => i.path === 'country'),
    );
    expect(await h.kit.locations.list()).toEqual([]);
    expect((await h.storage.audit.list({ subjectType: 'location', subjectId: 'de' }, { limit: 5 })).items).toEqual([]);
  });
});
