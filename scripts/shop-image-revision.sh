#!/usr/bin/env bash
# Prints the commit the shop's image is built from (git's short hash), or `unknown` when the tree is not the top of
# a git checkout (a source archive has no .git, or sits inside another repository): the image's revision label then
# says so, and the build goes on.
# usage: scripts/shop-image-revision.sh [<tree>]   (default: this repository's root)
set -uo pipefail
tree="$(cd "${1:-$(dirname "$0")/..}" && pwd -P)"
top="$(git -C "$tree" rev-parse --show-toplevel 2>/dev/null)" && [ "$(cd "$top" && pwd -P)" = "$tree" ] \
  && git -C "$tree" rev-parse --short HEAD 2>/dev/null || echo unknown
