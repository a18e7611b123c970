#!/usr/bin/env bash
# Makes sure Debian's nginx is installed (for the tests of several `finrisk serve` instances
# behind a real load balancer) and prints the path of its binary. The package's own service is
# kept from starting (policy-rc.d), so nothing listens on port 80 afterwards: the tests start
# nginx themselves with their own configuration, on loopback.
#   scripts/nginx.sh
set -euo pipefail
bin=/usr/sbin/nginx
if [ ! -x "$bin" ]; then
  echo "nginx.sh: installing Debian's nginx" >&2
  export DEBIAN_FRONTEND=noninteractive
  policy=/usr/sbin/policy-rc.d
  created_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod +x "$policy"
    created_policy=1
  fi
  apt-get update -qq >&2 || true
  apt-get install -y -qq nginx-light >&2 || apt-get install -y -qq nginx >&2
  if [ -n "$created_policy" ]; then rm -f "$policy"; fi
fi
"$bin" -v >&2
echo "$bin"
