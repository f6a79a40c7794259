# Shared by the scripts: install what a fresh Debian machine lacks.
# Sourced, not run.

apt_install() {
    if [ "$(id -u)" -ne 0 ]; then
        echo "flowwalk: need Debian packages $*; run as root or install them yourself" >&2
        return 1
    fi
    if [ -z "${FLOWWALK_APT_UPDATED:-}" ]; then
        apt-get update -qq
        export FLOWWALK_APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

# Build dependencies: libpq for diesel's PostgreSQL driver, pkg-config, a C compiler.
need_system_packages() {
    local missing=()
    command -v cargo >/dev/null || { echo "flowwalk: cargo (Rust) is required: https://rustup.rs" >&2; exit 1; }
    command -v cc >/dev/null || missing+=(gcc)
    command -v pkg-config >/dev/null || missing+=(pkg-config)
    [ -e /usr/include/postgresql/libpq-fe.h ] || missing+=(libpq-dev)
    if [ ${#missing[@]} -gt 0 ]; then
        echo "== installing ${missing[*]}"
        apt_install "${missing[@]}"
    fi
}

pg_answers() {
    if command -v psql >/dev/null; then
        psql "$FLOWWALK_TEST_PG_URL" -Atqc 'SELECT 1' >/dev/null 2>&1
    else
        (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null
    fi
}

start_local_cluster() {
    local version
    version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
    [ -n "$version" ] || return 1
    pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
    for _ in $(seq 1 30); do pg_answers && return 0; sleep 1; done
    return 1
}

# PostgreSQL for the PostgreSQL half of the suite: use the one at FLOWWALK_TEST_PG_URL,
# start the local cluster, or install one from Debian's packages. Never skip silently.
ensure_postgres() {
    export FLOWWALK_TEST_PG_URL="${FLOWWALK_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
    pg_answers && return 0
    echo "== PostgreSQL does not answer at $FLOWWALK_TEST_PG_URL; starting it"
    if ! start_local_cluster; then
        echo "== installing PostgreSQL from Debian's packages"
        if ! apt_install postgresql postgresql-client; then
            echo "flowwalk: no PostgreSQL answers at $FLOWWALK_TEST_PG_URL and none could be installed." >&2
            echo "flowwalk: the PostgreSQL half of the tests cannot run; failing rather than skipping it." >&2
            exit 1
        fi
        local version hba
        version=$(ls /etc/postgresql | sort -V | tail -n 1)
        hba=/etc/postgresql/$version/main/pg_hba.conf
        # A fresh cluster asks for passwords over TCP; tests connect as postgres without one.
        sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
        start_local_cluster || true
        su postgres -c "psql -Atqc \"SELECT 1 FROM pg_database WHERE datname = 'test'\"" | grep -q 1 \
            || su postgres -c "createdb test" || true
    fi
    if ! pg_answers; then
        echo "flowwalk: PostgreSQL still does not answer at $FLOWWALK_TEST_PG_URL." >&2
        echo "flowwalk: the PostgreSQL half of the tests cannot run; failing rather than skipping it." >&2
        exit 1
    fi
}
