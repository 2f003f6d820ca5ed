#!/bin/sh
# Install Debian's chromium and chromium-driver for the dashboard's browser test, when missing.
# Needs root (or passwordless sudo) and apt-get; without them it says so and exits 0, and the
# browser test is then skipped with a reason.
set -u

if command -v chromium >/dev/null 2>&1 && [ -x /usr/bin/chromedriver ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install_browser: apt-get not found; the browser test will be skipped" >&2
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    echo "install_browser: not root; run 'sudo apt-get install chromium chromium-driver'" \
         "to enable the browser test" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver \
        >/dev/null 2>&1; then
    $SUDO apt-get update -qq >/dev/null 2>&1
    if ! $SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver \
            >/dev/null 2>&1; then
        echo "install_browser: apt-get could not install chromium and chromium-driver;" \
             "the browser test will be skipped" >&2
    fi
fi
exit 0
