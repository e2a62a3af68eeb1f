/**
 * The CPU of a bench/rush replica (a `node --cpu-prof` profile: `main.ts --profile DIR`) by layer: each sample goes
 * to its own frame's layer, or, for Node's own JavaScript (`node:` frames) and nameless natives, to the nearest caller
 * that has one; the kernel's socket writes, the garbage collector and idle time are told apart by their frame names.
 *
 *   node --import tsx bench/rush/profile-layers.ts DIR/CPU.*.cpuprofile
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Layers by a frame's script (first match wins). */
const BY_URL: Array<[string, RegExp]> = [
  ['pg driver (pg, pg-protocol, pg-pool, pg-types)', /\/node_modules\/\.pnpm\/(pg|pg-protocol|pg-pool|pg-types|pgpass|postgres-[a-z]+)@/],
  ['storage (storage-postgres)', /\/packages\/storage-postgres\/src\//],
  ['engine (sdk)', /\/packages\/sdk\/src\//],
  ['bot framework (grammy)', /\/node_modules\/\.pnpm\/(grammy|@grammyjs\+[a-z-]+)@/],
  [
    'HTTP and webhook parsing (express, body-parser, node:http)',
    /\/node_modules\/\.pnpm\/(express|body-parser|raw-body|router|iconv-lite|qs|on-finished|finalhandler|send|type-is|content-type|accepts|negotiator|cookie)@|^node:_http_|^node:http$/,
  ],
  [
    'logging (pino)',
    /\/node_modules\/\.pnpm\/(pino|pino-std-serializers|sonic-boom|thread-stream|fast-redact|quick-format-unescaped|safe-stable-stringify)@/,
  ],
  ['validation (zod)', /\/node_modules\/\.pnpm\/zod@/],
  ['shop: webhook intake and once-only', /\/examples\/shop\/src\/telegram\/(update-intake|update-once|update-effects|webhook)\.ts/],
  ['shop: reads, use cases, renders', /\/examples\/shop\/src\//],
  ['panel adapters', /\/packages\/panel-adapters\/src\//],
  ['tsx loader (source compiled at start)', /\/node_modules\/\.pnpm\/(tsx|esbuild|get-tsconfig)@/],
  ['other packages', /\/node_modules\//],
];

/** Natives named for what they do. */
const BY_NAME: Array<[string, RegExp]> = [
  ['kernel: socket writes (writev, writeBuffer, writeString)', /^(writev|writeBuffer|write[A-Za-z0-9]*String|writeLatin1String)$/],
  ['garbage collector', /^\(garbage collector\)$/],
  ['idle', /^\(idle\)$/],
  ['(program): native, unattributed', /^\(program\)$/],
];

const file = process.argv[2];
if (file === undefined) throw new Error('usage: profile-layers.ts FILE.cpuprofile');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const layerCache = new Map<number, string>();
function layerOf(id: number): string {
  const cached = layerCache.get(id);
  if (cached !== undefined) return cached;
  const { functionName, url } = byId.get(id)!.callFrame;
  let layer: string | undefined = BY_NAME.find(([, re]) => re.test(functionName))?.[0];
  // A socket write is told apart by who wrote: the pg driver, or the HTTP side (answers, Bot API calls).
  if (layer?.startsWith('kernel') === true) {
    const up = parent.get(id);
    const caller = up === undefined ? '?' : layerOf(up);
    layer = caller.startsWith('kernel') ? caller : `${layer}, for: ${caller}`;
  }
  layer ??= BY_URL.find(([, re]) => re.test(url))?.[0];
  if (layer === undefined) {
    const up = parent.get(id);
    layer = up === undefined ? 'Node internals (no caller of a known layer)' : layerOf(up);
  }
  layerCache.set(id, layer);
  return layer;
}

const ms = new Map<string, number>();
/** Self time by frame, of the frames no known layer claims (BENCH_DEBUG=1 lists them). */
const unclaimed = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = (profile.timeDeltas[i] ?? 0) / 1000;
  const layer = layerOf(id);
  ms.set(layer, (ms.get(layer) ?? 0) + dt);
  if (layer.startsWith('Node internals') || layer === 'other packages') {
    const { functionName, url } = byId.get(id)!.callFrame;
    const key = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\/\.pnpm\//, '')}`;
    unclaimed.set(key, (unclaimed.get(key) ?? 0) + dt);
  }
  if (layer !== 'idle') total += dt;
});
console.log(`${file}: ${(total / 1000).toFixed(1)} s busy (idle left out)`);
for (const [layer, t] of [...ms].sort((a, b) => b[1] - a[1])) {
  if (layer === 'idle') continue;
  console.log(`  ${(t / 1000).toFixed(2).padStart(7)} s  ${((100 * t) / total).toFixed(1).padStart(5)}%  ${layer}`);
}
if (process.env['BENCH_DEBUG'] !== undefined) {
  console.log('  unclaimed frames (self time):');
  for (const [frame, t] of [...unclaimed].sort((a, b) => b[1] - a[1]).slice(0, 25))
    console.log(`    ${(t / 1000).toFixed(2).padStart(6)} s  ${frame.slice(0, 150)}`);
}
