/**
 * Where this 3x-ui panel serves subscriptions, read from the panel itself: `defaultSettings` answers
 * the `subURI` the panel's own UI shows (`subURI` as configured, or built like `BuildSubURIBase`:
 * `http(s)://{subDomain or the request's host}[:{subPort}]{subPath}`), and `subEnable`.
 *
 * - v3.3+: `POST panel/api/setting/defaultSettings` (session or Bearer token);
 * - v2.x – v3.2: `POST panel/setting/defaultSettings`, behind the UI's login only: a Bearer token
 *   cannot read it, so with a token on those versions the URL is unknown unless configured.
 *
 * A definite answer is kept for `SETTINGS_TTL_MS`; a failed read, or none of the routes answering,
 * is not kept (the next call asks again).
 */
import { PanelNotFoundError, type Clock, type Logger } from '@panelkit/sdk';
import type { CallContext } from '@panelkit/sdk/adapter';
import { z } from 'zod';
import type { XuiApi } from './api.js';
import { SETTINGS_OPERATION } from './session.js';

const SETTINGS_TTL_MS = 10 * 60_000;

const DefaultSettingsSchema = z.looseObject({
  subEnable: z.boolean().optional().default(false),
  subURI: z.string().optional().default(''),
});

/**
 * The panel's subscription base URL, read from its `defaultSettings` on the route its version has. A definite
 * answer is kept 10 minutes; a failed read is not kept. Concurrent callers share one read.
 */
export class XuiSubscriptionSettings {
  #cached: { base: string | null; at: number } | undefined;
  #pending: Promise<string | null> | undefined;
  #warned = false;

  constructor(
    private readonly api: XuiApi,
    private readonly clock: Clock,
    private readonly usesToken: () => boolean,
    private readonly logger: Logger | undefined,
  ) {}

  /** The subscription base URL (the subId is appended), or `null` when the panel serves none or cannot say. */
  base(ctx: CallContext): Promise<string | null> {
    const now = this.clock.now().getTime();
    if (this.#cached && now - this.#cached.at < SETTINGS_TTL_MS) return Promise.resolve(this.#cached.base);
    this.#pending ??= this.#read(ctx)
      .then((base) => {
        if (base !== undefined) this.#cached = { base, at: this.clock.now().getTime() };
        return base ?? null;
      })
      .finally(() => {
        this.#pending = undefined;
      });
    return this.#pending;
  }

  /** `undefined` when no route answered (not kept). */
  async #read(ctx: CallContext): Promise<string | null | undefined> {
    const settings =
      (await this.#ask('panel/api/setting/defaultSettings', ctx)) ??
      (this.usesToken() ? undefined : await this.#ask('panel/setting/defaultSettings', ctx));
    if (settings === undefined) {
      if (!this.#warned) {
        this.#warned = true;
        (ctx.logger ?? this.logger)?.warn(
          { panel: '3x-ui' },
          'this 3x-ui version shows its subscription settings only to a password login; set links.subscriptionBaseUrl',
        );
      }
      return undefined;
    }
    if (!settings.subEnable || settings.subURI === '') return null;
    return settings.subURI.endsWith('/') ? settings.subURI : `${settings.subURI}/`;
  }

  /** The settings from one route; `undefined` when this version has no such route. */
  async #ask(path: string, ctx: CallContext): Promise<z.output<typeof DefaultSettingsSchema> | undefined> {
    try {
      // A read the panel serves on POST: re-sending it changes nothing.
      return await this.api.read({ operation: SETTINGS_OPERATION, method: 'POST', path, idempotent: true }, DefaultSettingsSchema, ctx);
    } catch (error) {
      if (PanelNotFoundError.is(error)) return undefined;
      throw error;
    }
  }
}
