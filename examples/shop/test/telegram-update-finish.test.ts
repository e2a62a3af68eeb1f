import { ManualClock } from '@panelkit/sdk/testing';
import type { SqlClient } from '@panelkit/storage-postgres';
import { describe, expect, it } from 'vitest';
import { TelegramUpdateLog } from '../src/db/telegram-updates.js';
import { TEST_START } from './support/shop-under-test.js';

/** An update log on a database that claims every update and records what it is sent. */
function logOnRecordingDb() {
  const sent: Array<{ text: string; params: unknown[] }> = [];
  const db = {
    query: async (text: string, params: unknown[] = []) => {
      sent.push({ text, params });
      return { rows: text.trimStart().startsWith('WITH reachable') ? [{ claimed: true }] : [], rowCount: 1 };
    },
  } as unknown as SqlClient;
  const finishes = () => sent.filter((s) => s.text.startsWith('UPDATE')).map((s) => s.params[0]);
  /** The update ids each claim's statement finished, claim by claim. */
  const ridden = () => sent.filter((s) => s.text.trimStart().startsWith('WITH reachable')).map((s) => s.params[5]);
  return { log: new TelegramUpdateLog(db, 'shop', new ManualClock(TEST_START)), finishes, ridden };
}

describe("a handled update's finish", () => {
  it('is written at once when no other update is open in the process', async () => {
    const { log, finishes } = logOnRecordingDb();
    await log.claimReadingLink(1, '10', '10');
    const finished = log.finish(1);
    expect(finishes()).toEqual([[1]]);
    await finished;
  });

  it('waits for the updates handled at the same time: the last one writes them all in one statement', async () => {
    const { log, finishes } = logOnRecordingDb();
    for (const id of [1, 2, 3]) await log.claimReadingLink(id, '10', '10');
    const first = log.finish(2);
    const second = log.finish(1);
    expect(finishes()).toEqual([]);
    await log.finish(3);
    await Promise.all([first, second]);
    expect(finishes()).toEqual([[2, 1, 3]]);
  });

  it('waits a few milliseconds at most for one still open, and a given-back update lets the others go', async () => {
    const { log, finishes } = logOnRecordingDb();
    for (const id of [1, 2, 3]) await log.claimReadingLink(id, '10', '10');
    await log.finish(1);
    expect(finishes()).toEqual([[1]]);
    const second = log.finish(2);
    await log.release(3);
    await second;
    expect(finishes()).toEqual([[1], [2]]);
  });

  it('rides on the next claim while it waits for the others: no statement of its own', async () => {
    const { log, finishes, ridden } = logOnRecordingDb();
    for (const id of [1, 2]) await log.claimReadingLink(id, '10', '10');
    const first = log.finish(1);
    await log.claimReadingLink(3, '10', '10');
    await first;
    expect(ridden()).toEqual([[], [], [1]]);
    await Promise.all([log.finish(2), log.finish(3)]);
    expect(finishes()).toEqual([[2, 3]]);
  });

  it('stays out of a claim of its own update (a redelivery while it finishes), which cannot write the row twice', async () => {
    const { log, finishes, ridden } = logOnRecordingDb();
    for (const id of [1, 2]) await log.claimReadingLink(id, '10', '10');
    const first = log.finish(1);
    await log.claimReadingLink(1, '10', '10');
    expect(ridden()).toEqual([[], [], []]);
    await first;
    expect(finishes()).toEqual([[1]]);
  });
});
