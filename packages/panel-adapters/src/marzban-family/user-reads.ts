/** Reading one user from a Marzban-family panel, the way every adapter operation needs it. */
import { PanelNotFoundError, PanelOutcomeUnknownError } from '@panelkit/sdk';
import type { CallContext } from '@panelkit/sdk/adapter';
import type { z } from 'zod';
import type { PanelHttp } from '../http/index.js';
import { expectOk } from './responses.js';

export class UserReads<U> {
  readonly #http: PanelHttp;
  readonly #schema: z.ZodType<U>;
  readonly #pathOf: (username: string) => string;

  /** `pathOf` gives the user's route (`api/user/<name>` on Marzban, `api/users/<name>` on Marzneshin). */
  constructor(http: PanelHttp, schema: z.ZodType<U>, pathOf: (username: string) => string) {
    this.#http = http;
    this.#schema = schema;
    this.#pathOf = pathOf;
  }

  /** The user, or `null` on a 404. */
  async get(username: string, operation: string, ctx: CallContext): Promise<U | null> {
    const response = await this.#http.send({ operation, method: 'GET', path: this.#pathOf(username) }, ctx);
    if (response.status === 404) return null;
    return expectOk(response, this.#schema, this.#http.context(operation));
  }

  /** The user; a 404 is `PanelNotFoundError`. */
  async require(username: string, operation: string, ctx: CallContext): Promise<U> {
    const user = await this.get(username, operation, ctx);
    if (user === null) throw new PanelNotFoundError(`user ${username} is not on the panel`, this.#http.context(operation, { status: 404 }));
    return user;
  }

  /** Reads a user back after an unclear answer (`cause`); a failing read makes the outcome unknown. */
  async readBack(username: string, operation: string, ctx: CallContext, cause: Error): Promise<U | null> {
    try {
      return await this.get(username, operation, ctx);
    } catch (error) {
      throw new PanelOutcomeUnknownError('the panel failed and reading back failed too', this.#http.context(operation), {
        cause: error,
        details: { first: (cause as { code?: string }).code },
      });
    }
  }
}
