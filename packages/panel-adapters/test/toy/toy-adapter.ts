/**
 * The toy panel's adapter, built on `defineHttpPanelAdapter` as the guide shows: only the panel's calls, its
 * schemas and its units. No login code, no retries, no status mapping, no read-back: the factory does those.
 */
import { defineHttpPanelAdapter, parseJson, type HttpPanelAdapterOptions } from '@panelkit/panel-adapters';
import { PanelAuthError } from '@panelkit/sdk';
import type { ClientRef, Expiry, RemoteClient, TargetRef } from '@panelkit/sdk/adapter';
import { z } from 'zod';

const ClientSchema = z.object({
  username: z.string(),
  uuid: z.string(),
  targetId: z.string(),
  enabled: z.boolean(),
  expiresAt: z.number().nullable(),
  limitBytes: z.number().nullable(),
  up: z.number(),
  down: z.number(),
});
const TargetsSchema = z.array(
  z.object({ id: z.string(), name: z.string(), protocol: z.string(), enabled: z.boolean(), clients: z.number() }),
);
const PageSchema = z.object({ items: z.array(ClientSchema), total: z.number() });
const LinksSchema = z.object({ subscriptionUrl: z.string(), links: z.array(z.string()) });
const TokenSchema = z.object({ token: z.string() });

/** The toy adapter's options: the factory's, and the admin password. */
export interface ToyAdapterOptions extends HttpPanelAdapterOptions {
  readonly password: string;
}

const PAGE = 50;

function toRemote(client: z.output<typeof ClientSchema>, target: TargetRef): RemoteClient {
  return {
    ref: { target, username: client.username, remoteClientId: client.username },
    enabled: client.enabled,
    expiry: client.expiresAt === null ? { type: 'never' } : { type: 'at', at: new Date(client.expiresAt * 1000) },
    trafficLimitBytes: client.limitBytes,
    usedBytes: client.up + client.down,
    uploadBytes: client.up,
    downloadBytes: client.down,
    deviceLimit: null,
    panelStatus: client.enabled ? 'active' : 'disabled',
    lastOnlineAt: null,
  };
}

const targetOf = (id: string): TargetRef => ({ remoteRef: id, protocol: '', remoteMeta: {} });
const clientPath = (ref: ClientRef) => `api/clients/${encodeURIComponent(ref.username)}`;
const seconds = (expiry: Expiry): number | null => (expiry.type === 'at' ? Math.floor(expiry.at.getTime() / 1000) : null);

/** Builds an adapter for the toy panel. */
export const createToyAdapter = defineHttpPanelAdapter<ToyAdapterOptions>({
  kind: 'toy',
  capabilities: {
    batchCreate: false,
    inPlaceUpdate: true,
    bulkUsage: true,
    startOnFirstUse: false,
    enforcesExpiry: false,
    enforcesTrafficLimit: false,
    resetUsage: true,
    deviceLimit: false,
    maxConcurrency: 4,
    stableShareLinks: true,
  },
  auth: (options) => ({
    async login(raw, ctx) {
      const request = {
        operation: 'login',
        method: 'POST',
        path: 'api/login',
        json: { username: 'admin', password: options.password },
      } as const;
      const response = await raw.exchange(request, ctx);
      const context = { panelKind: 'toy', operation: 'login', status: response.status };
      if (response.status !== 200) throw new PanelAuthError(`the panel refused the login (${response.status})`, context);
      return parseJson(response, TokenSchema, context).token;
    },
  }),
  calls: {
    async probe(api, ctx) {
      await api.read({ operation: 'health', method: 'GET', path: 'api/targets' }, TargetsSchema, ctx);
      return { version: null };
    },
    async listTargets(api, ctx) {
      const targets = await api.read({ operation: 'listTargets', method: 'GET', path: 'api/targets' }, TargetsSchema, ctx);
      return targets.map((t) => ({
        remoteRef: t.id,
        name: t.name,
        protocol: t.protocol,
        enabled: t.enabled,
        clientCount: t.clients,
        remoteMeta: {},
      }));
    },
    async getClient(api, ref, ctx) {
      try {
        const client = await api.read({ operation: 'getClient', method: 'GET', path: clientPath(ref) }, ClientSchema, ctx);
        return toRemote(client, ref.target);
      } catch (error) {
        if ((error as { code?: string }).code === 'PANEL_NOT_FOUND') return null;
        throw error;
      }
    },
    async createClient(api, target, spec, ctx) {
      const json = {
        username: spec.identity.username,
        uuid: spec.identity.uuid,
        enabled: spec.enabled,
        expiresAt: seconds(spec.expiry),
        limitBytes: spec.trafficLimitBytes,
      };
      await api.write({ operation: 'createClients', method: 'POST', path: `api/targets/${target.remoteRef}/clients`, json }, ctx);
    },
    async updateClient(api, ref, patch, ctx) {
      const json = {
        ...(patch.enabled === undefined ? {} : { enabled: patch.enabled }),
        ...(patch.expiry === undefined ? {} : { expiresAt: seconds(patch.expiry) }),
        ...(patch.trafficLimitBytes === undefined ? {} : { limitBytes: patch.trafficLimitBytes }),
      };
      await api.write({ operation: 'updateClient', method: 'PATCH', path: clientPath(ref), json }, ctx);
    },
    async resetUsage(api, ref, ctx) {
      await api.write({ operation: 'resetUsage', method: 'POST', path: `${clientPath(ref)}/reset` }, ctx);
    },
    async deleteClient(api, ref, ctx) {
      await api.write({ operation: 'deleteClient', method: 'DELETE', path: clientPath(ref) }, ctx);
    },
    async listClients(api, { cursor, limit }, ctx) {
      const offset = cursor === null ? 0 : Number(cursor);
      const size = Math.min(limit ?? PAGE, PAGE);
      const query = { offset, limit: size };
      const page = await api.read({ operation: 'listClients', method: 'GET', path: 'api/clients', query }, PageSchema, ctx);
      const next = offset + page.items.length;
      return {
        items: page.items.map((client) => toRemote(client, targetOf(client.targetId))),
        nextCursor: next < page.total ? String(next) : null,
      };
    },
    async links(api, ref, ctx) {
      const links = await api.read({ operation: 'links', method: 'GET', path: `${clientPath(ref)}/links` }, LinksSchema, ctx);
      return { subscriptionUrl: links.subscriptionUrl, shareLinks: links.links };
    },
  },
});
