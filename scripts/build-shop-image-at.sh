#!/usr/bin/env bash
# Builds the shop's image as an earlier commit built it (that commit's own scripts/build-shop-image.sh and
# deploy/Dockerfile, on a clean checkout of it), for the deployment test's upgrade from a previous release. Only the
# packages' type declarations are left out (an image runs their JavaScript), and the tree is copied into the image
# once, not through a stage (the same image: see below).
# A tag that exists already is kept: it names the commit, so its content cannot have changed.
# usage: scripts/build-shop-image-at.sh <commit> <tag> [build arguments, e.g. --build-arg NODE_IMAGE=…]
set -euo pipefail
cd "$(dirname "$0")/.."
commit="${1:?usage: scripts/build-shop-image-at.sh <commit> <tag> [build arguments]}"
tag="${2:?usage: scripts/build-shop-image-at.sh <commit> <tag> [build arguments]}"
shift 2
if podman image exists "$tag"; then exit 0; fi
if ! git cat-file -e "$commit^{commit}" 2>/dev/null; then
  echo "build-shop-image-at: commit $commit is not in this clone (a shallow clone? fetch it: git fetch --unshallow)" >&2
  exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# A clone borrowing this repository's objects: nothing is written into this repository.
git clone -q --shared --no-checkout . "$work"
git -C "$work" checkout -q --detach "$commit"
# A package's build is `tsup && tsc -p tsconfig.build.json`; that tsc writes declarations only (emitDeclarationOnly),
# which nothing in the image reads, and was near half of the image's CPU (68 s -> 37 s on 2 cores).
sed -i 's/ && tsc -p tsconfig\.build\.json//' "$work"/packages/*/package.json
# The first releases' Dockerfile copied the assembled tree twice: into a stage (`COPY .deploy-tree/ /out/`, the
# `prebuilt` stage that `tree` names), then from it into the image (`COPY --from=tree /out/ /app/`). Copied straight
# from the build context the final layer is the same (the same files, owners and times: the same digest), without
# the stage's ~150 MB copy and commit, which nothing uses.
sed -i 's#^COPY --from=tree /out/ /app/$#COPY .deploy-tree/ /app/#' "$work/deploy/Dockerfile"
(cd "$work" && npx --yes pnpm@10.34.9 install --frozen-lockfile --prefer-offline >/tmp/panelkit-image-at.log 2>&1) \
  || { tail -30 /tmp/panelkit-image-at.log; exit 1; }
bash "$work/scripts/build-shop-image.sh" "$tag" "$@"
