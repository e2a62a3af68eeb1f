/**
 * The conformance suite against a REAL PasarGuard, by hand only (never in CI): set
 * PASARGUARD_REAL_URL, PASARGUARD_REAL_DB (its SQLite file), PASARGUARD_REAL_PASSWORD (the `owner`
 * admin's), PASARGUARD_REAL_GROUP (a group id) and, for a second run with an API key, PASARGUARD_REAL_API_KEY.
 * `scripts/real-panels/pasarguard.sh` sets one up. Each run deletes the users it created (through the
 * panel itself, not the proxy, so no fault or expired session is left to get in the way).
 */
import { describePanelAdapter } from '@panelkit/sdk/testing';
import { describe, it } from 'vitest';
import { createPasarGuardAdapter } from '../../src/pasarguard/index.js';
import { serveOnLocalhost } from '../../src/simulators/harness/index.js';
import { RealPanelProxy } from './real-panel-proxy.js';

const url = process.env['PASARGUARD_REAL_URL'];
const database = process.env['PASARGUARD_REAL_DB'];
const password = process.env['PASARGUARD_REAL_PASSWORD'];
const group = Number(process.env['PASARGUARD_REAL_GROUP'] ?? '1');
/** Optional: an API key made in the panel (`POST /api/api_key`), for a second run as a static token. */
const apiKey = process.env['PASARGUARD_REAL_API_KEY'];

/** Deletes `usernames` from the panel, straight (no proxy); one that is gone already is fine. */
async function deleteUsers(usernames: readonly string[]): Promise<void> {
  if (usernames.length === 0) return;
  const direct = createPasarGuardAdapter({
    baseUrl: url!,
    auth: apiKey === undefined ? { username: 'owner', password: password! } : { apiKey },
    timeoutMs: 10_000,
  });
  const target = { remoteRef: String(group), protocol: 'mixed', remoteMeta: { groupId: group } };
  for (const username of usernames) {
    await direct.deleteClient({ target, username }, { signal: new AbortController().signal, idempotencyKey: `cleanup-${username}` });
  }
}

if (url === undefined || database === undefined || password === undefined) {
  describe.skip('panel adapter: real pasarguard (set PASARGUARD_REAL_URL, _DB, _PASSWORD to run by hand)', () => {
    it('is skipped', () => undefined);
  });
} else {
  for (const auth of apiKey === undefined ? ['password'] : ['password', 'api key']) {
    describePanelAdapter(`real pasarguard (${auth})`, async ({ clock, logger }) => {
      // The real panel keeps real time: the suite's dates must be in its future.
      clock.set(new Date());
      const proxy = new RealPanelProxy({ target: url, database, tokenPath: '/api/admin/token', createPath: '/api/user' });
      const server = await serveOnLocalhost(proxy.handle);
      const adapter = createPasarGuardAdapter({
        baseUrl: server.origin,
        auth: auth === 'password' ? { username: 'owner', password } : { apiKey: apiKey! },
        clock,
        logger,
        timeoutMs: 5_000,
        retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 2_000 },
      });
      return {
        adapter,
        target: { remoteRef: String(group), protocol: 'mixed', remoteMeta: { groupId: group } },
        controls: proxy,
        secrets: apiKey === undefined ? [password] : [password, apiKey],
        sessionKind: auth === 'password' ? 'login' : 'static-token',
        hasSubscriptionUrl: true,
        cleanup: async () => {
          proxy.releaseHangs();
          await server.close();
          await deleteUsers(proxy.createdUsernames);
        },
      };
    });
  }
}
