import { ConfigurationError, KNOWN_PANEL_KINDS, UNKNOWN_HEALTH, type Panel } from '@panelkit/sdk';
import type { PanelAdapter } from '@panelkit/sdk/adapter';
import { describe, expect, it } from 'vitest';
import {
  BUNDLED_PANEL_ADAPTERS,
  PanelAdapterRegistry,
  UnknownPanelKindError,
  createPanelAdapter,
  defaultPanelAdapters,
} from '../src/index.js';

function panel(kind: string, overrides: Partial<Panel> = {}): Panel {
  return {
    id: `panel-${kind}`,
    kind,
    name: `${kind} panel`,
    baseUrl: 'https://panel.example.com:8443/secret/',
    credentials:
      kind === 's-ui' || kind === 'remnawave'
        ? { type: 'token', token: 'panel-api-token-0123456789' }
        : { type: 'password', username: 'admin', password: 'pw' },
    locationTags: [],
    options: {},
    enabled: true,
    health: UNKNOWN_HEALTH,
    createdAt: new Date(0),
    updatedAt: new Date(0),
    ...overrides,
  };
}

describe('createPanelAdapter', () => {
  it('builds the adapter of every kind the SDK knows, by the panel’s kind', () => {
    for (const kind of KNOWN_PANEL_KINDS) {
      const adapter = createPanelAdapter(panel(kind));
      expect(adapter.kind).toBe(kind);
    }
    expect(defaultPanelAdapters.kinds()).toEqual(expect.arrayContaining([...KNOWN_PANEL_KINDS]));
  });

  it('a kind with no builder is an UnknownPanelKindError (a ConfigurationError) naming the kinds it knows', () => {
    const error = (() => {
      try {
        createPanelAdapter(panel('acme'));
      } catch (e) {
        return e;
      }
    })();
    expect(UnknownPanelKindError.is(error)).toBe(true);
    expect(ConfigurationError.is(error)).toBe(true);
    expect((error as UnknownPanelKindError).kind).toBe('acme');
    expect((error as Error).message).toContain('acme');
    expect(() => defaultPanelAdapters.assertKnown(['marzban', 'acme'])).toThrow(/acme/);
    expect(() => defaultPanelAdapters.assertKnown(['marzban', 'pasarguard'])).not.toThrow();
  });

  it('hosts add their own kinds on a registry of their own, without touching the default one', () => {
    const fake = { kind: 'acme' } as PanelAdapter;
    const registry = defaultPanelAdapters.clone().register('acme', (p, options) => {
      expect(p.kind).toBe('acme');
      expect(options.timeoutMs).toBe(1234);
      return fake;
    });
    expect(createPanelAdapter(panel('acme'), { registry, timeoutMs: 1234 })).toBe(fake);
    expect(createPanelAdapter(panel('marzban'), { registry }).kind).toBe('marzban');
    expect(defaultPanelAdapters.has('acme')).toBe(false);
    expect(new PanelAdapterRegistry(BUNDLED_PANEL_ADAPTERS).kinds()).toEqual(defaultPanelAdapters.kinds());
  });

  it('credentials of the wrong type and unusable options are ConfigurationErrors', () => {
    const token = { type: 'token' as const, token: 'tok-0123456789abcdef' };
    // PasarGuard takes an API key as its token, and refuses one that is not `pg_key_` and a uuid.
    expect(() => createPanelAdapter(panel('pasarguard', { credentials: token }))).toThrow(/pg_key_/);
    const apiKey = { type: 'token' as const, token: 'pg_key_6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b' };
    expect(createPanelAdapter(panel('pasarguard', { credentials: apiKey })).kind).toBe('pasarguard');
    expect(() => createPanelAdapter(panel('marzban', { credentials: token }))).toThrow(ConfigurationError);
    expect(() => createPanelAdapter(panel('s-ui', { credentials: { type: 'password', username: 'a', password: 'b' } }))).toThrow(
      /needs an API token/,
    );
    expect(() => createPanelAdapter(panel('marzban', { options: { subscriptionBaseUrl: 'not a url' } }))).toThrow(/unusable options/);
  });
});
