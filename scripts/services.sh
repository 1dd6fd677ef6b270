#!/usr/bin/env bash
# Make sure PostgreSQL (127.0.0.1:5432, trust auth, user postgres), Redis (127.0.0.1:6379) and
# Chromium (/usr/bin/chromium, for browser tests) are available. Installs missing Debian packages
# with apt-get (needs root) and starts stopped services with the commands from TOOLCHAIN.md.
set -euo pipefail

say() { printf '[services] %s\n' "$*"; }

SUDO=""
if [[ "$(id -u)" != 0 ]] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

APT_UPDATED=0
apt_install() {
    say "apt-get install -y $*"
    if [[ "$APT_UPDATED" == 0 ]]; then
        $SUDO apt-get update
        APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "$@"
}

wait_for() {  # wait_for <description> <command...>
    local what="$1"
    shift
    for _ in $(seq 1 30); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.5
    done
    echo "services: $what did not come up" >&2
    return 1
}

# --- install what is missing ------------------------------------------------------------------
missing=()
command -v pg_isready >/dev/null 2>&1 && ls /etc/postgresql/*/main >/dev/null 2>&1 || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 || missing+=(redis-server)
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
if ((${#missing[@]})); then
    apt_install "${missing[@]}"
    if [[ " ${missing[*]} " == *" postgresql "* ]]; then
        # A fresh Debian cluster asks for passwords over TCP; the project's machines trust 127.0.0.1.
        version="$(ls /etc/postgresql | sort -V | tail -n1)"
        hba="/etc/postgresql/$version/main/pg_hba.conf"
        say "configuring trust auth for 127.0.0.1 / ::1 in $hba"
        $SUDO sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
        if pg_isready -h 127.0.0.1 -p 5432 -q; then
            $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main reload
        fi
    fi
fi

# --- PostgreSQL -------------------------------------------------------------------------------
if pg_isready -h 127.0.0.1 -p 5432 -q; then
    say "PostgreSQL is up on 127.0.0.1:5432"
else
    version="$(ls /etc/postgresql | sort -V | tail -n1)"
    say "starting PostgreSQL $version"
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start
    wait_for "PostgreSQL" pg_isready -h 127.0.0.1 -p 5432 -q
    say "PostgreSQL is up on 127.0.0.1:5432"
fi
# Tests connect as postgres without a password over TCP (trust auth, as on the project's machines).
if ! psql -h 127.0.0.1 -U postgres -d postgres -w -Atc 'select 1' >/dev/null 2>&1; then
    echo "services: cannot connect as postgres@127.0.0.1 without a password; the tests need trust auth" \
        "for 127.0.0.1 in pg_hba.conf (host all all 127.0.0.1/32 trust)" >&2
    exit 1
fi

# --- Redis ------------------------------------------------------------------------------------
if [[ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" == "PONG" ]]; then
    say "Redis is up on 127.0.0.1:6379"
else
    say "starting Redis"
    $SUDO mkdir -p /var/lib/redis /var/log/redis
    $SUDO redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/ci.log
    wait_for "Redis" bash -c '[[ "$(redis-cli -h 127.0.0.1 -p 6379 ping)" == PONG ]]'
    say "Redis is up on 127.0.0.1:6379"
fi

# --- Chromium ---------------------------------------------------------------------------------
say "Chromium: $(/usr/bin/chromium --version 2>/dev/null | head -n1 || echo /usr/bin/chromium)"
