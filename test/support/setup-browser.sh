#!/bin/sh
# Installs the browser the HTML report test drives: Debian's chromium at /usr/bin/chromium (playwright-core
# downloads no browser of its own). `npm run setup:browser` runs this; .ci/run runs it before `npm test`.
set -eu
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  SUDO=
elif command -v sudo >/dev/null 2>&1; then
  SUDO=sudo
else
  echo "setup:browser: /usr/bin/chromium is missing; install Debian's chromium package as root (apt-get install chromium)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium >/dev/null
test -x /usr/bin/chromium
echo "setup:browser: installed $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
