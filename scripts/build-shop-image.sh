#!/usr/bin/env bash
# Builds the shop's production image (deploy/Dockerfile) where builds cannot reach the npm registry: the
# workspace packages are built and the shop's production tree is assembled here (`pnpm deploy --prod`, from
# this machine's pnpm store and npm configuration) and compiled to JavaScript (scripts/compile-shop.mjs), then
# copied into the image (the Dockerfile's `prebuilt` target). The tree is assembled in a build context of its own outside the
# repository, so nothing in the checkout changes while other work (tests) reads it.
# usage: scripts/build-shop-image.sh [<tag>] [more podman/docker build arguments, e.g. --build-arg NODE_IMAGE=…]
# The tag defaults to the release's: localhost/panelkit-shop:<the packages' version>. The image is labelled with that
# version and the commit (org.opencontainers.image.version, .revision), whatever the tag.
# BUILDER=docker uses docker instead of podman.
set -euo pipefail
cd "$(dirname "$0")/.."
version="$(node -p "require('./packages/sdk/package.json').version")"
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then tag="$1"; shift; else tag="localhost/panelkit-shop:$version"; fi
pnpm() { npx --yes pnpm@10.34.9 "$@"; }
log=/tmp/panelkit-image-build.log
: >"$log"
# The packages' dist is built again only when a source is newer than it (`npm test` has just built it: a rebuild
# would empty dist/ under the tests that read it).
stale=0
for pkg in packages/*/; do
  out="$pkg/dist/index.js"
  if [ ! -e "$out" ] || [ -n "$(find "$pkg/src" "$pkg/package.json" -newer "$out" -print -quit)" ]; then stale=1; fi
done
if [ "$stale" = 1 ]; then
  pnpm -r --filter './packages/*' run build >>"$log" 2>&1 || { tail -30 "$log"; exit 1; }
fi
context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT
# The deploy's two `--config` flags are the Dockerfile's (see there): no optional peer the shop does not use.
pnpm --filter @panelkit/example-shop deploy --prod --legacy --config.auto-install-peers=false \
  --config.resolve-peers-from-workspace-root=false --prefer-offline "$context/.deploy-tree" >>"$log" 2>&1 \
  || { tail -30 "$log"; exit 1; }
node scripts/compile-shop.mjs "$context/.deploy-tree" >>"$log" 2>&1 || { tail -30 "$log"; exit 1; }
mkdir -p "$context/deploy" && cp deploy/.env.example "$context/deploy/"
format=(); [ "${BUILDER:-podman}" = podman ] && format=(--format docker) # OCI images drop HEALTHCHECK
revision="$(bash scripts/shop-image-revision.sh)" # `unknown` outside a git checkout (a source archive)
# The build command the README and the Dockerfile's header give, then the `prebuilt` target, any extra arguments
# and the assembled context in place of `.`; printed first, so the deployment test can check it is that command.
build=("${BUILDER:-podman}" build "${format[@]}" -f deploy/Dockerfile -t "$tag" --build-arg VERSION="$version"
  --build-arg REVISION="$revision" --target prebuilt "$@" "$context")
echo "build command: ${build[*]}"
"${build[@]}"
echo "built $tag (version $version, commit $revision)"
# The tree's stage image is left untagged by the build: nothing uses it any more.
for stage in $("${BUILDER:-podman}" images -q --filter dangling=true --filter label=io.panelkit.build-stage); do
  "${BUILDER:-podman}" rmi "$stage" >/dev/null 2>&1 || true
done
