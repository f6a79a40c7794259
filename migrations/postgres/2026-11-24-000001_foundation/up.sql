-- Foundation: accounts, tokens, reference data, assignments.
-- Ids are UUIDv7 text; timestamps are UTC without zone (the same on both backends).

CREATE TABLE departments (
    id TEXT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    name_en TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE venues (
    id TEXT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    level TEXT NOT NULL,
    parent_id TEXT REFERENCES venues (id),
    address TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX venues_parent ON venues (parent_id);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    department_id TEXT REFERENCES departments (id),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE refresh_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    family_id TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    revoked_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

CREATE TABLE login_failures (
    id TEXT PRIMARY KEY NOT NULL,
    bucket TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_bucket_at ON login_failures (bucket, at);

CREATE TABLE problem_categories (
    id TEXT PRIMARY KEY NOT NULL,
    grp TEXT NOT NULL,
    name_zh TEXT NOT NULL UNIQUE,
    name_en TEXT NOT NULL DEFAULT '',
    active BOOLEAN NOT NULL DEFAULT TRUE,
    position INTEGER NOT NULL
);

CREATE TABLE scenarios (
    id TEXT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    current_version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE scenario_versions (
    id TEXT PRIMARY KEY NOT NULL,
    scenario_id TEXT NOT NULL REFERENCES scenarios (id),
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (scenario_id, version)
);

CREATE TABLE scenario_steps (
    id TEXT PRIMARY KEY NOT NULL,
    scenario_version_id TEXT NOT NULL REFERENCES scenario_versions (id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    channel TEXT NOT NULL,
    department_id TEXT NOT NULL REFERENCES departments (id),
    standard_minutes INTEGER NOT NULL,
    fee_cents BIGINT NOT NULL,
    materials_count INTEGER NOT NULL,
    UNIQUE (scenario_version_id, position)
);

CREATE TABLE assignments (
    id TEXT PRIMARY KEY NOT NULL,
    scenario_id TEXT NOT NULL REFERENCES scenarios (id),
    scenario_version_id TEXT NOT NULL REFERENCES scenario_versions (id),
    venue_id TEXT NOT NULL REFERENCES venues (id),
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    mode TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE assignment_observers (
    assignment_id TEXT NOT NULL REFERENCES assignments (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (assignment_id, user_id)
);
CREATE INDEX assignment_observers_user ON assignment_observers (user_id);

CREATE TABLE invites (
    id TEXT PRIMARY KEY NOT NULL,
    code_hash TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    department_id TEXT REFERENCES departments (id),
    assignment_ids TEXT NOT NULL DEFAULT '[]',
    created_by TEXT NOT NULL REFERENCES users (id),
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    used_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
