-- Issues (问题清单): what each accepted walkthrough (or an outside source) found, routed to
-- the responsible department and followed through evidence and sign-off to the citizen's
-- re-check; their occurrences, evidence, panels, votes; the hash-chained audit log; the
-- editable routing, calendar and panel rule; notifications; per-walkthrough facts for reports.

CREATE TABLE issues (
    id TEXT PRIMARY KEY NOT NULL,
    -- walkthrough | review (好差评) | questionnaire (问卷)
    source TEXT NOT NULL,
    -- An outside source's idempotency key (a re-imported row finds its issue); NULL otherwise.
    source_key TEXT UNIQUE,
    status TEXT NOT NULL,
    -- fix_now | ledger, once triaged for a fix
    track TEXT,
    version INTEGER NOT NULL,
    -- venue|category|scenario|step: an open issue with the same key takes new occurrences.
    merge_key TEXT NOT NULL,
    venue_id TEXT NOT NULL REFERENCES venues (id),
    -- The town/street the venue belongs to (for the per-town circular); NULL above town level.
    town_id TEXT REFERENCES venues (id),
    category_id TEXT REFERENCES problem_categories (id),
    scenario_id TEXT REFERENCES scenarios (id),
    step_name TEXT NOT NULL DEFAULT '',
    department_id TEXT NOT NULL REFERENCES departments (id),
    routed_by TEXT NOT NULL,
    severity TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    -- Whoever raised it first; never shown to the department.
    observer_id TEXT REFERENCES users (id),
    occurrence_count INTEGER NOT NULL,
    first_seen_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    deadline DATE,
    overdue BOOLEAN NOT NULL DEFAULT FALSE,
    -- The department's request to transfer it (NULL: none pending).
    transfer_note TEXT,
    -- The dismissal reason, the explanation, or the last rejection's reasons.
    resolution TEXT NOT NULL DEFAULT '',
    triaged_at TIMESTAMP,
    rectified_at TIMESTAMP,
    on_time BOOLEAN,
    rechecked_at TIMESTAMP,
    satisfied BOOLEAN,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX issues_merge ON issues (merge_key, status);
CREATE INDEX issues_created ON issues (created_at, id);
CREATE INDEX issues_updated ON issues (updated_at, id);
CREATE INDEX issues_deadline ON issues (deadline, id);
CREATE INDEX issues_department ON issues (department_id, created_at);
CREATE INDEX issues_venue ON issues (venue_id, created_at);
CREATE INDEX issues_status ON issues (status, created_at);
CREATE INDEX issues_rectified ON issues (rectified_at);
CREATE INDEX issues_rechecked ON issues (rechecked_at);

-- Each time the problem was met: a walkthrough's finding, or an imported review.
CREATE TABLE issue_occurrences (
    id TEXT PRIMARY KEY NOT NULL,
    issue_id TEXT NOT NULL REFERENCES issues (id),
    -- wt:{walkthrough}:{finding} or the outside source's key; unique: built once.
    source_ref TEXT NOT NULL UNIQUE,
    walkthrough_id TEXT,
    observer_id TEXT REFERENCES users (id),
    severity TEXT NOT NULL,
    description TEXT NOT NULL,
    photos TEXT NOT NULL DEFAULT '[]',
    seen_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX issue_occurrences_issue ON issue_occurrences (issue_id, seen_at);
CREATE INDEX issue_occurrences_walkthrough ON issue_occurrences (walkthrough_id);
CREATE INDEX issue_occurrences_observer ON issue_occurrences (observer_id);
CREATE INDEX issue_occurrences_seen ON issue_occurrences (seen_at);

CREATE TABLE issue_evidence (
    id TEXT PRIMARY KEY NOT NULL,
    issue_id TEXT NOT NULL REFERENCES issues (id),
    round INTEGER NOT NULL,
    submitted_by TEXT NOT NULL REFERENCES users (id),
    note TEXT NOT NULL,
    photos TEXT NOT NULL DEFAULT '[]',
    created_at TIMESTAMP NOT NULL,
    UNIQUE (issue_id, round)
);

-- The acceptance panel (验收团) formed for a ledger issue.
CREATE TABLE issue_panel_members (
    issue_id TEXT NOT NULL REFERENCES issues (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    constituency TEXT NOT NULL,
    added_at TIMESTAMP NOT NULL,
    PRIMARY KEY (issue_id, user_id)
);
CREATE INDEX issue_panel_members_user ON issue_panel_members (user_id);

CREATE TABLE panel_votes (
    issue_id TEXT NOT NULL REFERENCES issues (id),
    round INTEGER NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    approve BOOLEAN NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (issue_id, round, user_id)
);

-- The audit trail: append-only, each entry carries the hash of the one before.
CREATE TABLE issue_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    issue_id TEXT NOT NULL,
    issue_version INTEGER NOT NULL,
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    actor_id TEXT,
    actor TEXT NOT NULL,
    detail TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX issue_events_issue ON issue_events (issue_id, seq);

-- Category → responsible department, as a manager sets it (overrides the step's department).
CREATE TABLE category_departments (
    category_id TEXT PRIMARY KEY NOT NULL REFERENCES problem_categories (id),
    department_id TEXT NOT NULL REFERENCES departments (id),
    updated_by TEXT REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL
);

-- Editable settings kept in the database: the working-day calendar, the panel rule.
CREATE TABLE app_config (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL,
    updated_by TEXT REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE notifications (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    issue_id TEXT,
    walkthrough_id TEXT,
    assignment_id TEXT,
    message TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP
);
CREATE INDEX notifications_user ON notifications (user_id, created_at);

-- One row per accepted walkthrough: what reports compare before and after fixes.
CREATE TABLE walkthrough_facts (
    walkthrough_id TEXT PRIMARY KEY NOT NULL,
    rev INTEGER NOT NULL,
    venue_id TEXT NOT NULL REFERENCES venues (id),
    scenario_id TEXT NOT NULL REFERENCES scenarios (id),
    scenario_version_id TEXT NOT NULL REFERENCES scenario_versions (id),
    started_at TIMESTAMP NOT NULL,
    total_ms BIGINT NOT NULL,
    promised_ms BIGINT NOT NULL,
    finding_count INTEGER NOT NULL,
    accepted_at TIMESTAMP NOT NULL
);
CREATE INDEX walkthrough_facts_pair ON walkthrough_facts (scenario_id, venue_id, started_at);
CREATE INDEX walkthrough_facts_started ON walkthrough_facts (started_at);
