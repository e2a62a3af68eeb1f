import { expect, it } from 'vitest';
import { DetailBodySchema, detailText, fieldIssues } from '../../src/marzban-family/error-detail.js';
import { parsePanelDate } from '../../src/marzban-family/time.js';
import { toRemoteClient } from '../../src/marzneshin/mapping.js';
import { AdminSchema, ServicesPageSchema, UserSchema, UsersPageSchema } from '../../src/marzneshin/schemas.js';
import type { MarzneshinUser } from '../../src/marzneshin/schemas.js';
import { describeFixtures, expectParses, errorExchanges, readExchange } from './fixtures.js';

const USER_RESPONSES = [
  'user-create-fixed-date.exchange.json',
  'user-create-start-on-first-use.exchange.json',
  'user-create-never.exchange.json',
  'user-get.exchange.json',
  'user-modify.exchange.json',
  'user-enable.exchange.json',
  'user-disable.exchange.json',
  'user-reset.exchange.json',
  'user-revoke-sub.exchange.json',
];

function expectMapped(user: MarzneshinUser, raw: Record<string, unknown>): void {
  const client = toRemoteClient(user);
  expect(client.ref.username).toBe(raw['username']);
  expect(client.enabled).toBe(raw['enabled']);
  expect(client.usedBytes).toBe(raw['used_traffic']);
  expect(client.trafficLimitBytes).toBe(raw['data_limit'] ? raw['data_limit'] : null);
  switch (raw['expire_strategy']) {
    case 'never':
      expect(client.expiry).toEqual({ type: 'never' });
      break;
    case 'fixed_date':
      // A naive ISO datetime is UTC on the panel.
      expect(client.expiry).toEqual({ type: 'at', at: parsePanelDate(raw['expire_date'] as string) });
      expect((client.expiry as { at: Date }).at.toISOString().slice(0, 19)).toBe((raw['expire_date'] as string).slice(0, 19));
      break;
    case 'start_on_first_use':
      expect(client.expiry).toEqual({ type: 'after_first_use', durationMs: (raw['usage_duration'] as number) * 1000 });
      break;
    default:
      throw new Error(`unexpected expire_strategy ${String(raw['expire_strategy'])}`);
  }
}

describeFixtures('contract: marzneshin fixtures', 'marzneshin', () => {
  it('the admin, services and users pages parse', () => {
    expectParses(AdminSchema, readExchange('marzneshin/admins-current.exchange.json').body, 'admins-current');
    const services = expectParses(ServicesPageSchema, readExchange('marzneshin/services-list.exchange.json').body, 'services-list');
    expect(services.items.length).toBeGreaterThan(0);
    const users = expectParses(UsersPageSchema, readExchange('marzneshin/users-list.exchange.json').body, 'users-list');
    expect(users.items.length).toBeGreaterThan(0);
    for (const user of users.items) expect(toRemoteClient(user).ref.username).toBe(user.username);
    expect(users.items.map((user) => toRemoteClient(user).panelStatus)).toEqual(['active', 'on_hold']);
  });

  for (const file of USER_RESPONSES) {
    it(`${file}: the user parses and maps in the panel's units (naive UTC dates, seconds, bytes)`, () => {
      const body = readExchange(`marzneshin/${file}`).body as Record<string, unknown>;
      expectMapped(expectParses(UserSchema, body, file), body);
    });
  }

  for (const file of errorExchanges('marzneshin')) {
    it(`${file}: the error body reads as detail text or field issues`, () => {
      const { status, body } = readExchange(`marzneshin/${file}`);
      expectParses(DetailBodySchema, body, file);
      if (status === 422) {
        const issues = fieldIssues(body);
        expect(issues.length).toBeGreaterThan(0);
        for (const issue of issues) expect(issue.message).not.toMatch(/^Value error, /);
      } else {
        expect(detailText(body)).toEqual(expect.any(String));
      }
    });
  }
});
