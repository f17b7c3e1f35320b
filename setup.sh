#!/usr/bin/env bash
# One-command set-up of Bulkhead on Debian 12: system packages, npm dependencies, the build, the `bulkhead`
# command on PATH, and the busybox image (made from the host's busybox-static, no registry needed).
set -euo pipefail
cd "$(dirname "$0")"
if [ "$(id -u)" != 0 ]; then echo "setup.sh: run as root (sudo ./setup.sh)" >&2; exit 1; fi

echo "==> Debian packages"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends runc conmon busybox-static iproute2 util-linux make g++ python3 \
  containernetworking-plugins iptables debootstrap tini >/dev/null

echo "==> npm dependencies and build"
npm ci --no-audit --no-fund
npm run build

echo "==> bulkhead on PATH"
ln -sf "$PWD/bin/bulkhead" /usr/local/bin/bulkhead

echo "==> subordinate ids for --userns=auto"
# The engine hands each user-namespaced container 65536 host ids out of the "bulkhead" entries (1000 containers'
# worth here). Added once, never changed: an operator's own bulkhead line wins.
for f in /etc/subuid /etc/subgid; do
  touch "$f"
  if ! grep -q '^bulkhead:' "$f"; then echo "bulkhead:1000000:65536000" >> "$f"; fi
done

echo "==> busybox image"
had_daemon=0
if bulkhead daemon status >/dev/null 2>&1; then had_daemon=1; fi
bulkhead image bootstrap busybox
# Leave no daemon behind that setup itself started: the CLI starts one again on first use.
if [ "$had_daemon" = 0 ]; then bulkhead daemon stop >/dev/null; fi

echo "Bulkhead is set up. Try: bulkhead run --rm busybox echo hello"
