//! Table definitions shared by both backends (kept by hand, identical migrations).

diesel::table! {
    departments (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        name_en -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    venues (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        level -> Text,
        parent_id -> Nullable<Text>,
        address -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        username -> Text,
        password_hash -> Text,
        display_name -> Text,
        role -> Text,
        department_id -> Nullable<Text>,
        active -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        user_id -> Text,
        family_id -> Text,
        token_hash -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        replaced_by -> Nullable<Text>,
    }
}

diesel::table! {
    login_failures (id) {
        id -> Text,
        bucket -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    problem_categories (id) {
        id -> Text,
        grp -> Text,
        name_zh -> Text,
        name_en -> Text,
        active -> Bool,
        position -> Integer,
    }
}

diesel::table! {
    scenarios (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        current_version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    scenario_versions (id) {
        id -> Text,
        scenario_id -> Text,
        version -> Integer,
        name -> Text,
        description -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    scenario_steps (id) {
        id -> Text,
        scenario_version_id -> Text,
        position -> Integer,
        name -> Text,
        channel -> Text,
        department_id -> Text,
        standard_minutes -> Integer,
        fee_cents -> BigInt,
        materials_count -> Integer,
    }
}

diesel::table! {
    assignments (id) {
        id -> Text,
        scenario_id -> Text,
        scenario_version_id -> Text,
        venue_id -> Text,
        starts_on -> Date,
        ends_on -> Date,
        mode -> Text,
        status -> Text,
        note -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    assignment_observers (assignment_id, user_id) {
        assignment_id -> Text,
        user_id -> Text,
    }
}

diesel::table! {
    invites (id) {
        id -> Text,
        code_hash -> Text,
        role -> Text,
        department_id -> Nullable<Text>,
        assignment_ids -> Text,
        created_by -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        used_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(assignment_observers -> assignments (assignment_id));
diesel::joinable!(assignment_observers -> users (user_id));
diesel::joinable!(scenario_steps -> scenario_versions (scenario_version_id));
diesel::joinable!(scenario_versions -> scenarios (scenario_id));

diesel::allow_tables_to_appear_in_same_query!(
    departments,
    venues,
    users,
    refresh_tokens,
    login_failures,
    problem_categories,
    scenarios,
    scenario_versions,
    scenario_steps,
    assignments,
    assignment_observers,
    invites,
    changes,
    walkthrough_revisions,
    walkthroughs,
    walkthrough_conflicts,
    revision_photos,
    photos,
    photo_reads,
);

diesel::table! {
    changes (seq) {
        seq -> BigInt,
        kind -> Text,
        entity_id -> Text,
        user_id -> Nullable<Text>,
        at -> Timestamp,
    }
}

diesel::table! {
    walkthrough_revisions (walkthrough_id, rev) {
        walkthrough_id -> Text,
        rev -> Integer,
        content_hash -> Text,
        observer_id -> Text,
        device_id -> Text,
        assignment_id -> Text,
        scenario_version_id -> Text,
        body -> Text,
        started_at -> Timestamp,
        ended_at -> Timestamp,
        clock_offset_ms -> BigInt,
        photo_count -> Integer,
        complete -> Bool,
        received_at -> Timestamp,
        completed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    walkthroughs (id) {
        id -> Text,
        observer_id -> Text,
        assignment_id -> Text,
        latest_rev -> Integer,
        status -> Text,
        review_comment -> Text,
        reviewed_by -> Nullable<Text>,
        reviewed_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    walkthrough_conflicts (walkthrough_id, rev, content_hash) {
        walkthrough_id -> Text,
        rev -> Integer,
        content_hash -> Text,
        observer_id -> Text,
        device_id -> Text,
        body -> Text,
        received_at -> Timestamp,
    }
}

diesel::table! {
    revision_photos (walkthrough_id, rev, sha256) {
        walkthrough_id -> Text,
        rev -> Integer,
        sha256 -> Text,
    }
}

diesel::table! {
    photos (sha256) {
        sha256 -> Text,
        bytes -> BigInt,
        width -> Integer,
        height -> Integer,
        uploaded_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    photo_reads (id) {
        id -> Text,
        sha256 -> Text,
        user_id -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    questionnaires (id) {
        id -> Text,
        code -> Text,
        title -> Text,
        current_version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    questionnaire_versions (id) {
        id -> Text,
        questionnaire_id -> Text,
        version -> Integer,
        title -> Text,
        intro -> Text,
        ask_phone -> Bool,
        questions -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    survey_campaigns (id) {
        id -> Text,
        code -> Text,
        title -> Text,
        questionnaire_version_id -> Text,
        organizer -> Text,
        purpose -> Text,
        starts_on -> Date,
        ends_on -> Date,
        conclusion -> Text,
        published_results -> Nullable<Text>,
        published_at -> Nullable<Timestamp>,
        published_by -> Nullable<Text>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    survey_campaign_venues (campaign_id, venue_id) {
        campaign_id -> Text,
        venue_id -> Text,
    }
}

diesel::table! {
    survey_responses (id) {
        id -> Text,
        campaign_id -> Text,
        venue_id -> Text,
        questionnaire_version_id -> Text,
        source -> Text,
        submission_token -> Nullable<Text>,
        answers -> Text,
        phone -> Nullable<Text>,
        submitted_at -> Timestamp,
        received_at -> Timestamp,
    }
}

diesel::table! {
    survey_hits (id) {
        id -> Text,
        bucket -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    survey_candidates (id) {
        id -> Text,
        campaign_id -> Text,
        kind -> Text,
        venue_id -> Nullable<Text>,
        question_id -> Text,
        choice_id -> Nullable<Text>,
        response_id -> Nullable<Text>,
        category_id -> Nullable<Text>,
        department_id -> Nullable<Text>,
        title -> Text,
        description -> Text,
        respondents -> Integer,
        base -> Integer,
        status -> Text,
        issue_id -> Nullable<Text>,
        dedup_key -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        handed_over_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(questionnaire_versions -> questionnaires (questionnaire_id));
diesel::joinable!(survey_campaigns -> questionnaire_versions (questionnaire_version_id));
diesel::joinable!(survey_campaign_venues -> survey_campaigns (campaign_id));
diesel::joinable!(survey_campaign_venues -> venues (venue_id));

diesel::allow_tables_to_appear_in_same_query!(
    questionnaires,
    questionnaire_versions,
    survey_campaigns,
    survey_campaign_venues,
    survey_responses,
    venues,
);

diesel::table! {
    /// Bytes of new photos each account uploaded, per day (China Standard Time).
    photo_quota (user_id, day) {
        user_id -> Text,
        day -> Date,
        bytes -> BigInt,
        photos -> Integer,
    }
}
