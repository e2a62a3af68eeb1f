#!/usr/bin/env node
/**
 * Every published package's `prepack`: refuses to pack under npm. A workspace manifest holds `workspace:` ranges and
 * the `@panelkit/source` export condition, which only pnpm rewrites when it packs (`publishConfig.exports`, the
 * ranges as versions); npm would pack them as they are, into a tarball npm cannot install. `pnpm pack` and
 * `pnpm publish` (which `changeset publish` runs) pack under pnpm and pass.
 */
const agent = process.env['npm_config_user_agent'] ?? '';
if (!agent.startsWith('pnpm/')) {
  console.error(
    `${process.env['npm_package_name'] ?? 'this package'}: pack it with pnpm, not ${agent.split(' ')[0] || 'this tool'}: ` +
      'npm would keep the workspace: ranges and the @panelkit/source export condition, and the tarball would not install. ' +
      'Use `npx --yes pnpm@10.34.9 pack` (or the release, `pnpm run release`; CONTRIBUTING.md, How a release is cut).',
  );
  process.exit(1);
}
