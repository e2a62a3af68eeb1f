import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { SecretKeyError, createId, createSecretBox, deriveRemoteIdentity, generateSecretKey } from '@panelkit/sdk';
import { ManualClock } from '@panelkit/sdk/testing';
import type { NewPanel, SecretBox, Subscription } from '@panelkit/sdk';
import type { StoragePort } from '@panelkit/sdk/storage';
import { createPostgresStorage, fromPgPool, migrate, resealSecrets } from '../src/index.js';
import type { SqlClient } from '../src/index.js';
import { DATABASE_URL, SKIP_REAL_SERVER, dropSchema, newPool, sharedPGlite, uniqueSchema } from './helpers.js';

/** pg_dump comes from Debian's postgresql-client (scripts/ensure-pg-dump.sh installs it). */
const HAVE_PG_DUMP = spawnSync('pg_dump', ['--version']).status === 0;

const k1 = generateSecretKey('k1');
const k2 = generateSecretKey('k2');
const clock = new ManualClock();

/** A secret no other test writes, so finding it anywhere means it leaked from this test. */
const secret = (label: string) => `${label}-${randomBytes(9).toString('hex')}`;

function passwordPanel(name: string, password: string): NewPanel {
  return { kind: '3x-ui', name, baseUrl: 'http://127.0.0.1:2053/xui', credentials: { type: 'password', username: 'admin', password } };
}

function tokenPanel(name: string, token: string): NewPanel {
  return { kind: 's-ui', name, baseUrl: 'http://127.0.0.1:2095/app', credentials: { type: 'token', token } };
}

/** Every row of every table in `schema`, as text: what a dump of the data would hold. */
async function scanAllTables(client: SqlClient, schema: string): Promise<string> {
  const { rows } = await client.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [
    schema,
  ]);
  expect(rows.map((r) => r.table_name)).toContain('panels');
  const parts: string[] = [];
  for (const { table_name } of rows) {
    const { rows: data } = await client.query<{ row: string }>(`SELECT t::text AS row FROM "${schema}"."${table_name}" t`);
    parts.push(...data.map((d) => d.row));
  }
  return parts.join('\n');
}

async function freshSchema(client: SqlClient, box?: SecretBox): Promise<{ schema: string; storage: StoragePort }> {
  const schema = uniqueSchema();
  await migrate(client, { schema, clock });
  return { schema, storage: createPostgresStorage({ client, schema, clock, ...(box === undefined ? {} : { secretBox: box }) }) };
}

