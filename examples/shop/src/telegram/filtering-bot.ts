import {
  type Api,
  Bot,
  type BotConfig,
  type CallbackQueryContext,
  type CallbackQueryMiddleware,
  type CommandContext,
  type CommandMiddleware,
  Composer,
  Context,
  type Filter,
  type FilterQuery,
  type HearsContext,
  type HearsMiddleware,
  type Middleware,
  type MiddlewareFn,
  type NextFunction,
} from 'grammy';
import { directJsonCalls } from '../app/bot-api-calls.js';
import { callbackKeys, commandKeys, type KeyTest, queryKeys, textKeys, type UpdateKey, updateKey } from './update-keys.js';

type MaybePromise<T> = T | Promise<T>;

/** One registration: a middleware, or a composer run when its predicate holds. */
interface Entry<C extends Context> {
  /** The updates it can act on by their key; absent: any. */
  readonly keys?: KeyTest;
  /** Asked when the update reaches it; it is passed over unless this holds (grammY's `filter`). */
  readonly predicate?: (ctx: C) => MaybePromise<unknown>;
  /** The composer it runs, whose own registrations tell which updates it can act on; absent: a bare middleware. */
  readonly inner?: Chain<C>;
  readonly run: MiddlewareFn<C>;
}

/** A key's list is kept for at most this many keys a composer (button data is the sender's to choose). */
const KEYS_KEPT = 256;

/** Bumped by every registration on any composer: a kept list may hold a composer registered into since. */
let registrations = 0;

/**
 * A composer's registrations in order, run as grammY's `Composer` runs them, with two differences. For each update
 * key ({@link UpdateKey}) it keeps the registrations that can act on it and runs only those: a button's tap meets
 * the middleware every update passes and the one or two handlers of its action, not the 40-90 button, command and
 * text handlers before it. A filter's predicate is called directly (grammY's goes through `branch` and `lazy`, an
 * async function and a new `Composer` a handler passed). A filter whose composer has nothing for the update is passed
 * over without asking its predicate, so predicates must not act (the shop's read the sender, and grammY's own only
 * set `ctx.match` when they hold).
 */
class Chain<C extends Context> {
  private readonly entries: Array<Entry<C>> = [];
  private lists = new Map<UpdateKey, ReadonlyArray<Entry<C>>>();
  private listsAt = -1;

  add(entry: Entry<C>): void {
    this.entries.push(entry);
    registrations++;
  }

  /** The registrations that can act on updates of `key`, in order. */
  listFor(key: UpdateKey): ReadonlyArray<Entry<C>> {
    if (this.listsAt !== registrations) {
      this.lists = new Map();
      this.listsAt = registrations;
    }
    const kept = this.lists.get(key);
    if (kept !== undefined) return kept;
    const list = this.entries.filter(
      (entry) => (entry.keys === undefined || entry.keys(key)) && (entry.inner === undefined || entry.inner.listFor(key).length > 0),
    );
    if (this.lists.size < KEYS_KEPT) this.lists.set(key, list);
    return list;
  }

  readonly run: MiddlewareFn<C> = (ctx, next) => {
    try {
      return runFrom(this.listFor(updateKey(ctx.update)), 0, ctx, next);
    } catch (error) {
      return Promise.reject(error);
    }
  };
}

function runFrom<C extends Context>(list: ReadonlyArray<Entry<C>>, from: number, ctx: C, next: NextFunction): Promise<void> {
  for (let i = from; i < list.length; i++) {
    const predicate = list[i]?.predicate;
    if (predicate === undefined) return enter(list, i, ctx, next);
    const holds = predicate(ctx);
    if (holds === false) continue;
    if (holds === true) return enter(list, i, ctx, next);
    const at = i;
    return Promise.resolve(holds).then((yes) => (yes ? enter(list, at, ctx, next) : runFrom(list, at + 1, ctx, next)));
  }
  return next();
}

