/**
 * A small method + path router for simulators, on path-to-regexp (`/api/user/:username`).
 * Paths are matched relative to the simulator's base path.
 */
import { match, type MatchFunction } from 'path-to-regexp';

/** Path parameters a route pattern captured (`/users/:name` → `{ name }`). */
export type RouteParams = Record<string, string>;
/** Answers one matched request; `context` is whatever the simulator passes along with it (its state). */
export type RouteHandler<C> = (request: Request, params: RouteParams, context: C) => Response | Promise<Response>;

interface Route<C> {
  method: string;
  pattern: string;
  matcher: MatchFunction<Partial<Record<string, string | string[]>>>;
  handler: RouteHandler<C>;
}

/** A tiny method + path router (path-to-regexp patterns) the simulators build their APIs on. */
export class Router<C = undefined> {
  readonly #routes: Route<C>[] = [];

  /** Adds a route; the first route added that matches wins. Returns the router, for chaining. */
  on(method: string, pattern: string, handler: RouteHandler<C>): this {
    this.#routes.push({ method: method.toUpperCase(), pattern, matcher: match(pattern, { decode: decodeURIComponent }), handler });
    return this;
  }

  /** The matching route, if any; `methodMismatch` when the path exists under another method. */
  find(method: string, path: string): { handler: RouteHandler<C>; params: RouteParams; pattern: string } | { methodMismatch: boolean } {
    let methodMismatch = false;
    for (const route of this.#routes) {
      const found = route.matcher(path);
      if (!found) continue;
      if (route.method !== method.toUpperCase() && route.method !== '*') {
        methodMismatch = true;
        continue;
      }
      const params: RouteParams = {};
      for (const [key, value] of Object.entries(found.params)) {
        if (typeof value === 'string') params[key] = value;
        else if (Array.isArray(value)) params[key] = value.join('/');
      }
      return { handler: route.handler, params, pattern: route.pattern };
    }
    return { methodMismatch };
  }
}

/** JSON response helper. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });
}

/** Empty-bodied response helper. */
export function empty(status: number, headers: Record<string, string> = {}): Response {
  return new Response(null, { status, headers });
}

/** Reads a form-encoded or multipart body into a plain record (last value wins, as Go's FormValue). */
export async function readForm(request: Request): Promise<Record<string, string>> {
  const type = request.headers.get('content-type') ?? '';
  if (!type.includes('application/x-www-form-urlencoded') && !type.includes('multipart/form-data')) return {};
  const form = await request.formData();
  const out: Record<string, string> = {};
  for (const [key, value] of form.entries()) if (typeof value === 'string') out[key] = value;
  return out;
}

/**
 * Reads a JSON body: `{ ok: true, value }` (`value` is `undefined` for an empty body), or
 * `{ ok: false, offset }` when it is not JSON, `offset` being where the parser stopped (0 if unknown).
 */
export async function readJsonBody(request: Request): Promise<{ ok: true; value: unknown } | { ok: false; offset: number }> {
  const text = await request.text();
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const offset = Number(/position (\d+)/.exec(String(error))?.[1] ?? 0);
    return { ok: false, offset };
  }
}