describe('panel secrets at rest (PGlite)', () => {
  const pglite = sharedPGlite();
  afterAll(() => pglite.close());

  it('stores credentials sealed: a scan of every table finds no password or token, the storage reads them back', async () => {
    const client = await pglite.client();
    const { schema, storage } = await freshSchema(client, createSecretBox([k1]));
    const password = secret('pw');
    const token = secret('tok');
    const newPassword = secret('pw2');
    const a = await storage.panels.create(passwordPanel('a', password));
    const b = await storage.panels.create(tokenPanel('b', token));
    await storage.transaction((tx) =>
      tx.panels.update(a.id, { credentials: { type: 'password', username: 'admin', password: newPassword } }),
    );

    const dump = await scanAllTables(client, schema);
    for (const plain of [password, token, newPassword]) expect(dump).not.toContain(plain);
    expect(dump).toContain('pk1.k1.');
    expect((await storage.panels.get(a.id))?.credentials).toEqual({ type: 'password', username: 'admin', password: newPassword });
    expect((await storage.panels.list()).find((p) => p.id === b.id)?.credentials).toEqual({ type: 'token', token });
    await storage.close();
    await dropSchema(client, schema);
  });

  it('seals plain rows written before on start, once; a storage with keys refuses to read plain text meanwhile', async () => {
    const client = await pglite.client();
    const box = createSecretBox([k1]);
    const { schema, storage: legacy } = await freshSchema(client);
    const password = secret('legacy');
    const panel = await legacy.panels.create(passwordPanel('old', password));
    expect(await scanAllTables(client, schema)).toContain(password);
    const sealedStorage = createPostgresStorage({ client, schema, clock, secretBox: box });
    await expect(sealedStorage.panels.get(panel.id)).rejects.toThrow(SecretKeyError);

    expect(await resealSecrets(client, { schema, secretBox: box })).toEqual({ checked: 1, sealed: 1, rotated: 0, byKey: { k1: 1 } });
    expect(await resealSecrets(client, { schema, secretBox: box })).toEqual({ checked: 1, sealed: 0, rotated: 0, byKey: { k1: 1 } });
    expect(await scanAllTables(client, schema)).not.toContain(password);
    expect((await sealedStorage.panels.get(panel.id))?.credentials).toEqual(panel.credentials);
    await expect(legacy.panels.get(panel.id)).rejects.toThrow(/no secret keys/);
    await dropSchema(client, schema);
  });

  it('a missing or wrong key is a clear error at start-up, and nothing is rewritten', async () => {
    const client = await pglite.client();
    const { schema, storage } = await freshSchema(client, createSecretBox([k1]));
    await storage.panels.create(passwordPanel('p', secret('pw')));
    const before = await scanAllTables(client, schema);
    await expect(resealSecrets(client, { schema, secretBox: createSecretBox([k2]), rotate: true })).rejects.toThrow(
      /sealed with key k1, which is not among the keys given/,
    );
    await expect(resealSecrets(client, { schema, secretBox: createSecretBox([{ id: 'k1', key: k2.key }]) })).rejects.toThrow(
      /key k1 does not open/,
    );
    expect(await scanAllTables(client, schema)).toBe(before);
    await dropSchema(client, schema);
  });

  it('rotates: with the new key first every value is sealed again under it, and the old key can then be dropped', async () => {
    const client = await pglite.client();
    const { schema, storage } = await freshSchema(client, createSecretBox([k1]));
    const panels = await Promise.all([
      storage.panels.create(passwordPanel('x', secret('pw'))),
      storage.panels.create(tokenPanel('y', secret('tok'))),
    ]);
    const both = createSecretBox([k2, k1]);
    expect(await resealSecrets(client, { schema, secretBox: both })).toMatchObject({ rotated: 0, byKey: { k1: 2 } });
    expect(await resealSecrets(client, { schema, secretBox: both, rotate: true })).toMatchObject({ rotated: 2, byKey: { k2: 2 } });
    const onlyNew = createPostgresStorage({ client, schema, clock, secretBox: createSecretBox([k2]) });
    for (const panel of panels) expect((await onlyNew.panels.get(panel.id))?.credentials).toEqual(panel.credentials);
    await dropSchema(client, schema);
  });
});

/** A pending subscription as a checkout writes one: its remote identity, no client id, URL or share links yet. */
async function pendingSubscription(storage: StoragePort): Promise<Subscription> {
  const panel = await storage.panels.create(passwordPanel(`p-${createId('x')}`, secret('pw')));
  const target = await storage.targets.create({ panelId: panel.id, remoteRef: '1', name: 't', protocol: 'vless' });
  const plan = await storage.plans.create({
    name: 'plan',
    family: 'f',
    price: { amount: 1, currency: 'USD' },
    durationDays: 30,
    trafficBytes: null,
  });
  const customer = await storage.customers.create({ email: `${createId('c')}@example.com` });
  const id = createId('sub');
  const remote = deriveRemoteIdentity(id, 0, { secret: secret('identity-secret') });
  return storage.subscriptions.create({
    id,
    customerId: customer.id,
    orderId: null,
    planId: plan.id,
    panelId: panel.id,
    targetId: target.id,
    remote,
    trafficLimitBytes: null,
    expiresAt: null,
    durationDays: 30,
    startOnFirstUse: false,
  });
}

/** An active subscription with a client id, a subscription URL and share links, as the engine writes one once provisioned. */
async function activeSubscription(storage: StoragePort): Promise<Subscription> {
  const created = await pendingSubscription(storage);
  const { id, remote } = created;
  return storage.subscriptions.update(
    id,
    {
      status: 'active',
      remoteClientId: remote.uuid,
      subscriptionUrl: `https://sub.example.com/sub/${remote.subId}`,
      shareLinks: [`vless://${remote.uuid}@de.example.com:443?type=ws#de`, `trojan://${remote.password}@de.example.com:443#de`],
    },
    { expectedRevision: created.revision },
  );
}