/** Runs `list[at]` with a `next` that goes on after it (once, as grammY's). */
function enter<C extends Context>(list: ReadonlyArray<Entry<C>>, at: number, ctx: C, next: NextFunction): Promise<void> {
  let called = false;
  const rest: NextFunction = () => {
    if (called) return Promise.reject(new Error('`next` already called before!'));
    called = true;
    try {
      return runFrom(list, at + 1, ctx, next);
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return Promise.resolve((list[at] as Entry<C>).run(ctx, rest)) as Promise<void>;
}

function bare<C extends Context>(middleware: Middleware<C>): Entry<C> {
  return { run: typeof middleware === 'function' ? middleware : (ctx, next) => middleware.middleware()(ctx, next) };
}

function useOn<C extends Context>(chain: Chain<C>, middleware: Array<Middleware<C>>): FilteringComposer<C> {
  const composer = new FilteringComposer<C>(...middleware);
  chain.add({ inner: composer.chain, run: composer.chain.run });
  return composer;
}

function filterOn<C extends Context>(
  chain: Chain<C>,
  predicate: (ctx: C) => MaybePromise<unknown>,
  middleware: Array<Middleware<C>>,
  keys?: KeyTest,
): FilteringComposer<C> {
  const composer = new FilteringComposer<C>(...middleware);
  chain.add({ predicate, inner: composer.chain, run: composer.chain.run, ...(keys === undefined ? {} : { keys }) });
  return composer;
}

/** A grammY `Composer` that runs only the registrations an update can reach ({@link Chain}); its filters return these. */
export class FilteringComposer<C extends Context> extends Composer<C> {
  /** @internal Its registrations, read by the composer it is registered in. */
  readonly chain = new Chain<C>();

  constructor(...middleware: Array<Middleware<C>>) {
    super();
    for (const one of middleware) this.chain.add(bare(one));
  }

  override middleware(): MiddlewareFn<C> {
    return this.chain.run;
  }

  override use(...middleware: Array<Middleware<C>>): Composer<C> {
    return useOn(this.chain, middleware);
  }

  override filter<D extends C>(predicate: (ctx: C) => ctx is D, ...middleware: Array<Middleware<D>>): Composer<D>;
  override filter(predicate: (ctx: C) => MaybePromise<boolean>, ...middleware: Array<Middleware<C>>): Composer<C>;
  override filter(predicate: (ctx: C) => MaybePromise<boolean>, ...middleware: Array<Middleware<C>>): Composer<C> {
    return filterOn(this.chain, predicate, middleware);
  }

  override on<Q extends FilterQuery>(filter: Q | Q[], ...middleware: Array<Middleware<Filter<C, Q>>>): Composer<Filter<C, Q>> {
    return filterOn(this.chain, Context.has.filterQuery(filter), middleware as Array<Middleware<C>>, queryKeys(filter)) as never;
  }

  override hears(trigger: string | RegExp | Array<string | RegExp>, ...middleware: Array<HearsMiddleware<C>>): Composer<HearsContext<C>> {
    return filterOn(this.chain, Context.has.text(trigger), middleware as Array<Middleware<C>>, textKeys) as never;
  }

  override command(command: string | string[], ...middleware: Array<CommandMiddleware<C>>): Composer<CommandContext<C>> {
    return filterOn(this.chain, Context.has.command(command), middleware as Array<Middleware<C>>, commandKeys(command)) as never;
  }

  override callbackQuery(
    trigger: string | RegExp | Array<string | RegExp>,
    ...middleware: Array<CallbackQueryMiddleware<C>>
  ): Composer<CallbackQueryContext<C>> {
    return filterOn(this.chain, Context.has.callbackQuery(trigger), middleware as Array<Middleware<C>>, callbackKeys(trigger)) as never;
  }
}

/**
 * A grammY `Bot` that runs only the registrations an update can reach, as {@link FilteringComposer} does; the shop's
 * bots are these. `bench/bot` (a tap registered after 80 button handlers, 12 commands and an admins' filter; load ~30):
 * 113-137 µs of CPU an update on grammY's `Bot`, 47-55 with each filter's predicate called directly (this class
 * before it kept a list by key), 1.5-3.1 µs this way.
 */
export class FilteringBot<C extends Context, A extends Api = Api> extends Bot<C, A> {
  private readonly chain = new Chain<C>();

  /** Its `api` (and each update's, which takes its transformers) makes JSON calls itself first ({@link directJsonCalls}). */
  constructor(token: string, config?: BotConfig<C>) {
    super(token, config);
    this.api.config.use(directJsonCalls(token, config?.client));
  }

  override middleware(): MiddlewareFn<C> {
    return this.chain.run;
  }

  override use(...middleware: Array<Middleware<C>>): Composer<C> {
    return useOn(this.chain, middleware);
  }

  override filter<D extends C>(predicate: (ctx: C) => ctx is D, ...middleware: Array<Middleware<D>>): Composer<D>;
  override filter(predicate: (ctx: C) => MaybePromise<boolean>, ...middleware: Array<Middleware<C>>): Composer<C>;
  override filter(predicate: (ctx: C) => MaybePromise<boolean>, ...middleware: Array<Middleware<C>>): Composer<C> {
    return filterOn(this.chain, predicate, middleware);
  }

  override on<Q extends FilterQuery>(filter: Q | Q[], ...middleware: Array<Middleware<Filter<C, Q>>>): Composer<Filter<C, Q>> {
    return filterOn(this.chain, Context.has.filterQuery(filter), middleware as Array<Middleware<C>>, queryKeys(filter)) as never;
  }

  override hears(trigger: string | RegExp | Array<string | RegExp>, ...middleware: Array<HearsMiddleware<C>>): Composer<HearsContext<C>> {
    return filterOn(this.chain, Context.has.text(trigger), middleware as Array<Middleware<C>>, textKeys) as never;
  }

  override command(command: string | string[], ...middleware: Array<CommandMiddleware<C>>): Composer<CommandContext<C>> {
    return filterOn(this.chain, Context.has.command(command), middleware as Array<Middleware<C>>, commandKeys(command)) as never;
  }

  override callbackQuery(
    trigger: string | RegExp | Array<string | RegExp>,
    ...middleware: Array<CallbackQueryMiddleware<C>>
  ): Composer<CallbackQueryContext<C>> {
    return filterOn(this.chain, Context.has.callbackQuery(trigger), middleware as Array<Middleware<C>>, callbackKeys(trigger)) as never;
  }
}
