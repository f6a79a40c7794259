-- Hold the line: refresh tokens name their successor (a retry within the grace period is
-- answered with the same new pair); rate-limit rows are purged by age; photo quotas.

ALTER TABLE refresh_tokens ADD COLUMN replaced_by TEXT;

-- Expired attempts of every bucket are deleted by age.
CREATE INDEX login_failures_at ON login_failures (at);

-- Orphan photos are found by age; quotas by uploader.
CREATE INDEX photos_created_at ON photos (created_at);

CREATE TABLE photo_quota (
    user_id TEXT NOT NULL REFERENCES users (id),
    day DATE NOT NULL,
    bytes BIGINT NOT NULL DEFAULT 0,
    photos INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, day)
);