/** What must never be in a dump of a subscription's row: each value opens the buyer's VPN. */
const clientSecretsOf = (s: Subscription) => [
  s.remote.uuid,
  s.remote.password,
  s.remote.subId,
  s.remote.ssKey,
  ...s.shareLinks,
  s.subscriptionUrl!,
];

describe('subscription credentials at rest (PGlite)', () => {
  const pglite = sharedPGlite();
  afterAll(() => pglite.close());

  it('stores the client credentials, share links and subscription URL sealed, and reads them back', async () => {
    const client = await pglite.client();
    const { schema, storage } = await freshSchema(client, createSecretBox([k1]));
    const sub = await activeSubscription(storage);
    const dump = await scanAllTables(client, schema);
    for (const plain of clientSecretsOf(sub)) expect(dump).not.toContain(plain);
    // The username stays readable: it is a unique key and names the client on its panel.
    expect(dump).toContain(sub.remote.username);
    expect(await storage.subscriptions.get(sub.id)).toEqual(sub);
    expect(await storage.subscriptions.getByUsername(sub.panelId, sub.remote.username)).toEqual(sub);
    expect((await storage.subscriptions.listByCustomer(sub.customerId, { limit: 10 })).items).toEqual([sub]);
    // A value moved to another row does not open there (the row id is authenticated).
    const other = await activeSubscription(storage);
    await client.query(
      `UPDATE "${schema}".subscriptions SET share_links = (SELECT share_links FROM "${schema}".subscriptions WHERE id = $1) WHERE id = $2`,
      [sub.id, other.id],
    );
    // Opened when read: the rest of the row is there, the moved value refuses to open.
    const moved = await storage.subscriptions.get(other.id);
    expect(moved?.status).toBe('active');
    expect(() => moved?.shareLinks).toThrow(SecretKeyError);
    await dropSchema(client, schema);
  });

  it('stores empty share links as [] (nothing to hide), seals them once there are some; older sealed [] rows open and rotate to []', async () => {
    const client = await pglite.client();
    const box = createSecretBox([k1]);
    const { schema, storage } = await freshSchema(client, box);
    const raw = async (id: string) =>
      (await client.query(`SELECT remote, share_links FROM "${schema}".subscriptions WHERE id = $1`, [id])).rows[0]!;
    const pending = await pendingSubscription(storage);
    expect((await raw(pending.id))['share_links']).toEqual([]);
    expect((await raw(pending.id))['remote']).toHaveProperty('sealed');
    expect((await storage.subscriptions.get(pending.id))?.shareLinks).toEqual([]);
    // One panel's credentials and one subscription's remote: the empty links are neither counted nor sealed.
    expect(await resealSecrets(client, { schema, secretBox: box })).toEqual({ checked: 2, sealed: 0, rotated: 0, byKey: { k1: 2 } });
    const link = `vless://${pending.remote.uuid}@de.example.com:443#de`;
    await storage.subscriptions.update(pending.id, { shareLinks: [link] }, { expectedRevision: pending.revision });
    expect((await raw(pending.id))['share_links']).toHaveProperty('sealed');
    expect(await scanAllTables(client, schema)).not.toContain(link);
    // A row written before: its empty links sealed under k1. It opens, and a rotation writes it as [].
    const older = await pendingSubscription(storage);
    const sealedEmpty = { sealed: box.seal('[]', `subscriptions.share_links:${older.id}`) };
    await client.query(`UPDATE "${schema}".subscriptions SET share_links = $2::jsonb WHERE id = $1`, [
      older.id,
      JSON.stringify(sealedEmpty),
    ]);
    expect((await storage.subscriptions.get(older.id))?.shareLinks).toEqual([]);
    // Four rows (two panels, two subscriptions); five values, the older row's links no longer among them.
    const both = createSecretBox([k2, k1]);
    expect(await resealSecrets(client, { schema, secretBox: both, rotate: true })).toMatchObject({ rotated: 4, byKey: { k2: 5 } });
    expect((await raw(older.id))['share_links']).toEqual([]);
    expect((await createPostgresStorage({ client, schema, clock, secretBox: both }).subscriptions.get(older.id))?.shareLinks).toEqual([]);
    await dropSchema(client, schema);
  });

  it('seals rows written in plain text on start, once, and rotates them with the panels', async () => {
    const client = await pglite.client();
    const { schema, storage: legacy } = await freshSchema(client);
    const subs = [await activeSubscription(legacy), await activeSubscription(legacy)];
    expect(await scanAllTables(client, schema)).toContain(subs[0]!.shareLinks[0]);
    const box = createSecretBox([k1]);
    // Two panels and two subscriptions of four values each.
    expect(await resealSecrets(client, { schema, secretBox: box })).toEqual({ checked: 10, sealed: 4, rotated: 0, byKey: { k1: 10 } });
    expect(await resealSecrets(client, { schema, secretBox: box })).toEqual({ checked: 10, sealed: 0, rotated: 0, byKey: { k1: 10 } });
    const dump = await scanAllTables(client, schema);
    for (const plain of subs.flatMap(clientSecretsOf)) expect(dump).not.toContain(plain);
    const sealed = createPostgresStorage({ client, schema, clock, secretBox: box });
    for (const sub of subs) expect(await sealed.subscriptions.get(sub.id)).toEqual(sub);

    await expect(resealSecrets(client, { schema, secretBox: createSecretBox([{ id: 'k1', key: k2.key }]) })).rejects.toThrow(
      /key k1 does not open/,
    );
    const both = createSecretBox([k2, k1]);
    expect(await resealSecrets(client, { schema, secretBox: both, rotate: true })).toEqual({
      checked: 10,
      sealed: 0,
      rotated: 4,
      byKey: { k2: 10 },
    });
    const onlyNew = createPostgresStorage({ client, schema, clock, secretBox: createSecretBox([k2]) });
    for (const sub of subs) expect(await onlyNew.subscriptions.get(sub.id)).toEqual(sub);
    await expect(resealSecrets(client, { schema, secretBox: createSecretBox([k1]) })).rejects.toThrow(
      /sealed with key k2, which is not among/,
    );
    await dropSchema(client, schema);
  });

  it('a row the engine rewrites in part between the rotation reading and sealing it is read again and rotated whole', async () => {
    const client = await pglite.client();
    const { schema, storage: first } = await freshSchema(client, createSecretBox([k1]));
    const sub = await activeSubscription(first);
    const both = createSecretBox([k2, k1]);
    const replica = createPostgresStorage({ client, schema, clock, secretBox: both });
    // The engine changes only the client id: it seals that field with k2 and writes the others back as stored (k1).
    let interleaved = false;
    const racing: SqlClient = {
      concurrent: client.concurrent,
      transaction: (fn) => client.transaction(fn),
      query: async (text: string, params?: unknown[]) => {
        if (!interleaved && text.includes('SET remote = $2::jsonb')) {
          interleaved = true;
          const now = await replica.subscriptions.get(sub.id);
          await replica.subscriptions.update(sub.id, { remoteClientId: `${sub.remoteClientId}-2` }, { expectedRevision: now!.revision });
        }
        return client.query(text, params);
      },
    } as SqlClient;
    expect(await resealSecrets(racing, { schema, secretBox: both, rotate: true })).toEqual({
      checked: 5,
      sealed: 0,
      rotated: 2,
      byKey: { k2: 5 },
    });
    expect(interleaved).toBe(true);
    const onlyNew = createPostgresStorage({ client, schema, clock, secretBox: createSecretBox([k2]) });
    expect(await onlyNew.subscriptions.get(sub.id)).toMatchObject({
      remoteClientId: `${sub.remoteClientId}-2`,
      shareLinks: sub.shareLinks,
    });
    await dropSchema(client, schema);
  });
});

