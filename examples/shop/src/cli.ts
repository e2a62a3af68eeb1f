/**
 * The production image's entry point: `<image> <command> [arguments]` runs one of the shop's processes or
 * commands, so one image serves every role of the compose file (deploy/compose.yaml) and of the systemd units:
 * - `web`: the web server (`npm start`); `worker`: the job worker and scheduler (`npm run worker`);
 * - `migrate`: migrates the database and exits (the compose file's one-shot service the others wait for);
 * - `backup [folder]`, `restore <file>`: `npm run backup -- export|restore`;
 * - `secrets …`, `import …`: `npm run secrets`, `npm run import`;
 * - `init …`: writes a new `.env` (see `init-command.ts`).
 * The image runs the JavaScript compiled beside each source (`scripts/compile-shop.mjs`); a checkout runs the
 * TypeScript through tsx. Each command's module is the one of this file's own kind.
 */
const COMMANDS: Record<string, { module: string; args?: (rest: string[]) => string[] }> = {
  web: { module: './main' },
  worker: { module: './worker' },
  migrate: { module: './migrate-command' },
  backup: { module: './backup-command', args: (rest) => ['export', ...rest] },
  restore: { module: './backup-command', args: (rest) => ['restore', ...rest] },
  secrets: { module: './secrets-command' },
  import: { module: './import-command' },
  init: { module: './init-command' },
};

const [name = 'web', ...rest] = process.argv.slice(2);
const command = COMMANDS[name];
if (command === undefined) {
  console.error(`usage: <image> ${Object.keys(COMMANDS).join(' | ')} [arguments]`);
  process.exit(2);
}
// The command modules read their arguments from process.argv, as they do under `npm run`.
const entry = `${command.module}${import.meta.url.endsWith('.js') ? '.js' : '.ts'}`;
process.argv = [process.argv[0] as string, new URL(entry, import.meta.url).pathname, ...(command.args?.(rest) ?? rest)];
await import(entry);
