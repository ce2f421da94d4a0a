#!/usr/bin/env bash
# Regenerate governance/static/vendor/ from the npm registry (the browser side of coopvote).
#
# Downloads the pinned tarballs into a scratch directory under /tmp (never node_modules in the
# repository), prints their sha256 (compare with governance/static/vendor/README.md), bundles
#   @noble/curves + @noble/hashes -> noble-ed25519.js  (ES module: ed25519, sha256, sha512)
#   tweetnacl (nacl-fast.js)     -> tweetnacl.js     (ES module: default export nacl)
# with esbuild (no minification: the files stay readable for an audit), and copies the licences.
# The output is deterministic: running it again must leave `git status` clean.
set -euo pipefail

CURVES=2.4.0
HASHES=2.4.0
TWEETNACL=1.0.3
ESBUILD=0.28.2

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/governance/static/vendor"
WORK=$(mktemp -d /tmp/vendor-js.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

npm pack --silent "@noble/curves@$CURVES" "@noble/hashes@$HASHES" "tweetnacl@$TWEETNACL" >/dev/null
sha256sum ./*.tgz | sed 's#\./##'
npm init -y >/dev/null
npm install --silent --no-audit --no-fund --ignore-scripts --save-exact \
  "./noble-curves-$CURVES.tgz" "./noble-hashes-$HASHES.tgz" "./tweetnacl-$TWEETNACL.tgz" \
  "esbuild@$ESBUILD"

cat > noble-entry.js <<'JS'
export { ed25519 } from '@noble/curves/ed25519.js';
export { sha256, sha512 } from '@noble/hashes/sha2.js';
JS
cat > nacl-entry.js <<'JS'
import nacl from 'tweetnacl';
export default nacl;
JS

BUILD=(--bundle --format=esm --platform=browser --target=es2020 --charset=utf8
  --legal-comments=inline --log-level=warning)
./node_modules/.bin/esbuild noble-entry.js "${BUILD[@]}" --outfile=noble-ed25519.js \
  "--banner:js=// @noble/curves $CURVES and @noble/hashes $HASHES (MIT, (c) Paul Miller: LICENSE-noble), bundled by tools/vendor-js.sh with esbuild $ESBUILD. Do not edit."
./node_modules/.bin/esbuild nacl-entry.js "${BUILD[@]}" --outfile=tweetnacl.js \
  "--banner:js=// tweetnacl $TWEETNACL (nacl-fast.js; public domain / Unlicense: LICENSE-tweetnacl), wrapped as an ES module by tools/vendor-js.sh with esbuild $ESBUILD. Do not edit."

mkdir -p "$OUT"
cp noble-ed25519.js tweetnacl.js "$OUT/"
cp node_modules/@noble/curves/LICENSE "$OUT/LICENSE-noble"
cp node_modules/tweetnacl/LICENSE "$OUT/LICENSE-tweetnacl"
echo "written: $OUT/noble-ed25519.js $OUT/tweetnacl.js"
