/**
 * The Marzban simulator of `packages/panel-adapters` (0.8.4) for `bench/sublink`'s comparison: forked as its own
 * process, it seeds the buyers as panel users (one VLESS credential each, the simulator's `seedUsers`), reads each
 * user's subscription URL through the panel's own API (`GET /api/users`, as an admin), serves the panel on
 * 127.0.0.1 and sends `{ origin, tokens }` (each `/sub/<token>`'s token, in the buyers' order) to the parent.
 * Runs until the parent disconnects. Not meant to be run by hand.
 */
import { createMarzbanSimulator } from '../../packages/panel-adapters/src/simulators/marzban/index.js';
import { serveOnLocalhost } from '../../packages/panel-adapters/src/simulators/harness/serve.js';

const buyers = Number(process.argv[2]);
const ADMIN = { username: 'bench', password: 'bench-sublink-password' };
const PAGE = 10_000;

const sim = createMarzbanSimulator({ adminUsername: ADMIN.username, adminPassword: ADMIN.password });
sim.seedUsers(buyers, 'bench_');
const ask = (path: string, init: RequestInit = {}) => sim.handle(new Request(`http://panel.bench${path}`, init));
const login = await ask('/api/admin/token', {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ username: ADMIN.username, password: ADMIN.password }),
});
const { access_token: bearer } = (await login.json()) as { access_token: string };
const byName = new Map<string, string>();
for (let offset = 0; offset < buyers; offset += PAGE) {
  const page = await ask(`/api/users?offset=${offset}&limit=${PAGE}`, { headers: { authorization: `Bearer ${bearer}` } });
  const { users } = (await page.json()) as { users: Array<{ username: string; subscription_url: string }> };
  for (const user of users) byName.set(user.username, user.subscription_url.slice(user.subscription_url.lastIndexOf('/') + 1));
}
const tokens = Array.from({ length: buyers }, (_, i) => {
  const token = byName.get(`bench_${i}`);
  if (token === undefined) throw new Error(`the panel did not list bench_${i}`);
  return token;
});
const server = await serveOnLocalhost(sim.handle);
process.send?.({ origin: server.origin, tokens });
process.on('disconnect', () => void server.close().then(() => process.exit(0)));
