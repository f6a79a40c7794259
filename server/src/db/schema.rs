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
        must_change_password -> Bool,
        demo_password -> Bool,
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
    issues,
    issue_occurrences,
    issue_evidence,
    issue_panel_members,
    panel_votes,
    issue_events,
    category_departments,
    app_config,
    notifications,
    walkthrough_facts,
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
// Issues, their audit trail and what surrounds them (migration 2026-12-02-000020_issues).

diesel::table! {
    issues (id) {
        id -> Text,
        source -> Text,
        source_key -> Nullable<Text>,
        status -> Text,
        track -> Nullable<Text>,
        version -> Integer,
        merge_key -> Text,
        venue_id -> Text,
        town_id -> Nullable<Text>,
        category_id -> Nullable<Text>,
        scenario_id -> Nullable<Text>,
        step_name -> Text,
        department_id -> Text,
        routed_by -> Text,
        severity -> Text,
        title -> Text,
        description -> Text,
        observer_id -> Nullable<Text>,
        occurrence_count -> Integer,
        first_seen_at -> Timestamp,
        last_seen_at -> Timestamp,
        deadline -> Nullable<Date>,
        overdue -> Bool,
        transfer_note -> Nullable<Text>,
        resolution -> Text,
        triaged_at -> Nullable<Timestamp>,
        rectified_at -> Nullable<Timestamp>,
        on_time -> Nullable<Bool>,
        rechecked_at -> Nullable<Timestamp>,
        satisfied -> Nullable<Bool>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    issue_occurrences (id) {
        id -> Text,
        issue_id -> Text,
        source_ref -> Text,
        walkthrough_id -> Nullable<Text>,
        observer_id -> Nullable<Text>,
        severity -> Text,
        description -> Text,
        photos -> Text,
        seen_at -> Timestamp,
        created_at -> Timestamp,
    }
}

diesel::table! {
    issue_evidence (id) {
        id -> Text,
        issue_id -> Text,
        round -> Integer,
        submitted_by -> Text,
        note -> Text,
        photos -> Text,
        created_at -> Timestamp,
        client_id -> Nullable<Text>,
    }
}

diesel::table! {
    issue_panel_members (issue_id, user_id) {
        issue_id -> Text,
        user_id -> Text,
        constituency -> Text,
        added_at -> Timestamp,
    }
}

diesel::table! {
    panel_votes (issue_id, round, user_id) {
        issue_id -> Text,
        round -> Integer,
        user_id -> Text,
        approve -> Bool,
        reason -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    issue_events (seq) {
        seq -> BigInt,
        issue_id -> Text,
        issue_version -> Integer,
        action -> Text,
        from_state -> Nullable<Text>,
        to_state -> Text,
        actor_id -> Nullable<Text>,
        actor -> Text,
        detail -> Text,
        at -> Timestamp,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    category_departments (category_id) {
        category_id -> Text,
        department_id -> Text,
        updated_by -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    app_config (key) {
        key -> Text,
        value -> Text,
        updated_by -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    notifications (id) {
        id -> Text,
        user_id -> Text,
        kind -> Text,
        issue_id -> Nullable<Text>,
        walkthrough_id -> Nullable<Text>,
        assignment_id -> Nullable<Text>,
        message -> Text,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    walkthrough_facts (walkthrough_id) {
        walkthrough_id -> Text,
        rev -> Integer,
        venue_id -> Text,
        scenario_id -> Text,
        scenario_version_id -> Text,
        started_at -> Timestamp,
        total_ms -> BigInt,
        promised_ms -> BigInt,
        finding_count -> Integer,
        accepted_at -> Timestamp,
    }
}

diesel::joinable!(issues -> departments (department_id));
diesel::joinable!(issues -> scenarios (scenario_id));
diesel::joinable!(issues -> problem_categories (category_id));
diesel::joinable!(issue_occurrences -> issues (issue_id));
diesel::joinable!(issue_evidence -> issues (issue_id));
diesel::joinable!(issue_panel_members -> issues (issue_id));
