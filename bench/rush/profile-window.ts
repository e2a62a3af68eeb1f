/**
 * The CPU of bench/rush's lone buyers in a replica's `node --cpu-prof` profile (`main.ts --profile DIR`), in the
 * source or the compiled shop: only the samples inside the windows main.ts prints ("profile windows…": the lone
 * buyers' /starts and purchases after the warm-up), each given to a layer by its own frame's script, or, for Node's
 * own JavaScript and nameless natives (`JSON.parse`, a socket write), to the nearest caller that has one. Prints ms a
 * lone buyer by layer and the functions with the most self time. (Which step a sample served is not told: after an
 * `await` a stack starts at the microtask queue; `step-cpu.ts` splits the CPU by step.)
 *
 *   node --import tsx bench/rush/profile-window.ts --windows "A-B C-D" --buyers 20 [--top 15] [--cap 3] DIR/CPU.*.cpuprofile
 *
 * A sample stands for the gap to the next one. On a busy machine the profiler's thread is sometimes descheduled, and
 * the next sample comes milliseconds late: that gap was not the sampled function's CPU, and weighed in full it makes
 * whatever function was on top look hot (one sample of 6 ms at load 16). So a gap counts at most `--cap` times the
 * profile's median gap (default 3; 0: uncapped), and the time left out is printed.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const PNPM = '/node_modules/\\.pnpm/';
const pkgs = (names: string) => new RegExp(`${PNPM}(${names})@`);
/** Layers by a frame's script (first match wins); `src` or `dist`, so the source and compiled shops read alike. */
const BY_URL: Array<[string, RegExp]> = [
  ['pg driver (pg, pg-protocol, pg-pool, pg-types)', pkgs('pg|pg-protocol|pg-pool|pg-types|pg-cloudflare|pgpass|postgres-[a-z]+')],
  ['storage-postgres', /\/packages\/storage-postgres\/(src|dist)\//],
  ['sdk: worker, queue, scheduler', /\/packages\/sdk\/src\/(scheduler|jobs|worker|queue)/],
  ['sdk', /\/packages\/sdk\/(src|dist)\//],
  ['panel adapters', /\/packages\/panel-adapters\/(src|dist)\//],
  ['subscription-feed', /\/packages\/subscription-feed\/(src|dist)\//],
  ['grammY', pkgs('grammy|@grammyjs\\+[a-z-]+')],
  [
    'Express and its middleware',
    pkgs(
      'express|express-rate-limit|router|body-parser|raw-body|iconv-lite|qs|on-finished|finalhandler|send|serve-static|type-is|content-type|accepts|negotiator|cookie|cookie-parser|cookie-signature|helmet|depd|debug|ms|mime-types|mime-db|path-to-regexp|http-errors|statuses|parseurl|encodeurl|etag|fresh|vary|proxy-addr|forwarded|ipaddr\\.js|media-typer|content-disposition|range-parser|side-channel[a-z-]*|call-bound|get-intrinsic|es-[a-z-]+|has-symbols|hasown|function-bind|dunder-proto|math-intrinsics|gopd|object-inspect',
    ),
  ],
  ['node:http', /^node:(_http_[a-z]+|http)$/],
  [
    'logging (pino, pino-http)',
    pkgs(
      'pino|pino-http|pino-std-serializers|sonic-boom|thread-stream|fast-redact|@pinojs\\+redact|quick-format-unescaped|safe-stable-stringify|atomic-sleep|on-exit-leak-free|process-warning',
    ),
  ],
  ['logging (shop: redaction, child loggers)', /\/examples\/shop\/src\/logging\//],
  ['zod', pkgs('zod')],
  ['i18n (shop)', /\/examples\/shop\/src\/i18n\//],
  ['shop: telegram (bot, webhook intake, screens)', /\/examples\/shop\/src\/telegram\//],
  ['shop: the rest', /\/examples\/shop\/src\//],
  ['bench replica hooks', /\/bench\/rush\//],
  ['tsx loader', pkgs('tsx|esbuild|get-tsconfig')],
];
/** Natives named for what they do. */
const BY_NAME: Array<[string, RegExp]> = [
  ['socket writes (kernel)', /^(writev|writeBuffer|write[A-Za-z0-9]*String)$/],
  ['garbage collector', /^\(garbage collector\)$/],
  ['(program): V8 and native, unattributed', /^\(program\)$/],
  ['(idle)', /^\(idle\)$/],
];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    windows: { type: 'string' },
    buyers: { type: 'string' },
    top: { type: 'string', default: '15' },
    cap: { type: 'string', default: '3' },
  },
});
if (values.windows === undefined || values.buyers === undefined || positionals.length === 0)
  throw new Error('usage: profile-window.ts --windows "A-B C-D" --buyers N FILE.cpuprofile…');
const windows = values.windows.split(/\s+/).map((w) => w.split('-').map(Number) as [number, number]);
const buyers = Number(values.buyers);
const inWindow = (t: number) => windows.some(([from, to]) => t >= from && t <= to);

const layers = new Map<string, number>();
const selfTime = new Map<string, number>();
/** Self time of the frames no known layer claims, by frame. */
const internals = new Map<string, number>();
let total = 0;
/** Time in the windows past the cap (the sampler descheduled), and the samples it was in. */
let leftOut = 0;
let lateSamples = 0;
const add = (map: Map<string, number>, key: string, ms: number) => map.set(key, (map.get(key) ?? 0) + ms);

for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const gaps = profile.timeDeltas.filter((d) => d > 0).sort((a, b) => a - b);
  const capUs = Number(values.cap) > 0 ? Number(values.cap) * (gaps[gaps.length >> 1] ?? 0) : Number.POSITIVE_INFINITY;
  const layerCache = new Map<number, string>();
  const layerOf = (id: number): string => {
    const cached = layerCache.get(id);
    if (cached !== undefined) return cached;
    const { functionName, url } = byId.get(id)!.callFrame;
    let layer = BY_NAME.find(([, re]) => re.test(functionName))?.[0];
    // A socket write is told apart by who wrote: the pg driver, or the HTTP side (answers, Bot API and panel calls).
    if (layer?.startsWith('socket') === true) {
      const up = parent.get(id);
      const caller = up === undefined ? '?' : layerOf(up);
      layer = caller.startsWith('socket') ? caller : `${layer}, for: ${caller}`;
    }
    layer ??= BY_URL.find(([, re]) => re.test(url))?.[0];
    if (layer === undefined && /\/node_modules\//.test(url)) layer = `other package: ${/\.pnpm\/([^/]+)@/.exec(url)?.[1] ?? url}`;
    if (layer === undefined) {
      const up = parent.get(id);
      layer = up === undefined ? 'Node internals (no caller of a known layer)' : layerOf(up);
    }
    layerCache.set(id, layer);
    return layer;
  };
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i] ?? 0;
    // A sample's time is the gap to the next one (V8 stamps each at its end of the interval it stands for).
    const gapUs = profile.timeDeltas[i + 1] ?? 0;
    if (!inWindow(t)) return;
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') return;
    const ms = Math.min(gapUs, capUs) / 1000;
    if (gapUs > capUs) {
      leftOut += (gapUs - capUs) / 1000;
      lateSamples++;
    }
    total += ms;
    const layer = layerOf(id);
    add(layers, layer, ms);
    if (layer.startsWith('Node internals')) add(internals, `${functionName || '(anonymous)'} ${url}`, ms);
    add(
      selfTime,
      `${functionName || '(anonymous)'}  ${url.replace(/^.*node_modules\/\.pnpm\//, '').replace(/^.*\/(packages|examples)\//, '$1/')}:${lineNumber + 1}`,
      ms,
    );
  });
}

const row = (ms: number, label: string) =>
  `  ${(ms / buyers).toFixed(2).padStart(7)} ms  ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${label}`;
console.log(
  `${positionals.length} profile(s), ${windows.length} window(s): ${(total / buyers).toFixed(2)} ms busy a lone buyer (main thread, idle left out), ${buyers} buyers`,
);
if (lateSamples > 0)
  console.log(
    `  (left out: ${(leftOut / buyers).toFixed(2)} ms a lone buyer over ${lateSamples} samples that came more than --cap ${values.cap} median gaps late)`,
  );
console.log('by layer (self time; Node internals and nameless natives to their caller):');
for (const [layer, ms] of [...layers].sort((a, b) => b[1] - a[1])) console.log(row(ms, layer));
console.log('Node internals with no caller of a known layer (self time, the top 10):');
for (const [frame, ms] of [...internals].sort((a, b) => b[1] - a[1]).slice(0, 10)) console.log(row(ms, frame));
console.log(`top ${values.top} functions (self time):`);
for (const [fn, ms] of [...selfTime].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) console.log(row(ms, fn.slice(0, 160)));
