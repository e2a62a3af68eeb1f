/**
 * Bytes this process sent and read over every socket undici opened (HTTP headers included), seen through undici's
 * `undici:client:sendHeaders` diagnostics channel: cheap enough to leave on while CPU is measured.
 */
import { subscribe } from 'node:diagnostics_channel';

interface Counted {
  bytesWritten: number;
  bytesRead: number;
}

const sockets = new Set<Counted>();
subscribe('undici:client:sendHeaders', (message) => {
  const socket = (message as { socket?: Counted }).socket;
  if (socket !== undefined) sockets.add(socket);
});

/** Bytes written and read so far over undici's sockets (closed ones included). */
export function socketBytes(): { out: number; in: number } {
  let out = 0;
  let read = 0;
  for (const socket of sockets) {
    out += socket.bytesWritten;
    read += socket.bytesRead;
  }
  return { out, in: read };
}
