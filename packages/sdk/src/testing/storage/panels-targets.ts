import { describe, expect, it } from 'vitest';
import { UNKNOWN_HEALTH } from '../../domain/panel.js';
import type { NewPanel, PanelPatch } from '../../domain/panel.js';
import type { TargetPatch } from '../../domain/target.js';
import { seedPanel, seedTarget, uniqueToken } from './fixtures.js';
import { MINUTE, expectRejects, idsOf, isErrorKind, settle } from './support.js';
import type { SuiteEnv } from './support.js';

export function panelsTargetsSuite(env: SuiteEnv): void {
  describe('panels', () => {
    it('create fills defaults, takes times from the clock, and get returns the same row', async () => {
      const { storage, clock } = env;
      const panel = await storage.panels.create({
        kind: 'marzban',
        name: 'main',
        baseUrl: 'https://panel.example.com/secret',
        credentials: { type: 'token', token: 'tok-123' },
      });
      expect(panel.id).toEqual(expect.any(String));
      expect(panel).toMatchObject({ kind: 'marzban', name: 'main', locationTags: [], enabled: true });
      expect(panel.options).toEqual({});
      expect(panel.credentials).toEqual({ type: 'token', token: 'tok-123' });
      expect(panel.health).toEqual(UNKNOWN_HEALTH);
      expect(panel.createdAt).toEqual(clock.now());
      expect(panel.updatedAt).toEqual(clock.now());
      expect(await storage.panels.get(panel.id)).toEqual(panel);
      expect(await storage.panels.get('pnl_missing')).toBeNull();
    });

    it('keeps a given id, and a second panel with that id is a ConflictError', async () => {
      const { storage } = env;
      const id = `pnl_${uniqueToken()}`;
      const panel = await seedPanel(storage, { id });
      expect(panel.id).toBe(id);
      await expectRejects(seedPanel(storage, { id }), 'ConflictError');
      expect(await storage.panels.list()).toHaveLength(1);
    });

    it('rejects invalid input with a ValidationError and writes nothing', async () => {
      const { storage } = env;
      const bad: NewPanel = {
        kind: 'marzban',
        name: 'bad',
        baseUrl: 'ftp://nope',
        credentials: { type: 'token', token: 't' },
      };
      await expectRejects(storage.panels.create(bad), 'ValidationError');
      await expectRejects(seedPanel(storage, { name: '' }), 'ValidationError');
      await expectRejects(seedPanel(storage, { locationTags: ['Not A Tag'] }), 'ValidationError');
      expect(await storage.panels.list()).toEqual([]);
    });

    it('lists by name, in code-point order', async () => {
      const { storage } = env;
      const bravo = await seedPanel(storage, { name: 'bravo' });
      const delta = await seedPanel(storage, { name: 'delta' });
      const alpha = await seedPanel(storage, { name: 'alpha' });
      const upperDelta = await seedPanel(storage, { name: 'Delta' });
      const charlie = await seedPanel(storage, { name: 'charlie' });
      expect(idsOf(await storage.panels.list())).toEqual(idsOf([upperDelta, alpha, bravo, charlie, delta]));
    });

    it('keeps a name to one panel: a create or a rename onto a taken name is a PanelNameTakenError and changes nothing', async () => {
      const { storage } = env;
      const frankfurt = await seedPanel(storage, { name: 'Frankfurt 1' });
      const error = await expectRejects(seedPanel(storage, { name: 'Frankfurt 1' }), 'PanelNameTakenError');
      expect(error).toMatchObject({ code: 'CONFLICT', panelName: 'Frankfurt 1', details: { name: 'Frankfurt 1' } });
      await expectRejects(seedPanel(storage, { name: 'Frankfurt 1' }), 'ConflictError');
      const other = await seedPanel(storage, { name: 'frankfurt 1' });
      await expectRejects(storage.panels.update(other.id, { name: 'Frankfurt 1', enabled: false }), 'PanelNameTakenError');
      expect(await storage.panels.get(other.id)).toEqual(other);
      expect(idsOf(await storage.panels.list())).toEqual(idsOf([frankfurt, other]));
      // Its own name again, and a free one, are fine; the old name is then free.
      await storage.panels.update(frankfurt.id, { name: 'Frankfurt 1' });
      await storage.panels.update(frankfurt.id, { name: 'Frankfurt 2' });
      expect((await seedPanel(storage, { name: 'Frankfurt 1' })).name).toBe('Frankfurt 1');
    });

    it('inside a transaction, a taken name fails that call only: the transaction goes on', async () => {
      const { storage } = env;
      await seedPanel(storage, { name: 'Amsterdam' });
      const added = await storage.transaction(async (tx) => {
        await expectRejects(seedPanel(tx, { name: 'Amsterdam' }), 'PanelNameTakenError');
        return seedPanel(tx, { name: 'Amsterdam 2' });
      });
      expect((await storage.panels.list()).map((p) => p.name)).toEqual(['Amsterdam', 'Amsterdam 2']);
      expect(await storage.panels.get(added.id)).toEqual(added);
    });

    it('stores a name once when replicas create it at the same moment: one panel, every other a PanelNameTakenError', async () => {
      const replicas = await env.replicas(4);
      const { values, errors } = await settle(replicas.map((r) => seedPanel(r, { name: 'Raced' })));
      expect(values).toHaveLength(1);
      expect(errors).toHaveLength(3);
      for (const error of errors) expect(isErrorKind(error, 'PanelNameTakenError')).toBe(true);
      expect(idsOf(await env.storage.panels.list())).toEqual(idsOf(values));
    });

    it('update applies the patch, moves updatedAt, and keeps createdAt', async () => {
      const { storage, clock } = env;
      const panel = await seedPanel(storage);
      clock.advance(5 * MINUTE);
      const health = {
        status: 'healthy',
        checkedAt: clock.now(),
        latencyMs: 42,
        consecutiveFailures: 0,
        lastError: null,
        version: '1.2.3',
      } as const;
      const updated = await storage.panels.update(panel.id, { name: 'renamed', enabled: false, health });
      expect(updated).toEqual({ ...panel, name: 'renamed', enabled: false, health, updatedAt: clock.now() });
      expect(await storage.panels.get(panel.id)).toEqual(updated);
    });

    it('update of a missing panel is a NotFoundError; an invalid patch is a ValidationError and changes nothing', async () => {
      const { storage } = env;
      await expectRejects(storage.panels.update('pnl_missing', { name: 'x' }), 'NotFoundError');
      const panel = await seedPanel(storage);
      const bad: PanelPatch = { baseUrl: 'not a url' };
      await expectRejects(storage.panels.update(panel.id, bad), 'ValidationError');
      await expectRejects(storage.panels.update(panel.id, { name: 'ok', locationTags: ['BAD TAG'] }), 'ValidationError');
      expect(await storage.panels.get(panel.id)).toEqual(panel);
    });

    it('returns copies: mutating inputs or results never changes stored state', async () => {
      const { storage } = env;
      const input: NewPanel = {
        kind: 'marzban',
        name: 'copy',
        baseUrl: 'https://copy.example.com',
        credentials: { type: 'password', username: 'admin', password: 'pw-original' },
        locationTags: ['de'],
        options: { nested: { value: 1 } },
      };
      const created = await storage.panels.create(input);
      const snapshot = structuredClone(created);
      input.locationTags?.push('fr');
      input.name = 'changed-input';
      created.name = 'changed';
      created.locationTags.push('us');
      created.options['nested'] = 'gone';
      created.createdAt.setTime(0);
      if (created.credentials.type === 'password') created.credentials.password = 'stolen';
      const fetched = await storage.panels.get(created.id);
      expect(fetched).toEqual(snapshot);
      fetched?.locationTags.push('x');
      const listed = await storage.panels.list();
      listed[0]?.locationTags.push('y');
      expect(await storage.panels.get(created.id)).toEqual(snapshot);
    });
  });

  describe('targets', () => {
    it('create fills defaults and is found by id and by (panelId, remoteRef)', async () => {
      const { storage, clock } = env;
      const panel = await seedPanel(storage);
      const target = await storage.targets.create({ panelId: panel.id, remoteRef: '7', name: 'vless-main', protocol: 'vless' });
      expect(target).toMatchObject({
        panelId: panel.id,
        remoteRef: '7',
        capacity: null,
        allocated: 0,
        isDefault: false,
        provisioningEnabled: true,
        tags: [],
      });
      expect(target.remoteMeta).toEqual({});
      expect(target.createdAt).toEqual(clock.now());
      expect(await storage.targets.get(target.id)).toEqual(target);
      expect(await storage.targets.getByRemoteRef(panel.id, '7')).toEqual(target);
      expect(await storage.targets.getByRemoteRef(panel.id, '8')).toBeNull();
      expect(await storage.targets.get('tgt_missing')).toBeNull();
    });

    it('(panelId, remoteRef) is unique; the same remoteRef on another panel is fine', async () => {
      const { storage } = env;
      const [a, b] = [await seedPanel(storage), await seedPanel(storage)];
      await seedTarget(storage, { panelId: a.id, remoteRef: 'inbound-1' });
      await expectRejects(seedTarget(storage, { panelId: a.id, remoteRef: 'inbound-1' }), 'ConflictError');
      const other = await seedTarget(storage, { panelId: b.id, remoteRef: 'inbound-1' });
      expect(await storage.targets.getByRemoteRef(b.id, 'inbound-1')).toEqual(other);
      expect(await storage.targets.list({ panelId: a.id })).toHaveLength(1);
    });

    it('rejects invalid input with a ValidationError and writes nothing', async () => {
      const { storage } = env;
      const panel = await seedPanel(storage);
      await expectRejects(seedTarget(storage, { panelId: panel.id, remoteRef: '' }), 'ValidationError');
      await expectRejects(seedTarget(storage, { panelId: panel.id, capacity: -1 }), 'ValidationError');
      await expectRejects(seedTarget(storage, { panelId: panel.id, tags: ['Bad Tag'] }), 'ValidationError');
      expect(await storage.targets.list()).toEqual([]);
    });

    it('lists by panel, then name, then id, and filters by panel', async () => {
      const { storage } = env;
      const t = uniqueToken();
      // Panel ids and names sort the same way, so "by panel" holds whichever the storage uses.
      const p1 = await seedPanel(storage, { id: `${t}-p1`, name: 'panel-1' });
      const p2 = await seedPanel(storage, { id: `${t}-p2`, name: 'panel-2' });
      const t2b = await seedTarget(storage, { panelId: p2.id, name: 'bravo' });
      const t1c = await seedTarget(storage, { panelId: p1.id, name: 'charlie' });
      const t1aY = await seedTarget(storage, { panelId: p1.id, name: 'alpha', id: `${t}-y` });
      const t2a = await seedTarget(storage, { panelId: p2.id, name: 'alpha' });
      const t1aX = await seedTarget(storage, { panelId: p1.id, name: 'alpha', id: `${t}-x` });
      expect(idsOf(await storage.targets.list())).toEqual(idsOf([t1aX, t1aY, t1c, t2a, t2b]));
      expect(idsOf(await storage.targets.list({}))).toEqual(idsOf([t1aX, t1aY, t1c, t2a, t2b]));
      expect(idsOf(await storage.targets.list({ panelId: p2.id }))).toEqual(idsOf([t2a, t2b]));
      expect(await storage.targets.list({ panelId: 'pnl_missing' })).toEqual([]);
    });

    it('update applies the patch and moves updatedAt, but never changes allocated', async () => {
      const { storage, clock } = env;
      const target = await seedTarget(storage, { capacity: 10 });
      clock.advance(MINUTE);
      const updated = await storage.targets.update(target.id, { name: 'renamed', capacity: 20, tags: ['fast'] });
      expect(updated).toEqual({ ...target, name: 'renamed', capacity: 20, tags: ['fast'], updatedAt: clock.now() });
      const sneaky = { name: 'sneaky', allocated: 7 };
      const patch: TargetPatch = sneaky;
      try {
        await storage.targets.update(target.id, patch);
      } catch {
        // Rejecting the unknown key is fine too; what matters is that allocated did not move.
      }
      expect((await storage.targets.get(target.id))?.allocated).toBe(0);
    });

    it('update of a missing target is a NotFoundError; an invalid patch is a ValidationError and changes nothing', async () => {
      const { storage } = env;
      await expectRejects(storage.targets.update('tgt_missing', { name: 'x' }), 'NotFoundError');
      const target = await seedTarget(storage);
      await expectRejects(storage.targets.update(target.id, { name: 'ok', capacity: 1.5 }), 'ValidationError');
      expect(await storage.targets.get(target.id)).toEqual(target);
    });

    it('returns copies', async () => {
      const { storage } = env;
      const target = await seedTarget(storage, { tags: ['a'], remoteMeta: { tags: ['x'] } });
      const snapshot = structuredClone(target);
      target.tags.push('b');
      target.remoteMeta['tags'] = 'changed';
      (await storage.targets.get(target.id))?.tags.push('c');
      (await storage.targets.list())[0]?.tags.push('d');
      (await storage.targets.getByRemoteRef(target.panelId, target.remoteRef))?.tags.push('e');
      expect(await storage.targets.get(target.id)).toEqual(snapshot);
    });
  });
}
