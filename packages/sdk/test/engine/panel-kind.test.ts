import { createMemoryStorage } from '@panelkit/storage-memory';
import { describe, expect, it } from 'vitest';
import { ConfigurationError, createPanelkit } from '../../src/index.js';
import type { Panel } from '../../src/index.js';
import { FakePanelAdapter, ManualClock } from '../../src/testing/index.js';
import { IDENTITY } from './harness.js';

const MARZBAN = {
  kind: 'marzban',
  name: 'Amsterdam',
  baseUrl: 'https://marzban.example.com/',
  credentials: { type: 'password', username: 'admin', password: 'hunter2-long' },
} as const;

/** A kit on memory storage whose panels get their adapters from `build`. */
function kitWithFactory(build: (panel: Panel) => FakePanelAdapter) {
  const clock = new ManualClock('2026-03-01T00:00:00.000Z');
  const storage = createMemoryStorage({ clock });
  const kit = createPanelkit({ storage, clock, panels: build, policy: { identity: IDENTITY } });
  return { kit, storage };
}

describe('kit.panels: the adapter speaks the panel’s kind', () => {
  it('a marzban panel whose factory builds a 3x-ui adapter is refused at add, naming both kinds, and nothing is stored', async () => {
    const { kit, storage } = kitWithFactory(() => new FakePanelAdapter({ clock: new ManualClock('2026-03-01T00:00:00Z'), kind: '3x-ui' }));
    const error = await kit.panels.add(MARZBAN).catch((e: unknown) => e);
    expect(ConfigurationError.is(error)).toBe(true);
    expect((error as Error).message).toMatch(/marzban.*3x-ui/);
    expect(await storage.panels.list()).toEqual([]);
    expect((await storage.audit.list({}, { limit: 10 })).items).toEqual([]);
  });

  it('a factory not ready at add (it throws) is not asked: the panel is stored', async () => {
    const { kit, storage } = kitWithFactory(() => {
      throw new Error('not configured yet');
    });
    const panel = await kit.panels.add(MARZBAN);
    expect((await storage.panels.get(panel.id))?.kind).toBe('marzban');
  });

  it('an adapter of the panel’s own kind is accepted', async () => {
    const { kit } = kitWithFactory(() => new FakePanelAdapter({ clock: new ManualClock('2026-03-01T00:00:00Z'), kind: 'marzban' }));
    const panel = await kit.panels.add(MARZBAN);
    expect((await kit.panels.adapter(panel.id)).kind).toBe('marzban');
  });
});