describe.skipIf(SKIP_REAL_SERVER !== false)(
  `panel secrets at rest on a PostgreSQL server${SKIP_REAL_SERVER === false ? '' : ` (skipped: ${SKIP_REAL_SERVER})`}`,
  () => {
    it.skipIf(!HAVE_PG_DUMP)(
      `pg_dump of the schema holds no panel password or token, nor any buyer's client credentials${HAVE_PG_DUMP ? '' : ' (skipped: no pg_dump; scripts/ensure-pg-dump.sh installs it)'}`,
      async () => {
        const pool = newPool(2);
        const client = fromPgPool(pool);
        try {
          const { schema, storage } = await freshSchema(client, createSecretBox([k1]));
          try {
            const password = secret('pw');
            const token = secret('tok');
            await storage.panels.create(passwordPanel('a', password));
            await storage.panels.create(tokenPanel('b', token));
            const sub = await activeSubscription(storage);
            const { stdout } = await promisify(execFile)('pg_dump', ['--dbname', DATABASE_URL as string, '--schema', schema], {
              maxBuffer: 64 * 1024 * 1024,
            });
            expect(stdout).toContain('pk1.k1.');
            expect(stdout).not.toContain(password);
            expect(stdout).not.toContain(token);
            for (const plain of clientSecretsOf(sub)) expect(stdout).not.toContain(plain);
          } finally {
            await dropSchema(client, schema);
          }
        } finally {
          await pool.end();
        }
      },
    );

    it('replicas starting at once seal each plain row exactly once', async () => {
      const pools = [newPool(2), newPool(2), newPool(2)];
      const admin = fromPgPool(pools[0]!);
      const { schema, storage: legacy } = await freshSchema(admin);
      try {
        const created = await Promise.all(Array.from({ length: 30 }, (_, i) => legacy.panels.create(passwordPanel(`p${i}`, secret('pw')))));
        const box = createSecretBox([k1]);
        const results = await Promise.all(pools.map((pool) => resealSecrets(fromPgPool(pool), { schema, secretBox: box })));
        expect(results.reduce((sum, r) => sum + r.sealed, 0)).toBe(30);
        for (const r of results) expect(r.byKey).toEqual({ k1: 30 });
        const storage = createPostgresStorage({ client: admin, schema, clock, secretBox: box });
        for (const panel of created) expect((await storage.panels.get(panel.id))?.credentials).toEqual(panel.credentials);
      } finally {
        await dropSchema(admin, schema);
        await Promise.all(pools.map((p) => p.end()));
      }
    });

    it('a rotation while replicas keep changing and reading credentials loses no secret', async () => {
      const pools = [newPool(3), newPool(3), newPool(2)];
      const admin = fromPgPool(pools[0]!);
      const { schema, storage: first } = await freshSchema(admin, createSecretBox([k1]));
      try {
        const panels = await Promise.all(Array.from({ length: 20 }, (_, i) => first.panels.create(passwordPanel(`p${i}`, secret('pw')))));
        // Every replica now holds both keys, the new one first: they seal with k2 and open both.
        const both = createSecretBox([k2, k1]);
        const replicas = pools
          .slice(0, 2)
          .map((pool) => createPostgresStorage({ client: fromPgPool(pool), schema, clock, secretBox: both }));
        const latest = new Map(panels.map((p) => [p.id, p.credentials]));
        let rotating = true;
        const load = replicas.map(async (storage, r) => {
          for (let round = 0; rotating || round < 3; round++) {
            for (const panel of panels.filter((_, i) => i % 2 === r)) {
              const credentials = { type: 'password' as const, username: 'admin', password: secret(`r${r}`) };
              await storage.panels.update(panel.id, { credentials });
              latest.set(panel.id, credentials);
              expect((await storage.panels.get(panel.id))?.credentials).toEqual(credentials);
            }
          }
        });
        const rotation = resealSecrets(fromPgPool(pools[2]!), { schema, secretBox: both, rotate: true }).finally(() => {
          rotating = false;
        });
        await Promise.all([rotation, ...load]);
        expect((await resealSecrets(admin, { schema, secretBox: both, rotate: true })).byKey).toEqual({ k2: 20 });
        const onlyNew = createPostgresStorage({ client: admin, schema, clock, secretBox: createSecretBox([k2]) });
        for (const panel of panels) expect((await onlyNew.panels.get(panel.id))?.credentials).toEqual(latest.get(panel.id));
      } finally {
        await dropSchema(admin, schema);
        await Promise.all(pools.map((p) => p.end()));
      }
    });
  },
);
