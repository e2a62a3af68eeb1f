import { Agent, request } from 'node:http';

/**
 * Telegram's side of the webhook, as cheap as the bench can make it: a kept-alive connection per request in flight, its
 * idle sockets closed after 4 s (before the shop's server closes them at 5 s: a post on a socket being closed would
 * fail and be delivered again). The global `fetch` cost the bench process a third of its CPU in a rush (undici and its
 * web streams), CPU the replicas under test then did not have; Telegram's own costs are not on the shop's machine.
 */
const agent = new Agent({ keepAlive: true, timeout: 4_000 });

/** POSTs `body` (JSON) to `url` with `headers`; resolves to the answer's status once its body is read, 0 when the connection failed. */
export function postUpdate(url: string, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.on('error', () => resolve(0));
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.resume();
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}
