#!/usr/bin/env bash
# Builds the shop's production image (deploy/Dockerfile) where builds cannot reach the npm registry: the
# workspace packages are built and the shop's production tree is assembled here (`pnpm deploy --prod`, from
# this machine's pnpm store and npm configuration), then copied into the image (SHOP_TREE=prebuilt).
# usage: scripts/build-shop-image.sh <tag> [more podman/docker build arguments, e.g. --build-arg NODE_IMAGE=…]
# BUILDER=docker uses docker instead of podman.
set -euo pipefail
cd "$(dirname "$0")/.."
tag="${1:?usage: scripts/build-shop-image.sh <tag> [build arguments]}"; shift
pnpm() { npx --yes pnpm@10.34.9 "$@"; }
pnpm -r --filter './packages/*' run build >/tmp/panelkit-image-build.log 2>&1 || { tail -30 /tmp/panelkit-image-build.log; exit 1; }
rm -rf .deploy-tree
pnpm --filter @panelkit/example-shop deploy --prod --legacy --prefer-offline .deploy-tree >>/tmp/panelkit-image-build.log 2>&1 \
  || { tail -30 /tmp/panelkit-image-build.log; exit 1; }
node scripts/compile-shop.mjs .deploy-tree >>/tmp/panelkit-image-build.log 2>&1 || { tail -30 /tmp/panelkit-image-build.log; exit 1; }
version="$(node -p "require('./packages/sdk/package.json').version")"
# With podman: Docker's format (OCI images drop HEALTHCHECK), and no intermediate stage images left behind.
format=(); [ "${BUILDER:-podman}" = podman ] && format=(--format docker --layers=false)
"${BUILDER:-podman}" build "${format[@]}" -f deploy/Dockerfile -t "$tag" --build-arg SHOP_TREE=prebuilt \
  --build-arg VERSION="$version" --build-arg REVISION="$(git rev-parse --short HEAD)" "$@" .
rm -rf .deploy-tree
