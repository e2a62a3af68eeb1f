import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logging/logger.js';
import { requestLog } from '../src/logging/request-log.js';

/** A line of the request log, as far as these tests read it. */
interface LogLine {
  level: number;
  msg: string;
  req?: { url?: string };
  res?: { statusCode?: number };
  responseTime?: unknown;
}

/** The lines a small app writes for GET /ok (200), /s/<token> (500), /boom (a thrown error) and /healthz, at `level`. */
async function linesAt(level: 'info' | 'error'): Promise<LogLine[]> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const app = express();
  app.use(requestLog(createLogger(level, sink).child({ component: 'http' })));
  app.get('/ok', (_req, res) => void res.send('ok'));
  app.get('/s/:token', (_req, res) => void res.status(500).send('no'));
  app.get('/boom', () => {
    throw new Error('boom');
  });
  app.get('/healthz', (_req, res) => void res.status(500).send('down'));
  app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => void res.status(500).end());
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    for (const path of ['/ok', '/s/SECRET-TOKEN', '/boom', '/healthz'])
      await (await fetch(`http://127.0.0.1:${port}${path}`, { headers: { cookie: 'pk_session=SECRET-COOKIE' } })).text();
    await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    server.close();
  }
  return lines.map((line) => JSON.parse(line) as LogLine);
}

const summary = (line: LogLine) => [line.level, line.msg, line.req?.url, line.res?.statusCode];

describe('the request log', () => {
  it('at info writes every request but the probes, the link token left out', async () => {
    expect((await linesAt('info')).map(summary)).toEqual([
      [30, 'request completed', '/ok', 200],
      [50, 'request errored', '/s/[redacted]', 500],
      [50, 'request errored', '/boom', 500],
    ]);
  });

  it('at error writes the same lines for the failed requests only, with their request and answer, secrets blanked', async () => {
    const lines = await linesAt('error');
    expect(lines.map(summary)).toEqual([
      [50, 'request errored', '/s/[redacted]', 500],
      [50, 'request errored', '/boom', 500],
    ]);
    expect(lines[0]).toMatchObject({ component: 'http', req: { method: 'GET' }, err: { message: 'failed with status code 500' } });
    expect(typeof lines[0]?.responseTime).toBe('number');
    expect(JSON.stringify(lines)).not.toMatch(/SECRET-TOKEN|SECRET-COOKIE/);
  });
});
