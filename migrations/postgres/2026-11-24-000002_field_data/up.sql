-- Field data: walkthrough revisions, photos, review state, and the change log phones pull.

-- Every change a phone may need gets the next sequence number; pull cursors are these.
-- Writers take an advisory lock first, so sequence numbers commit in order.
CREATE TABLE changes (
    seq BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    user_id TEXT,
    at TIMESTAMP NOT NULL
);
CREATE INDEX changes_user ON changes (user_id, seq);

-- Walkthrough revisions are immutable: (walkthrough_id, rev) is unique and never updated
-- except to mark it complete when its last photo arrives.
CREATE TABLE walkthrough_revisions (
    walkthrough_id TEXT NOT NULL,
    rev INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    observer_id TEXT NOT NULL REFERENCES users (id),
    device_id TEXT NOT NULL,
    assignment_id TEXT NOT NULL REFERENCES assignments (id),
    scenario_version_id TEXT NOT NULL REFERENCES scenario_versions (id),
    body TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP NOT NULL,
    clock_offset_ms BIGINT NOT NULL,
    photo_count INTEGER NOT NULL,
    complete BOOLEAN NOT NULL,
    received_at TIMESTAMP NOT NULL,
    completed_at TIMESTAMP,
    PRIMARY KEY (walkthrough_id, rev)
);
CREATE INDEX walkthrough_revisions_observer ON walkthrough_revisions (observer_id);

-- The state of each walkthrough: its latest revision and where review stands.
CREATE TABLE walkthroughs (
    id TEXT PRIMARY KEY NOT NULL,
    observer_id TEXT NOT NULL REFERENCES users (id),
    assignment_id TEXT NOT NULL REFERENCES assignments (id),
    latest_rev INTEGER NOT NULL,
    status TEXT NOT NULL,
    review_comment TEXT NOT NULL DEFAULT '',
    reviewed_by TEXT REFERENCES users (id),
    reviewed_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX walkthroughs_status ON walkthroughs (status);

-- Same (id, rev), different content: every version is kept for a manager to see.
CREATE TABLE walkthrough_conflicts (
    walkthrough_id TEXT NOT NULL,
    rev INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    observer_id TEXT NOT NULL REFERENCES users (id),
    device_id TEXT NOT NULL,
    body TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    PRIMARY KEY (walkthrough_id, rev, content_hash)
);

CREATE TABLE revision_photos (
    walkthrough_id TEXT NOT NULL,
    rev INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (walkthrough_id, rev, sha256),
    FOREIGN KEY (walkthrough_id, rev) REFERENCES walkthrough_revisions (walkthrough_id, rev)
);
CREATE INDEX revision_photos_sha ON revision_photos (sha256);

-- Photos that have arrived (their bytes and variants are in the photo store).
CREATE TABLE photos (
    sha256 TEXT PRIMARY KEY NOT NULL,
    bytes BIGINT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    uploaded_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);

-- Every read of an original photo (evidence), for accountability.
CREATE TABLE photo_reads (
    id TEXT PRIMARY KEY NOT NULL,
    sha256 TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    at TIMESTAMP NOT NULL
);
