#!/usr/bin/env bash
# Installs the MCP reference servers from npm (@modelcontextprotocol/server-everything and
# server-filesystem) into mcp/core/target/reference-servers (or the directory given as $1), where
# the mcp module's tests look for them. Optional: without node/npm, or when the install fails, it
# says so and exits 0; the tests that need the servers are then skipped with a message.
set -u
here="$(cd "$(dirname "$0")" && pwd)"
dir="${1:-$here/core/target/reference-servers}"
versions="@modelcontextprotocol/server-everything@2026.8.31 @modelcontextprotocol/server-filesystem@2026.8.31"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "install-reference-servers: node/npm not found; the MCP reference-server tests will be skipped"
  exit 0
fi
mkdir -p "$dir"
if [ -f "$dir/node_modules/@modelcontextprotocol/server-everything/dist/index.js" ] \
   && [ -f "$dir/node_modules/@modelcontextprotocol/server-filesystem/dist/index.js" ]; then
  echo "install-reference-servers: already in $dir"
  exit 0
fi
# shellcheck disable=SC2086
if npm install --prefix "$dir" --no-audit --no-fund --loglevel=error $versions >"$dir/npm-install.log" 2>&1; then
  echo "install-reference-servers: installed into $dir"
else
  echo "install-reference-servers: npm install failed (see $dir/npm-install.log); the reference-server tests will be skipped"
fi
exit 0
