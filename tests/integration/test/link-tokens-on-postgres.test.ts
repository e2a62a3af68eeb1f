/**
 * Buyers' link tokens across OS processes (issue 68): four shop replicas ask for the same customers' tokens at once,
 * each customer's first use racing on all four. Every replica gets the same token for a customer, and it resolves to
 * that customer everywhere. Then all four rotate one customer's token at once: exactly one token is left, every
 * other one (the first included) resolves to nothing, and the four rotations are each audited.
 */
import { createPostgresStorage, fromPgPool } from '@panelkit/storage-postgres';
import { describe, expect, it } from 'vitest';
import type { LinkReplicaConfig } from './support/replicas/link-replica.js';
import { startReplica } from './support/replicas/process.js';
import { DATABASE_URL, SKIP_REASON, useMigratedSchema } from './support/replicas/postgres-rig.js';

const LINK_REPLICA = new URL('./support/replicas/link-replica.ts', import.meta.url);
const CUSTOMERS = 60;
const SECRET = 'link-race-secret-0123456789';

describe.skipIf(SKIP_REASON !== false)(`link tokens across processes${SKIP_REASON === false ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  const { schema, pool, replicas } = useMigratedSchema('pk_links');

  it('four processes making the same customers first tokens agree on one each; four rotating at once leave one', {
    timeout: 120_000,
  }, async () => {
    const storage = createPostgresStorage({ client: fromPgPool(pool()), schema });
    const customers = await storage.customers.createMany(Array.from({ length: CUSTOMERS }, (_, i) => ({ email: `link-${i}@example.com` })));
    const ids = customers.map((c) => c.id);
    replicas.push(
      ...(await Promise.all(
        ['a', 'b', 'c', 'd'].map((name) =>
          startReplica(`link-${name}`, LINK_REPLICA, { databaseUrl: DATABASE_URL!, schema, secret: SECRET } satisfies LinkReplicaConfig),
        ),
      )),
    );
    expect(new Set(replicas.map((r) => r.pid)).size).toBe(4);

    // Half the replicas walk the customers backwards, so first uses meet from both ends too.
    const startAt = Date.now() + 500;
    const orders = replicas.map((_, i) => (i % 2 === 0 ? ids : [...ids].reverse()));
    const answers = await Promise.all(replicas.map((r, i) => r.call<string[]>('tokensFor', orders[i], startAt)));
    const byCustomer = answers.map((tokens, i) => new Map(orders[i]!.map((id, k) => [id, tokens[k]!])));
    const first = ids.map((id) => byCustomer[0]!.get(id)!);
    for (const seen of byCustomer) expect(ids.map((id) => seen.get(id))).toEqual(first);
    expect(new Set(first).size).toBe(CUSTOMERS);
    for (const r of replicas) expect(await r.call<(string | null)[]>('resolveAll', first)).toEqual(ids);
    const { rows } = await pool().query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".link_tokens`);
    expect(Number(rows[0]!.n)).toBe(CUSTOMERS);

    const target = ids[0]!;
    const rotateAt = Date.now() + 500;
    const rotated = await Promise.all(replicas.map((r) => r.call<string>('rotate', target, rotateAt)));
    const resolved = await replicas[0]!.call<(string | null)[]>('resolveAll', [first[0]!, ...rotated]);
    expect(resolved[0]).toBeNull();
    const live = new Set(rotated.filter((_, i) => resolved[i + 1] === target));
    expect(live.size).toBe(1);
    expect(await replicas[1]!.call<string[]>('tokensFor', [target], Date.now())).toEqual([...live]);
    const audit = await storage.audit.list({ subjectId: target }, { limit: 10 });
    expect(
      audit.items
        .filter((e) => e.action === 'subscription_link.rotated')
        .map((e) => e.actor.id)
        .sort(),
    ).toEqual(['link-a', 'link-b', 'link-c', 'link-d']);
  });
});
