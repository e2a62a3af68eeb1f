import { describe, expect, it, vi } from 'vitest';
import {
  ConflictError,
  InternalError,
  PanelConnectionError,
  PanelError,
  PanelRateLimitError,
  PanelTimeoutError,
  PanelkitError,
  PanelkitEventBus,
  toPanelkitError,
} from '../../src/index.js';

describe('errors', () => {
  it('recognises classes by brand, including parents, and not siblings', () => {
    const timeout = new PanelTimeoutError('timed out', { panelKind: 'marzban', panelId: 'pnl_1', operation: 'getClient' });
    expect(PanelkitError.is(timeout)).toBe(true);
    expect(PanelError.is(timeout)).toBe(true);
    expect(PanelConnectionError.is(timeout)).toBe(true);
    expect(PanelTimeoutError.is(timeout)).toBe(true);
    expect(PanelRateLimitError.is(timeout)).toBe(false);
    expect(timeout).toMatchObject({ name: 'PanelTimeoutError', code: 'PANEL_TIMEOUT', retryable: true });
  });

  it('works across copies of the package, where instanceof cannot', () => {
    const original = new ConflictError('dup');
    const foreign = Object.assign(Object.create(Error.prototype) as object, { message: 'dup', code: 'CONFLICT' });
    for (const symbol of Object.getOwnPropertySymbols(original)) {
      Object.defineProperty(foreign, symbol, { value: (original as unknown as Record<symbol, unknown>)[symbol] });
    }
    expect(foreign instanceof ConflictError).toBe(false);
    expect(ConflictError.is(foreign)).toBe(true);
    expect(PanelError.is(foreign)).toBe(false);
    expect(PanelkitError.is({ code: 'CONFLICT' })).toBe(false);
  });

  it('serialises safely: no stack, no foreign cause, nested panelkit causes kept', () => {
    const secretCause = new Error('password=hunter2');
    const inner = new PanelRateLimitError('slow down', { panelKind: '3x-ui', retryAfterMs: 2000 }, { cause: secretCause });
    const outer = new InternalError('wrapped', { cause: inner });
    const json = JSON.parse(JSON.stringify(outer));
    expect(json).toEqual({
      name: 'InternalError',
      code: 'INTERNAL',
      message: 'wrapped',
      retryable: false,
      cause: expect.objectContaining({
        name: 'PanelRateLimitError',
        code: 'PANEL_RATE_LIMITED',
        retryable: true,
        details: expect.objectContaining({ retryAfterMs: 2000 }),
      }),
    });
    expect(JSON.stringify(outer)).not.toContain('hunter2');
  });

  it('normalises unknown throwables without repeating their message', () => {
    const error = toPanelkitError(new TypeError('token=abc'));
    expect(error).toMatchObject({ code: 'INTERNAL', message: 'unexpected TypeError' });
    expect(toPanelkitError(error)).toBe(error);
  });
});

describe('PanelkitEventBus', () => {
  const order = { at: new Date(), order: {} as never };

  it('runs every listener even when one throws, and reports the failure on `error`', () => {
    const bus = new PanelkitEventBus();
    const second = vi.fn();
    const errors: unknown[] = [];
    bus.on('error', (e) => void errors.push(e));
    bus.on('order:placed', () => {
      throw new Error('listener bug');
    });
    bus.on('order:placed', second);
    expect(() => bus.emit('order:placed', order)).not.toThrow();
    expect(second).toHaveBeenCalledOnce();
    expect(errors).toHaveLength(1);
  });

  it('catches rejected async listeners', async () => {
    const bus = new PanelkitEventBus();
    const errors: unknown[] = [];
    bus.on('error', (e) => void errors.push(e));
    bus.on('order:placed', async () => {
      throw new Error('async bug');
    });
    bus.emit('order:placed', order);
    await new Promise((r) => setTimeout(r, 0));
    expect(errors).toHaveLength(1);
  });

  it('logs when nobody listens for errors', () => {
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn(), child: vi.fn() };
    const bus = new PanelkitEventBus(logger);
    bus.on('order:placed', () => {
      throw new Error('x');
    });
    bus.emit('order:placed', order);
    expect(logger.error).toHaveBeenCalledOnce();
  });

  it('once listeners run once; off and the returned unsubscribe remove listeners', () => {
    const bus = new PanelkitEventBus();
    const once = vi.fn();
    const on = vi.fn();
    bus.once('order:placed', once);
    const unsubscribe = bus.on('order:placed', on);
    bus.emit('order:placed', order);
    bus.emit('order:placed', order);
    unsubscribe();
    bus.emit('order:placed', order);
    expect(once).toHaveBeenCalledOnce();
    expect(on).toHaveBeenCalledTimes(2);
    expect(bus.listenerCount('order:placed')).toBe(0);
  });
});
