#!/usr/bin/env bash
# Browser tests use Debian's Chromium (never a downloaded browser); install it when missing.
set -eu
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests ..."
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "Debian's chromium is missing and cannot be installed here (not root): browser tests will skip."
fi
