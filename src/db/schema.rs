//! Diesel table definitions shared by both backends (portable SQL types only).

diesel::table! {
    audit_heads (org_id) {
        org_id -> Text,
        seq -> BigInt,
        hash -> Text,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        org_id -> Text,
        seq -> BigInt,
        at -> Timestamp,
        actor_id -> Nullable<Text>,
        action -> Text,
        object_type -> Text,
        object_id -> Nullable<Text>,
        details -> Text,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    organizations (id) {
        id -> Text,
        name -> Text,
        slug -> Text,
        default_locale -> Text,
        min_group_size -> BigInt,
        weak_threshold -> Double,
        weak_count -> BigInt,
        stuck_stage_days -> BigInt,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        reference_questionnaire_key -> Text,
    }
}

diesel::table! {
    units (id) {
        id -> Text,
        org_id -> Text,
        parent_id -> Nullable<Text>,
        name -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (org_id, id) {
        id -> Text,
        org_id -> Text,
        email -> Text,
        display_name -> Text,
        role -> Text,
        unit_id -> Nullable<Text>,
        active -> Bool,
        password_hash -> Text,
        must_change_password -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        personnel_number -> Nullable<Text>,
        deactivated_at -> Nullable<Timestamp>,
        erased_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        user_id -> Text,
        family_id -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        rotated_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        org_id -> Text,
    }
}

diesel::table! {
    login_attempts (id) {
        id -> Text,
        scope -> Text,
        subject -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(units -> organizations (org_id));
diesel::joinable!(users -> organizations (org_id));

// Improvement ideas (migration 2026-11-26-000003_ideas).

diesel::table! {
    ideas (id) {
        id -> Text,
        org_id -> Text,
        unit_id -> Text,
        author_id -> Text,
        author_share -> BigInt,
        code_word -> Nullable<Text>,
        title -> Text,
        current_situation -> Text,
        proposal -> Text,
        expected_benefit -> Text,
        est_hours_saved_per_year -> Nullable<Double>,
        est_cost_saved_per_year -> Nullable<Double>,
        est_quality_benefit -> Nullable<Text>,
        status -> Text,
        cycle -> BigInt,
        owner_id -> Nullable<Text>,
        duplicate_of_id -> Nullable<Text>,
        decision_reason -> Nullable<Text>,
        vote_count -> BigInt,
        comment_count -> BigInt,
        stage_entered_at -> Timestamp,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    idea_cycles (idea_id, cycle) {
        idea_id -> Text,
        cycle -> BigInt,
        org_id -> Text,
        problem -> Nullable<Text>,
        goal -> Nullable<Text>,
        kpi_name -> Nullable<Text>,
        kpi_unit -> Nullable<Text>,
        kpi_baseline -> Nullable<Double>,
        kpi_target -> Nullable<Double>,
        lower_is_better -> Bool,
        due_date -> Nullable<Text>,
        prediction -> Nullable<Text>,
        do_summary -> Nullable<Text>,
        ran_as_planned -> Nullable<Bool>,
        deviations -> Nullable<Text>,
        measured_value -> Nullable<Double>,
        target_met -> Nullable<Bool>,
        relative_improvement -> Nullable<Double>,
        measured_hours_saved_per_year -> Nullable<Double>,
        measured_cost_saved_per_year -> Nullable<Double>,
        findings -> Nullable<Text>,
        outcome -> Nullable<Text>,
        new_standard -> Nullable<Text>,
        next_cycle_changes -> Nullable<Text>,
        started_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    idea_dimensions (idea_id, dimension_key) {
        idea_id -> Text,
        dimension_key -> Text,
        org_id -> Text,
        status -> Text,
        unit_id -> Text,
        created_at -> Timestamp,
        adopted_at -> Nullable<Timestamp>,
        adopted_hours_saved -> Nullable<Double>,
        adopted_cost_saved -> Nullable<Double>,
    }
}

diesel::table! {
    idea_coauthors (idea_id, user_id) {
        idea_id -> Text,
        user_id -> Text,
        org_id -> Text,
        share -> BigInt,
    }
}

diesel::table! {
    idea_events (id) {
        id -> Text,
        org_id -> Text,
        idea_id -> Text,
        cycle -> BigInt,
        action -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        actor_id -> Text,
        actor_hidden -> Bool,
        note -> Nullable<Text>,
        stage -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    idea_votes (idea_id, user_id) {
        idea_id -> Text,
        user_id -> Text,
        org_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    idea_comments (id) {
        id -> Text,
        org_id -> Text,
        idea_id -> Text,
        author_id -> Text,
        body -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        edited_at -> Nullable<Timestamp>,
        deleted_at -> Nullable<Timestamp>,
        deleted_by -> Nullable<Text>,
    }
}

// Questionnaires and assessment rounds (migration 2026-11-26-000002_assessments).

diesel::table! {
    questionnaires (id) {
        id -> Text,
        org_id -> Text,
        key -> Text,
        version -> BigInt,
        status -> Text,
        builtin -> Bool,
        scale -> Text,
        title -> Text,
        description -> Nullable<Text>,
        created_at -> Timestamp,
        published_at -> Nullable<Timestamp>,
        archived_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    questionnaire_dimensions (questionnaire_id, dimension_key) {
        questionnaire_id -> Text,
        dimension_key -> Text,
        position -> BigInt,
        name -> Text,
        description -> Text,
    }
}

diesel::table! {
    questionnaire_items (questionnaire_id, item_key) {
        questionnaire_id -> Text,
        item_key -> Text,
        dimension_key -> Text,
        position -> BigInt,
        reverse -> Bool,
        text -> Text,
    }
}

diesel::table! {
    assessment_rounds (id) {
        id -> Text,
        org_id -> Text,
        questionnaire_id -> Text,
        title -> Text,
        scope_unit_id -> Nullable<Text>,
        status -> Text,
        opens_at -> Timestamp,
        closes_at -> Timestamp,
        opened_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        eligible_count -> Nullable<BigInt>,
        created_by -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        /// Added by migration 2026-11-26-000005_reassessment.
        period_key -> Nullable<Text>,
    }
}

diesel::table! {
    assessment_participation (round_id, user_id) {
        round_id -> Text,
        user_id -> Text,
        org_id -> Text,
    }
}

diesel::table! {
    assessment_responses (id) {
        id -> Text,
        round_id -> Text,
        unit_id -> Nullable<Text>,
    }
}

diesel::table! {
    assessment_answers (round_id, response_id, item_key) {
        response_id -> Text,
        item_key -> Text,
        round_id -> Text,
        value -> Nullable<BigInt>,
    }
}

diesel::table! {
    assessment_scores (round_id, response_id, dimension_key) {
        response_id -> Text,
        dimension_key -> Text,
        round_id -> Text,
        unit_id -> Nullable<Text>,
        score -> Double,
    }
}

// Reports (migration 2026-11-26-000004_reports).
diesel::table! {
    idea_stage_spans (idea_id, entered_at, stage) {
        idea_id -> Text,
        cycle -> BigInt,
        stage -> Text,
        org_id -> Text,
        unit_id -> Text,
        entered_at -> Timestamp,
        left_at -> Timestamp,
        seconds -> Double,
    }
}

// A closed round's figures, fixed at its close (migration 2026-12-03-000011).
diesel::table! {
    assessment_published_results (org_id, round_id) {
        round_id -> Text,
        min_group_size -> BigInt,
        responses -> BigInt,
        reportable -> Bool,
        results -> Text,
        published_at -> Timestamp,
        org_id -> Text,
    }
}

// Periodic reassessment (migration 2026-11-26-000005_reassessment).
diesel::table! {
    reassessment_schedules (org_id) {
        org_id -> Text,
        enabled -> Bool,
        questionnaire_id -> Nullable<Text>,
        interval_months -> BigInt,
        window_days -> BigInt,
        first_due_at -> Timestamp,
        title_pattern -> Text,
        effective_from -> Timestamp,
        configured_by -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

// Every table, once: diesel needs each pair declared exactly one time.
diesel::allow_tables_to_appear_in_same_query!(
    audit_heads,
    audit_log,
    organizations,
    units,
    users,
    refresh_tokens,
    login_attempts,
    questionnaires,
    questionnaire_dimensions,
    questionnaire_items,
    assessment_rounds,
    assessment_participation,
    assessment_responses,
    assessment_answers,
    assessment_scores,
    ideas,
    idea_cycles,
    idea_dimensions,
    idea_coauthors,
    idea_events,
    idea_votes,
    idea_comments,
    idea_stage_spans,
    assessment_published_results,
    reassessment_schedules,
    sessions,
    login_known_addresses,
    sign_in_configs,
    sign_in_identities,
    sign_in_pending,
    webhook_subscriptions,
    outbox_messages,
    webhook_deliveries,
);

// Sessions (migration 2026-12-03-000012_sessions).
diesel::table! {
    sessions (id) {
        id -> Text,
        org_id -> Text,
        user_id -> Text,
        kind -> Text,
        secret_hash -> Nullable<Text>,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

// Login limits (migration 2026-12-03-000013_login_limits).
diesel::table! {
    login_known_addresses (subject) {
        subject -> Text,
        last_success_at -> Timestamp,
    }
}

// Single sign-on (migration 2026-12-04-000019_sign_in).
diesel::table! {
    sign_in_configs (org_id) {
        org_id -> Text,
        enabled -> Bool,
        issuer_url -> Text,
        client_id -> Text,
        client_secret -> Nullable<Text>,
        scopes -> Text,
        email_claim -> Text,
        groups_claim -> Text,
        group_mappings -> Text,
        password_login -> Bool,
        version -> BigInt,
        updated_at -> Timestamp,
        trust_email_without_verified -> Bool,
    }
}

diesel::table! {
    sign_in_identities (org_id, subject_hash) {
        org_id -> Text,
        subject_hash -> Text,
        user_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sign_in_pending (state_hash) {
        state_hash -> Text,
        org_id -> Text,
        nonce -> Text,
        pkce_verifier -> Text,
        redirect_uri -> Text,
        return_to -> Text,
        mode -> Text,
        expires_at -> Timestamp,
    }
}

// What the reports aggregate over ideas, counted per organisation by triggers
// (migration 2026-12-04-000021_report_versions; see `store::report_cache`).
diesel::table! {
    report_versions (org_id) {
        org_id -> Text,
        ideas_version -> BigInt,
    }
}

// Outbox and webhooks (migration 2026-12-04-000020_outbox).
diesel::table! {
    webhook_subscriptions (id) {
        id -> Text,
        org_id -> Text,
        url -> Text,
        event_types -> Text,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_until -> Nullable<Timestamp>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    outbox_messages (id) {
        id -> Text,
        org_id -> Text,
        event_type -> Text,
        subject_id -> Text,
        subscription_id -> Text,
        payload -> Text,
        status -> Text,
        attempts -> BigInt,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        org_id -> Text,
        subscription_id -> Text,
        message_id -> Text,
        attempt -> BigInt,
        status_code -> Nullable<BigInt>,
        error -> Nullable<Text>,
        duration_ms -> BigInt,
        at -> Timestamp,
    }
}

diesel::table! {
    mail_messages (id) {
        id -> Text,
        org_id -> Text,
        kind -> Text,
        subject_id -> Text,
        payload -> Text,
        status -> Text,
        attempts -> BigInt,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
        dedupe_key -> Nullable<Text>,
    }
}

diesel::table! {
    mail_preferences (user_id) {
        user_id -> Text,
        org_id -> Text,
        language -> Nullable<Text>,
        idea_mails -> Bool,
        updated_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(mail_preferences, users);
