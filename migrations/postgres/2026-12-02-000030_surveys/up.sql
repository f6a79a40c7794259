-- Citizen questionnaires: versioned questionnaires, campaigns at venues, the responses,
-- the per-address submission log (rate limit) and the candidate issues drawn from answers.

CREATE TABLE questionnaires (
    id TEXT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    current_version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- A version is never changed once written; `questions` is its JSON definition.
CREATE TABLE questionnaire_versions (
    id TEXT PRIMARY KEY NOT NULL,
    questionnaire_id TEXT NOT NULL REFERENCES questionnaires (id),
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    intro TEXT NOT NULL,
    ask_phone BOOLEAN NOT NULL,
    questions TEXT NOT NULL,
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (questionnaire_id, version)
);

CREATE TABLE survey_campaigns (
    id TEXT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    questionnaire_version_id TEXT NOT NULL REFERENCES questionnaire_versions (id),
    organizer TEXT NOT NULL,
    purpose TEXT NOT NULL,
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    -- The published results (结果反馈): the manager's conclusion and the results as they
    -- stood when published (JSON), so the public page does not move under its readers.
    conclusion TEXT NOT NULL DEFAULT '',
    published_results TEXT,
    published_at TIMESTAMP,
    published_by TEXT REFERENCES users (id),
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE survey_campaign_venues (
    campaign_id TEXT NOT NULL REFERENCES survey_campaigns (id),
    venue_id TEXT NOT NULL REFERENCES venues (id),
    PRIMARY KEY (campaign_id, venue_id)
);

-- One respondent's answers (JSON). No name, no address: a phone number only when the
-- citizen consented. A web form's token makes a double submission one response.
CREATE TABLE survey_responses (
    id TEXT PRIMARY KEY NOT NULL,
    campaign_id TEXT NOT NULL REFERENCES survey_campaigns (id),
    venue_id TEXT NOT NULL REFERENCES venues (id),
    questionnaire_version_id TEXT NOT NULL REFERENCES questionnaire_versions (id),
    source TEXT NOT NULL,
    submission_token TEXT,
    answers TEXT NOT NULL,
    phone TEXT,
    submitted_at TIMESTAMP NOT NULL,
    received_at TIMESTAMP NOT NULL,
    UNIQUE (campaign_id, submission_token)
);
CREATE INDEX survey_responses_campaign ON survey_responses (campaign_id, venue_id, submitted_at);

-- Accepted submissions per client address (a keyed hash, never the address), for the
-- rate limit; rows older than the window are deleted as new ones come.
CREATE TABLE survey_hits (
    id TEXT PRIMARY KEY NOT NULL,
    bucket TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX survey_hits_bucket ON survey_hits (bucket, at);

-- Problems citizens raised, waiting to become issues of source "questionnaire" (问卷).
CREATE TABLE survey_candidates (
    id TEXT PRIMARY KEY NOT NULL,
    campaign_id TEXT NOT NULL REFERENCES survey_campaigns (id),
    kind TEXT NOT NULL,
    venue_id TEXT REFERENCES venues (id),
    question_id TEXT NOT NULL,
    choice_id TEXT,
    response_id TEXT REFERENCES survey_responses (id),
    category_id TEXT,
    department_id TEXT REFERENCES departments (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    respondents INTEGER NOT NULL,
    base INTEGER NOT NULL,
    status TEXT NOT NULL,
    issue_id TEXT,
    -- One candidate per answer (free text) or per venue and option.
    dedup_key TEXT NOT NULL UNIQUE,
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    handed_over_at TIMESTAMP
);
CREATE INDEX survey_candidates_campaign ON survey_candidates (campaign_id, status);
