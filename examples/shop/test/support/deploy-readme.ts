import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './podman-stack.js';

/** Where the deployment is documented: the shop's README, section "Deploy". */
export const DEPLOY_README = join(ROOT, 'examples/shop/README.md');

/**
 * The commands of the README's code block marked `<!-- deploy:<name> -->`, one per line, as written (a list item's
 * indentation taken off). The container test runs these, so the README's commands are the ones tested.
 */
export function documentedBlock(name: string): string[] {
  const text = readFileSync(DEPLOY_README, 'utf8');
  const marker = `<!-- deploy:${name} -->`;
  const at = text.indexOf(marker);
  if (at === -1) throw new Error(`the README has no block ${marker}`);
  const fence = /^([ \t]*)```sh\n([\s\S]*?)^\1```/m.exec(text.slice(at + marker.length));
  if (fence === null) throw new Error(`no \`\`\`sh block after ${marker}`);
  const indent = fence[1] as string;
  return (fence[2] as string)
    .split('\n')
    .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
    .filter((line) => line.trim() !== '');
}

/** A documented line with its placeholders replaced, each `[written, used]` pair in turn (every occurrence). */
export function filledIn(line: string, replacements: Array<[string | RegExp, string]>): string {
  let out = line;
  for (const [written, used] of replacements)
    out = typeof written === 'string' ? out.split(written).join(used) : out.replace(written, used);
  return out;
}
