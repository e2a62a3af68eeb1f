import { describe, expect, it } from 'vitest';
import { ManualClock } from '@panelkit/sdk/testing';
import type { StorageRepositories } from '@panelkit/sdk/storage';
import { createRepositories } from '../src/repositories.js';
import type { Runner } from '../src/internal/runner.js';

const runner: Runner = { run: () => Promise.reject(new Error('no statement is sent in this test')) };
const context = {
  runner,
  schema: '"made_when_read"',
  clock: new ManualClock(new Date('2026-01-01T00:00:00Z')),
  leaseClock: 'database' as const,
};

/** Whether `name` holds a repository already (a data property), not one still to be made (an accessor). */
const made = (repositories: StorageRepositories, name: keyof StorageRepositories) =>
  'value' in Object.getOwnPropertyDescriptor(repositories, name)!;

describe('createRepositories (a storage transaction: each repository made when first read)', () => {
  it('makes none up front, then one when it is read, and keeps it', () => {
    const repositories = createRepositories(context);
    const names = Object.keys(repositories) as (keyof StorageRepositories)[];
    expect(names).toContain('jobs');
    expect(names.length).toBeGreaterThan(20);
    expect(names.filter((name) => made(repositories, name))).toEqual([]);
    const jobs = repositories.jobs;
    expect(typeof jobs.claim).toBe('function');
    expect(repositories.jobs).toBe(jobs);
    expect(names.filter((name) => made(repositories, name))).toEqual(['jobs']);
  });

  it('reads as a plain object of repositories: spread, listed, replaced', () => {
    const repositories = createRepositories(context);
    const copy = { ...repositories };
    for (const name of Object.keys(repositories) as (keyof StorageRepositories)[]) {
      expect(typeof copy[name]).toBe('object');
      expect(copy[name]).toBe(repositories[name]);
    }
    const orders = { ...repositories.orders };
    // Typed read-only, but a plain object's property could be replaced (a test's stand-in): so can these.
    (repositories as { orders: unknown }).orders = orders;
    expect(repositories.orders).toBe(orders);
    const fresh = createRepositories(context);
    const audit = { ...repositories.audit };
    (fresh as { audit: unknown }).audit = audit;
    expect(fresh.audit).toBe(audit);
  });

  it('gives each transaction its own repositories', () => {
    const a = createRepositories(context);
    const b = createRepositories(context);
    expect(a.jobs).not.toBe(b.jobs);
  });
});
