import { afterAll, describe, expect, it } from 'vitest';
import { ConfigurationError, createId, deriveRemoteIdentity, termsOf } from '@panelkit/sdk';
import type { FigureCell } from '@panelkit/sdk/rules';
import { FIGURE_BUCKET_CHECKPOINT_BUCKETS as N, figureBucketCheckpointStart } from '@panelkit/sdk/storage';
import { ManualClock } from '@panelkit/sdk/testing';
import { LATEST_SCHEMA_VERSION, createPostgresStorage, migrate, schemaVersion } from '../src/index.js';
import { MIGRATIONS } from '../src/migrations/index.js';
import { dropSchema, sharedPGlite, uniqueSchema } from './helpers.js';

const pglite = sharedPGlite();
afterAll(() => pglite.close());

describe('migrate', () => {
  it('creates the schema once; a second run applies nothing', async () => {
    const client = await pglite.client();
    const schema = uniqueSchema();
    expect(await schemaVersion(client, { schema })).toBe(0);
    expect(await migrate(client, { schema })).toEqual({ from: 0, to: LATEST_SCHEMA_VERSION, applied: MIGRATIONS.map((m) => m.version) });
    expect(await migrate(client, { schema })).toEqual({ from: LATEST_SCHEMA_VERSION, to: LATEST_SCHEMA_VERSION, applied: [] });
    expect(await schemaVersion(client, { schema })).toBe(LATEST_SCHEMA_VERSION);
    await dropSchema(client, schema);
  });

  it('gives subscriptions from before sold terms the terms of their plan as it is then (migration 6)', async () => {
    const client = await pglite.client();
    const schema = uniqueSchema();
    await migrate(client, { schema });
    const storage = createPostgresStorage({ client, schema, clock: new ManualClock() });
    const plan = await storage.plans.create({
      name: 'p',
      family: 'f',
      price: { amount: 1500, currency: 'EUR' },
      durationDays: 30,
      trafficBytes: 10 * 2 ** 30,
      deviceLimit: 2,
      extension: { windowDays: 5, price: { amount: 900, currency: 'EUR' } },
      trafficTopUp: { pricePerGiB: { amount: 50, currency: 'EUR' } },
    });
    const panel = await storage.panels.create({
      kind: 'fake',
      name: 'x',
      baseUrl: 'https://x.example.com',
      credentials: { type: 'token', token: 't' },
    });
    const target = await storage.targets.create({ panelId: panel.id, remoteRef: '1', name: 't', protocol: 'vless' });
    const customer = await storage.customers.create({ email: 'm6@example.com' });
    const id = createId('sub');
    await storage.subscriptions.create({
      id,
      customerId: customer.id,
      orderId: null,
      planId: plan.id,
      panelId: panel.id,
      targetId: target.id,
      remote: deriveRemoteIdentity(id, 0, { secret: 'migration-6-secret-0123' }),
      trafficLimitBytes: null,
      expiresAt: null,
      durationDays: 30,
      startOnFirstUse: false,
    });
    expect((await storage.subscriptions.get(id))?.terms).toBeNull();
    // Run migration 6's statements again over the row as an older schema left it.
    const sql = MIGRATIONS.find((m) => m.version === 6)!
      .sql.replaceAll('{{schema}}', `"${schema}"`)
      .replace('ADD COLUMN', 'ADD COLUMN IF NOT EXISTS');
    for (const statement of sql.split(';').filter((part) => part.trim() !== '')) await client.query(statement);
    // Terms written by migration 6 predate frozen seats (`sharing`): such terms read the plan's (port 22).
    const { sharing: _seats, ...written } = termsOf(plan);
    expect((await storage.subscriptions.get(id))?.terms).toEqual(written);
    await dropSchema(client, schema);
  });

  it('keeps a panel name to the oldest panel and renames later copies, deleting nothing (migration 17)', async () => {
    const client = await pglite.client();
    const schema = uniqueSchema();
    const clock = new ManualClock();
    await migrate(client, { schema });
    // The schema as version 16 left it, holding panels that replicas stored twice or three times.
    // Migration 39's update triggers name columns version 16 did not have yet.
    for (const table of ['subscriptions', 'orders', 'payments', 'customers'])
      await client.query(`DROP TRIGGER figure_mark_update ON "${schema}".${table}`);
    await client.query(`ALTER TABLE "${schema}".panels DROP CONSTRAINT panels_name_key`);
    await client.query(`DROP TABLE "${schema}".saved_payment_methods`);
    await client.query(`DROP TABLE "${schema}".campaign_attributions`);
    await client.query(`DROP TABLE "${schema}".gifts`);
    await client.query(`ALTER TABLE "${schema}".plans DROP COLUMN device_pack`);
    await client.query(`ALTER TABLE "${schema}".plans DROP COLUMN builder`);
    await client.query(`ALTER TABLE "${schema}".subscriptions DROP COLUMN bundle_id`);
    await client.query(`DROP INDEX "${schema}".jobs_queued_serial_key, "${schema}".jobs_queued_unkeyed`);
    await client.query(`DROP TABLE "${schema}".job_waiters`);
    await client.query(`ALTER TABLE "${schema}".discount_codes DROP COLUMN customer_id`);
    await client.query(`DROP TRIGGER jobs_inserted_notify ON "${schema}".jobs`);
    await client.query(`DROP FUNCTION "${schema}".jobs_inserted_notify()`);
    await client.query(`DROP TABLE "${schema}".link_tokens`);
    await client.query(`DROP INDEX "${schema}".customers_telegram_id_idx`);
    await client.query(`DROP TABLE "${schema}".sharing_members, "${schema}".sharing_invites, "${schema}".subscription_link_tokens`);
    await client.query(`ALTER TABLE "${schema}".subscriptions DROP COLUMN label`);
    await client.query(`ALTER TABLE "${schema}".plans DROP COLUMN sharing`);
    await client.query(
      `DROP TABLE "${schema}".payout_entries, "${schema}".withdrawals, "${schema}".payout_balances, "${schema}".storefront_sales, "${schema}".storefront_menu`,
    );
    await client.query(`ALTER TABLE "${schema}".customers DROP COLUMN storefront_id`);
    await client.query(`DROP TABLE "${schema}".storefronts`);
    await client.query(`DROP TABLE "${schema}".trial_claims`);
    await client.query(`DROP FUNCTION "${schema}".job_succeeded(text)`);
    await client.query(`DROP TABLE "${schema}".succeeded_jobs`);
    await client.query(`DROP TABLE "${schema}".locations`);
    await client.query(`DELETE FROM "${schema}".panelkit_migrations WHERE version >= 17`);
    const storage = createPostgresStorage({ client, schema, clock });
    const add = async (name: string) => {
      clock.advance(1000);
      return storage.panels.create({ kind: 'fake', name, baseUrl: 'https://x.example.com', credentials: { type: 'token', token: 't' } });
    };
    const long = 'L'.repeat(200);
    const [first, second, third, alone, longFirst, longSecond] = [
      await add('Frankfurt 1'),
      await add('Frankfurt 1'),
      await add('Frankfurt 1'),
      await add('Amsterdam'),
      await add(long),
      await add(long),
    ];
    const target = await storage.targets.create({ panelId: third!.id, remoteRef: '1', name: 't', protocol: 'vless' });

    expect(await migrate(client, { schema })).toMatchObject({
      from: 16,
      applied: MIGRATIONS.filter((m) => m.version > 16).map((m) => m.version),
    });
    const names = new Map((await storage.panels.list()).map((p) => [p.id, p.name]));
    expect(names.size).toBe(6);
    expect(names.get(first!.id)).toBe('Frankfurt 1');
    expect(names.get(second!.id)).toBe(`Frankfurt 1 (duplicate ${second!.id})`);
    expect(names.get(third!.id)).toBe(`Frankfurt 1 (duplicate ${third!.id})`);
    expect(names.get(alone!.id)).toBe('Amsterdam');
    expect(names.get(longFirst!.id)).toBe(long);
    expect(names.get(longSecond!.id)).toHaveLength(200);
    expect(names.get(longSecond!.id)?.endsWith(` (duplicate ${longSecond!.id})`)).toBe(true);
    expect(await storage.targets.get(target.id)).toEqual(target);
    // From now on the name is the panel's alone.
    await expect(add('Frankfurt 1')).rejects.toMatchObject({ name: 'PanelNameTakenError' });
    await dropSchema(client, schema);
  });

  it('gives every plan, target, subscription and stored terms of a version-36 database the kind xray (migration 38)', async () => {
    const client = await pglite.client();
    const schema = uniqueSchema();
    await migrate(client, { schema });
    const storage = createPostgresStorage({ client, schema, clock: new ManualClock() });
    const plan = await storage.plans.create({
      name: 'p',
      family: 'f',
      price: { amount: 1, currency: 'USD' },
      durationDays: 30,
      trafficBytes: null,
    });
    const panel = await storage.panels.create({
      kind: 'fake',
      name: 'x',
      baseUrl: 'https://x.example.com',
      credentials: { type: 'token', token: 't' },
    });
    const target = await storage.targets.create({ panelId: panel.id, remoteRef: '1', name: 't', protocol: 'vless' });
    const customer = await storage.customers.create({ email: 'm38@example.com' });
    const sold = async (withTerms: boolean) => {
      const id = createId('sub');
      await storage.subscriptions.create({
        id,
        customerId: customer.id,
        orderId: null,
        planId: plan.id,
        panelId: panel.id,
        targetId: target.id,
        remote: deriveRemoteIdentity(id, 0, { secret: 'migration-38-secret-0123' }),
        trafficLimitBytes: null,
        expiresAt: null,
        durationDays: 30,
        startOnFirstUse: false,
        terms: withTerms ? termsOf(plan) : null,
      });
      return id;
    };
    const [withTerms, withoutTerms] = [await sold(true), await sold(false)];
    // The schema as version 36 left it: no kinds anywhere, terms frozen without them.
    await client.query(`ALTER TABLE "${schema}".plans DROP COLUMN kinds`);
    await client.query(`ALTER TABLE "${schema}".targets DROP COLUMN kinds`);
    await client.query(`ALTER TABLE "${schema}".subscriptions DROP COLUMN kind`);
    await client.query(`UPDATE "${schema}".subscriptions SET terms = terms - 'kinds' WHERE terms IS NOT NULL`);
    await client.query(`DELETE FROM "${schema}".panelkit_migrations WHERE version > 36`);

    expect(await migrate(client, { schema })).toEqual({
      from: 36,
      to: LATEST_SCHEMA_VERSION,
      applied: MIGRATIONS.filter((m) => m.version > 36).map((m) => m.version),
    });
    const raw = async (sql: string) =>
      (await client.query<{ v: unknown }>(sql.replaceAll('{{schema}}', `"${schema}"`))).rows.map((r) => r.v);
    expect(await raw('SELECT kinds AS v FROM {{schema}}.plans')).toEqual([['xray']]);
    expect(await raw('SELECT kinds AS v FROM {{schema}}.targets')).toEqual([['xray']]);
    expect(await raw('SELECT kind AS v FROM {{schema}}.subscriptions')).toEqual(['xray', 'xray']);
    // The stored terms themselves name their kinds now, not only the read's default.
    expect(await raw(`SELECT terms -> 'kinds' AS v FROM {{schema}}.subscriptions WHERE id = '${withTerms}'`)).toEqual([['xray']]);
    expect(await raw(`SELECT terms AS v FROM {{schema}}.subscriptions WHERE id = '${withoutTerms}'`)).toEqual([null]);
    expect(await storage.plans.get(plan.id)).toMatchObject({ kinds: ['xray'] });
    expect(await storage.targets.get(target.id)).toMatchObject({ kinds: ['xray'] });
    expect(await storage.subscriptions.get(withTerms)).toMatchObject({ kind: 'xray', terms: termsOf(plan) });
    expect(await storage.subscriptions.get(withoutTerms)).toMatchObject({ kind: 'xray', terms: null });
    await dropSchema(client, schema);
  });

  it('computes the buckets’ checkpoints from the buckets a version-40 database holds, the same when run twice (migration 41)', async () => {
    const client = await pglite.client();
    const schema = uniqueSchema();
    await migrate(client, { schema });
    const storage = createPostgresStorage({ client, schema, clock: new ManualClock() });
    const start = figureBucketCheckpointStart(660);
    const cell = (bucket: number, currency: string, value: number): FigureCell => ({
      table: 'buckets',
      bucket,
      currency,
      metric: 'net_sales',
      value,
    });
    await storage.figures.apply([
      cell(start, 'USD', 700),
      cell(start + N, 'USD', -200),
      cell(start + N + 1, 'EUR', 90),
      cell(start + 2 * N, 'EUR', -90),
    ]);
    const late = start + 3 * N + 1;
    const expected = [cell(late - 1, 'USD', 500)];
    // The schema as version 40 left it: buckets and no checkpoints (later migrations run again after 41).
    const after40 = MIGRATIONS.filter((m) => m.version > 40).map((m) => m.version);
    expect(after40[0]).toBe(41);
    await client.query(`DROP TABLE "${schema}".figure_bucket_checkpoints`);
    await client.query(`DELETE FROM "${schema}".panelkit_migrations WHERE version > 40`);
    expect(await migrate(client, { schema })).toMatchObject({ from: 40, applied: after40 });
    expect(await storage.figures.bucketTotals(late)).toEqual(expected);
    await client.query(`DELETE FROM "${schema}".panelkit_migrations WHERE version > 40`);
    expect(await migrate(client, { schema })).toMatchObject({ from: 40, applied: after40 });
    expect(await storage.figures.bucketTotals(late)).toEqual(expected);
    // From its buckets' sums alone: the buckets before the last checkpoint are not read.
    await client.query(`DELETE FROM "${schema}".figure_buckets`);
    expect(await storage.figures.bucketTotals(late)).toEqual(expected);
    await dropSchema(client, schema);
  });

  it('records when each migration ran, by the given clock', async () => {
    const client = await pglite.client();
    const schema = uniqueSchema();
    const clock = new ManualClock('2030-05-06T07:08:09.123Z');
    await migrate(client, { schema, clock });
    const { rows } = await client.query<{ applied_at: Date }>(`SELECT applied_at FROM "${schema}".panelkit_migrations`);
    expect(rows.map((r) => r.applied_at)).toEqual(MIGRATIONS.map(() => clock.now()));
    await dropSchema(client, schema);
  });

  it('refuses a schema newer than it knows, and changes nothing', async () => {
    const client = await pglite.client();
    const schema = uniqueSchema();
    await migrate(client, { schema });
    await client.query(`INSERT INTO "${schema}".panelkit_migrations (version, name, applied_at) VALUES ($1, 'from the future', now())`, [
      LATEST_SCHEMA_VERSION + 1,
    ]);
    await expect(migrate(client, { schema })).rejects.toSatisfy((e) => ConfigurationError.is(e));
    expect(await schemaVersion(client, { schema })).toBe(LATEST_SCHEMA_VERSION + 1);
    await dropSchema(client, schema);
  });

  it('keeps schemas apart: two storages in two schemas of one database do not see each other', async () => {
    const client = await pglite.client();
    const [a, b] = [uniqueSchema(), uniqueSchema()];
    await migrate(client, { schema: a });
    await migrate(client, { schema: b });
    const storageA = createPostgresStorage({ client, schema: a });
    const storageB = createPostgresStorage({ client, schema: b });
    await storageA.customers.create({ email: 'only-in-a@example.com' });
    expect(await storageB.customers.getByEmail('only-in-a@example.com')).toBeNull();
    expect(await storageA.customers.getByEmail('only-in-a@example.com')).not.toBeNull();
    await dropSchema(client, a);
    await dropSchema(client, b);
  });

  it('rejects a schema name that is not a plain identifier, before touching the database', async () => {
    const client = await pglite.client();
    for (const schema of ['', 'Upper', 'semi;colon', 'quo"te', '1digit', 'x'.repeat(64)]) {
      await expect(migrate(client, { schema })).rejects.toSatisfy((e) => ConfigurationError.is(e));
      expect(() => createPostgresStorage({ client, schema })).toThrow(/invalid schema name/);
    }
  });
});
