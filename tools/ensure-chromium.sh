#!/usr/bin/env bash
# Browser tests use Debian's Chromium (never a downloaded browser); install it when missing.
# The tests of the browser's crypto (tests/crypto) run its ES modules under Node as well.
# WeasyPrint (minutes PDF) wants HarfBuzz's subsetting library: without it, it warns on import,
# which the test suite treats as an error.
set -eu
missing=""
[ -x /usr/bin/chromium ] || missing="chromium"
command -v node >/dev/null || missing="$missing nodejs"
ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset || missing="$missing libharfbuzz-subset0"
if [ -z "$missing" ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's $missing for the tests ..."
  apt-get update -qq >/dev/null
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
else
  echo "Debian's $missing is missing and cannot be installed here (not root): browser tests will skip."
fi
