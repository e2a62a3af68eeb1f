import { describe, expect, it } from 'vitest';
import { Mutex } from '../src/storage.js';

describe('Mutex', () => {
  it('runs calls one at a time, in call order, each after the previous one settled', async () => {
    const mutex = new Mutex();
    const log: string[] = [];
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const first = mutex.run(async () => {
      log.push('first:start');
      await gate;
      log.push('first:end');
      return 1;
    });
    const second = mutex.run(() => {
      log.push('second');
      return 2;
    });
    await Promise.resolve();
    await Promise.resolve();
    expect(log).toEqual(['first:start']);
    open();
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(log).toEqual(['first:start', 'first:end', 'second']);
  });

  it('releases the lock when a call throws, and rejects that call with its error', async () => {
    const mutex = new Mutex();
    const failed = mutex.run(() => {
      throw new Error('boom');
    });
    const next = mutex.run(() => 'ran');
    await expect(failed).rejects.toThrow('boom');
    expect(await next).toBe('ran');
  });
});
