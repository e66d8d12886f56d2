#!/usr/bin/env bash
# Install or start what the postgres and browser test groups need. Never fatal here:
# the tests themselves fail under CI (CI=true) when a prerequisite is missing, and
# skip loudly elsewhere.
set -u

have() { command -v "$1" >/dev/null 2>&1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif have sudo; then sudo -n "$@"; else return 1; fi; }

# Chromium (Debian package) for the browser tests; playwright drives it (never `playwright install`).
if [ ! -x /usr/bin/chromium ]; then
  if have apt-get && as_root true 2>/dev/null; then
    echo "services: installing Debian chromium for the browser tests ..."
    as_root apt-get update -qq >/dev/null 2>&1
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium chromium-driver >/dev/null 2>&1 \
      || echo "services: WARNING could not install chromium; browser tests will be skipped (fail under CI)"
  else
    echo "services: WARNING /usr/bin/chromium missing and apt-get unavailable; browser tests will be skipped (fail under CI)"
  fi
fi

# PostgreSQL on 127.0.0.1:5432 for the postgres tests: start it when installed but stopped.
if have pg_isready && pg_isready -q -h 127.0.0.1 -p 5432; then
  :
elif [ -d /etc/postgresql ] && have pg_ctlcluster; then
  echo "services: starting the local PostgreSQL cluster ..."
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start \
    || echo "services: WARNING could not start PostgreSQL"
  for _ in $(seq 1 20); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
else
  echo "services: WARNING no PostgreSQL server on 127.0.0.1:5432 and none installed; postgres tests will be skipped (fail under CI)"
fi
exit 0
