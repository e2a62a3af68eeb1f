import { AsyncLocalStorage } from 'node:async_hooks';
import { gzipSync } from 'node:zlib';
import express, { type NextFunction, type Request, type Response } from 'express';
import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { ShopError } from '../src/app/shop-error.js';
import { httpStatusOf } from '../src/http/status.js';
import { webhookJsonBody } from '../src/telegram/webhook-body.js';

/** An app that answers the body the reader gave, or the status of its refusal, as the shop's error handler does. */
function echo(limit?: number) {
  return express()
    .post('/', webhookJsonBody(limit), (req: Request, res: Response) => void res.json({ body: req.body as unknown }))
    .use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
      res.status(error instanceof ShopError ? httpStatusOf(error.code) : 500).json({ code: (error as ShopError).code });
    });
}

describe("the webhook's body reader", () => {
  it('reads a JSON body in one or many chunks, a UTF-8 charset and a byte order mark', async () => {
    const update = { update_id: 1, message: { text: 'سلام 👋'.repeat(2_000) } };
    for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON;charset="UTF-8"']) {
      const res = await supertest(echo()).post('/').set('content-type', type).send(JSON.stringify(update));
      expect(res.status, type).toBe(200);
      expect(res.body).toEqual({ body: update });
    }
    const bom = await supertest(echo())
      .post('/')
      .set('content-type', 'application/json')
      .send(`\uFEFF${JSON.stringify(update)}`);
    expect(bom.body).toEqual({ body: update });
  });

  it('refuses what is no JSON 400, past the limit 413, another charset or a compressed body 415', async () => {
    const cases: Array<{ type?: string; body: string | Buffer; encoding?: string; limit?: number; status: number }> = [
      { type: 'application/x-www-form-urlencoded', body: 'update_id=7', status: 400 },
      { type: 'text/plain', body: '{"update_id":7}', status: 400 },
      { body: '{"update_id":7}', status: 400 },
      { type: 'application/json', body: 'not json', status: 400 },
      { type: 'application/json', body: '', status: 400 },
      { type: 'application/json', body: JSON.stringify({ text: 'x'.repeat(200) }), limit: 100, status: 413 },
      { type: 'application/json; charset=latin1', body: '{"update_id":7}', status: 415 },
      { type: 'application/json', body: gzipSync('{"update_id":7}'), encoding: 'gzip', status: 415 },
    ];
    for (const c of cases) {
      let asked = supertest(echo(c.limit)).post('/');
      if (c.type !== undefined) asked = asked.set('content-type', c.type);
      if (c.encoding !== undefined) asked = asked.set('content-encoding', c.encoding);
      const res = await asked.send(c.body);
      expect(res.status, `${c.type} ${String(c.body).slice(0, 20)}`).toBe(c.status);
    }
  });

  it('stops reading a body that outgrows the limit without a length given beforehand', async () => {
    const app = echo(1000);
    const res = await new Promise<number>((resolve, reject) => {
      const server = app.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        void fetch(`http://127.0.0.1:${port}/`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          // A stream: sent chunked, with no Content-Length.
          body: new ReadableStream({
            start(controller) {
              for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode(`"${'x'.repeat(200)}",`));
              controller.close();
            },
          }),
          duplex: 'half',
        } as RequestInit).then(
          (answer) => {
            server.close();
            resolve(answer.status);
          },
          (error: unknown) => {
            server.close();
            reject(error as Error);
          },
        );
      });
    });
    expect(res).toBe(413);
  });

  it("goes on in the request's async context, not the socket's (a store set before it is there after it)", async () => {
    const store = new AsyncLocalStorage<string>();
    const app = express()
      .use((req: Request, _res: Response, next: NextFunction) => store.run(`request ${req.headers['x-n']}`, next))
      .post('/', webhookJsonBody(), (_req: Request, res: Response) => void res.json({ store: store.getStore() ?? null }));
    for (const n of ['1', '2']) {
      const res = await supertest(app).post('/').set('content-type', 'application/json').set('x-n', n).send('{"update_id":1}');
      expect(res.body).toEqual({ store: `request ${n}` });
    }
  });
});
