/**
 * The feed's link files (`createConfigFilesHandler`) served over HTTP on 127.0.0.1, routed as a host routes them:
 * `/s/<token>/config/<file>` and `/s/<token>/configs.zip`, anything else 404. A test fetches a buyer's `.conf` from it
 * as the buyer's browser would.
 */
import type { Panelkit } from '@panelkit/sdk';
import { serveOnLocalhost, type RunningSimulator } from '@panelkit/panel-adapters/testing';
// The integration tests do not depend on the feed package; its source is read as kinds.ts reads a simulator's.
import { createConfigFilesHandler } from '../../../../packages/subscription-feed/src/index.js';

const FILE_PATH = /^\/s\/([^/]+)\/(config\/[^/]+|configs\.zip)$/;

/** Serves `kit`'s link files; `close()` the answer when done. */
export function serveConfigFiles(kit: Panelkit): Promise<RunningSimulator> {
  const files = createConfigFilesHandler({ kit });
  return serveOnLocalhost(async (request) => {
    const route = FILE_PATH.exec(new URL(request.url).pathname);
    if (route === null) return new Response('Not Found', { status: 404 });
    const answer = await files({
      token: decodeURIComponent(route[1]!),
      method: request.method,
      headers: request.headers,
      file: decodeURIComponent(route[2]!),
    });
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  });
}
