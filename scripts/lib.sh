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

# An S3-compatible server on loopback (moto, from PyPI) so the S3 photo store is tested
# for real. Sets FLOWWALK_TEST_S3_URL; the server stops when the calling script exits.
ensure_s3() {
    if [ -n "${FLOWWALK_TEST_S3_URL:-}" ]; then return 0; fi
    local venv="${XDG_CACHE_HOME:-$HOME/.cache}/flowwalk-moto"
    if [ ! -x "$venv/bin/moto_server" ]; then
        echo "== installing moto (an S3-compatible test server) into $venv"
        command -v python3 >/dev/null || apt_install python3 python3-venv
        python3 -m venv "$venv" 2>/dev/null || { apt_install python3-venv && python3 -m venv "$venv"; }
        "$venv/bin/pip" install -q "moto[server]>=5,<6"
    fi
    local port
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"${TMPDIR:-/tmp}/flowwalk-moto.log" 2>&1 &
    FLOWWALK_MOTO_PID=$!
    trap 'kill "$FLOWWALK_MOTO_PID" 2>/dev/null || true' EXIT
    for _ in $(seq 1 50); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            export FLOWWALK_TEST_S3_URL="http://127.0.0.1:$port"
            return 0
        fi
        sleep 0.2
    done
    echo "flowwalk: the S3 test server did not start; see ${TMPDIR:-/tmp}/flowwalk-moto.log" >&2
    exit 1
}

# OpenAPI tools for the contract test, pinned, from PyPI into a cache folder: a validator
# and schemathesis. Sets FLOWWALK_TEST_OPENAPI_TOOLS (their bin folder).
SCHEMATHESIS_VERSION=4.32.5
OPENAPI_SPEC_VALIDATOR_VERSION=0.9.0
ensure_openapi_tools() {
    local venv="${XDG_CACHE_HOME:-$HOME/.cache}/flowwalk-openapi-$SCHEMATHESIS_VERSION-$OPENAPI_SPEC_VALIDATOR_VERSION"
    if [ ! -x "$venv/bin/schemathesis" ] || [ ! -x "$venv/bin/openapi-spec-validator" ]; then
        echo "== installing schemathesis $SCHEMATHESIS_VERSION and openapi-spec-validator $OPENAPI_SPEC_VALIDATOR_VERSION into $venv"
        command -v python3 >/dev/null || apt_install python3 python3-venv
        python3 -m venv "$venv" 2>/dev/null || { apt_install python3-venv && python3 -m venv "$venv"; }
        "$venv/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION" \
            "openapi-spec-validator==$OPENAPI_SPEC_VALIDATOR_VERSION"
    fi
    export FLOWWALK_TEST_OPENAPI_TOOLS="$venv/bin"
}

# The web client's build tools: the wasm32 target, wasm-bindgen-cli at exactly the
# wasm-bindgen version in Cargo.lock, and wasm-opt from npm's binaryen (Debian's is too old
# for what current Rust emits). Tools go to a cache folder, by version. Sets WASM_BINDGEN
# and WASM_OPT.
BINARYEN_VERSION=132.0.0
ensure_web_tools() {
    local tools="${XDG_CACHE_HOME:-$HOME/.cache}/flowwalk-tools"
    if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
        echo "== adding the wasm32-unknown-unknown target"
        rustup target add wasm32-unknown-unknown
    fi
    local version
    version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
    [ -n "$version" ] || { echo "flowwalk: no wasm-bindgen in Cargo.lock" >&2; exit 1; }
    WASM_BINDGEN="$tools/wasm-bindgen-$version/bin/wasm-bindgen"
    if [ ! -x "$WASM_BINDGEN" ] && [ "$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $version" ]; then
        WASM_BINDGEN=$(command -v wasm-bindgen)
    fi
    if [ ! -x "$WASM_BINDGEN" ]; then
        echo "== installing wasm-bindgen-cli $version (a few minutes, once)"
        # Not --locked: its lock file names a dependency version the registry no longer has.
        cargo install wasm-bindgen-cli --version "$version" --root "$tools/wasm-bindgen-$version"
    fi
    WASM_OPT="$tools/binaryen-$BINARYEN_VERSION/node_modules/.bin/wasm-opt"
    if [ ! -x "$WASM_OPT" ]; then
        command -v npm >/dev/null || apt_install nodejs npm
        echo "== installing wasm-opt (npm binaryen $BINARYEN_VERSION)"
        mkdir -p "$tools/binaryen-$BINARYEN_VERSION"
        npm install --silent --no-audit --no-fund --prefix "$tools/binaryen-$BINARYEN_VERSION" "binaryen@$BINARYEN_VERSION"
    fi
    export WASM_BINDGEN WASM_OPT
}
