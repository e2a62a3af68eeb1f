/**
 * The floor of bench/scale/adapter-call-cpu: a bare Node HTTP server in its own OS process (so its CPU is not
 * the caller's), on 127.0.0.1 with keep-alive. Every request's body is read and dropped; the answer is JSON of
 * `?bytes=N` bytes (at least `{}`). Prints one JSON line with its origin.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** JSON of exactly `bytes` bytes (2 at least): `{"p":"xxx…"}`. */
function body(bytes: number): Buffer {
  if (bytes <= 8) return Buffer.from('{}');
  return Buffer.from(`{"p":"${'x'.repeat(bytes - 8)}"}`);
}

const bodies = new Map<number, Buffer>();
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const bytes = Number(new URL(req.url ?? '/', 'http://floor').searchParams.get('bytes') ?? 2);
    let payload = bodies.get(bytes);
    if (payload === undefined) bodies.set(bytes, (payload = body(bytes)));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': payload.length });
    res.end(payload);
  });
});
server.keepAliveTimeout = 5_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ origin: `http://127.0.0.1:${port}` })}\n`);
});
process.on('disconnect', () => process.exit(0));
