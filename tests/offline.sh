#!/usr/bin/env bash
# Run a command with the network blocked: a new network namespace where only the loopback interface is up
# (Jupyter kernels and the browser check talk over 127.0.0.1), so anything that tries to download fails.
# CHECKERBOARD_OFFLINE=1 tells tests/test_offline.py to prove the block holds. Where namespaces are not
# available (no unshare or ip, or not allowed), the command runs with the network and this says so.
set -euo pipefail
inner='ip link set lo up && CHECKERBOARD_OFFLINE=1 exec "$@"'
if command -v unshare >/dev/null 2>&1 && command -v ip >/dev/null 2>&1; then
  for flags in -n -rn; do  # as root, or as a user through a user namespace
    if unshare $flags sh -c 'ip link set lo up' >/dev/null 2>&1; then
      exec unshare $flags -- sh -c "$inner" sh "$@"
    fi
  done
fi
echo "offline.sh: network namespaces are not available here; running WITH the network: $*" >&2
exec "$@"
