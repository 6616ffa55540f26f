//! Diesel's view of the tables, the same on both backends (see `migrations/`).

diesel::table! {
    directorates (code) {
        code -> Text,
        name -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        display_name -> Text,
        role -> Text,
        directorates -> Text,
        password_hash -> Text,
        active -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        token_version -> BigInt,
        identity_issuer -> Nullable<Text>,
        external_subject -> Nullable<Text>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        occurred_at -> Timestamp,
        actor_id -> Nullable<BigInt>,
        actor -> Text,
        entity_type -> Text,
        entity_id -> Text,
        action -> Text,
        changes -> Text,
        request_id -> Nullable<Text>,
    }
}

diesel::table! {
    idempotency_keys (scope, idem_key) {
        scope -> Text,
        idem_key -> Text,
        request_hash -> Text,
        status -> Integer,
        resource_type -> Nullable<Text>,
        resource_key -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    login_attempts (attempt_key) {
        attempt_key -> Text,
        failures -> Integer,
        last_failure_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    instance_secrets (name) {
        name -> Text,
        secret -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    bank_holidays (holiday_date) {
        holiday_date -> Date,
        title -> Text,
    }
}

diesel::table! {
    calendar_state (id) {
        id -> Integer,
        revision -> BigInt,
    }
}

diesel::table! {
    users_revision (id) {
        id -> Integer,
        revision -> BigInt,
    }
}

diesel::table! {
    feedback (id) {
        id -> BigInt,
        reference -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Text,
        directorate -> Text,
        kind -> Text,
        procedure -> Nullable<Text>,
        stage -> Nullable<Integer>,
        service_area -> Nullable<Text>,
        team -> Nullable<Text>,
        category -> Nullable<Text>,
        sub_category -> Nullable<Text>,
        themes -> Text,
        summary -> Nullable<Text>,
        channel -> Nullable<Text>,
        complainant -> Nullable<Text>,
        complainant_name -> Nullable<Text>,
        is_young_person -> Nullable<Bool>,
        advocate_assisted -> Nullable<Bool>,
        received_on -> Date,
        acknowledged_on -> Nullable<Date>,
        responded_on -> Nullable<Date>,
        closed_on -> Nullable<Date>,
        extended_due_on -> Nullable<Date>,
        extension_reason -> Nullable<Text>,
        outcome -> Nullable<Text>,
        remedies -> Text,
        learning -> Nullable<Text>,
        parent_id -> Nullable<BigInt>,
        reopened -> Bool,
        external_ref -> Nullable<Text>,
        due_on -> Nullable<Date>,
        limit_on -> Nullable<Date>,
        working_days_taken -> Nullable<Integer>,
        redacted_at -> Nullable<Timestamp>,
        panel_held_on -> Nullable<Date>,
        panel_report_on -> Nullable<Date>,
        extension_agreed_on -> Nullable<Date>,
        target_due_on -> Nullable<Date>,
        within_target -> Nullable<Bool>,
        within_original_target -> Nullable<Bool>,
        complainant_relationship -> Nullable<Text>,
        handler_id -> Nullable<BigInt>,
        investigator_id -> Nullable<BigInt>,
        investigator_name -> Nullable<Text>,
        reopened_on -> Nullable<Date>,
        remedies_on_time -> Integer,
        remedies_late -> Integer,
        remedies_not_done -> Integer,
        refused_on -> Nullable<Date>,
        refusal_reason -> Nullable<Text>,
        refusal_details -> Nullable<Text>,
        ombudsman_signposted -> Bool,
        escalation_refused_on -> Nullable<Date>,
        escalation_refusal_reason -> Nullable<Text>,
        reasonable_adjustments -> Nullable<Text>,
        adjustments_review_on -> Nullable<Date>,
        extension_notified_on -> Nullable<Date>,
    }
}

diesel::table! {
    feedback_themes (feedback_id, theme) {
        feedback_id -> BigInt,
        theme -> Text,
    }
}

diesel::table! {
    ombudsman_cases (id) {
        id -> BigInt,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Text,
        ombudsman -> Text,
        reference -> Text,
        directorate -> Text,
        feedback_id -> Nullable<BigInt>,
        category -> Nullable<Text>,
        sub_category -> Nullable<Text>,
        received_on -> Date,
        summary -> Nullable<Text>,
        witness_summons -> Bool,
        decision -> Nullable<Text>,
        decision_bucket -> Nullable<Text>,
        decided_on -> Nullable<Date>,
        remedied_before_ombudsman -> Bool,
        public_report -> Bool,
        public_report_title -> Nullable<Text>,
        compliance_outcome -> Nullable<Text>,
        compliance_recorded_on -> Nullable<Date>,
        compliance_explicit -> Bool,
        redacted_at -> Nullable<Timestamp>,
        witness_summons_warned_on -> Nullable<Date>,
        witness_summons_on -> Nullable<Date>,
        service_area -> Nullable<Text>,
        public_report_on -> Nullable<Date>,
        handler_id -> Nullable<BigInt>,
        investigator_id -> Nullable<BigInt>,
        investigator_name -> Nullable<Text>,
    }
}

diesel::table! {
    ombudsman_case_themes (case_id, theme) {
        case_id -> BigInt,
        theme -> Text,
    }
}

diesel::table! {
    ombudsman_decisions (id) {
        id -> BigInt,
        case_id -> BigInt,
        round -> Integer,
        decision -> Nullable<Text>,
        decision_bucket -> Nullable<Text>,
        decided_on -> Nullable<Date>,
        remedied_before_ombudsman -> Bool,
        reopened_on -> Nullable<Date>,
    }
}

diesel::table! {
    ombudsman_information_requests (id) {
        id -> BigInt,
        case_id -> BigInt,
        position -> Integer,
        requested_on -> Date,
        due_on -> Date,
        provided_on -> Nullable<Date>,
        extension_requested_on -> Nullable<Date>,
        extended_due_on -> Nullable<Date>,
    }
}

diesel::table! {
    ombudsman_recommendations (id) {
        id -> BigInt,
        case_id -> BigInt,
        position -> Integer,
        kind -> Text,
        description -> Nullable<Text>,
        amount_pence -> Nullable<BigInt>,
        due_on -> Nullable<Date>,
        completed_on -> Nullable<Date>,
    }
}

diesel::table! {
    service_improvements (id) {
        id -> BigInt,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Text,
        directorate -> Text,
        description -> Text,
        ombudsman_case_id -> Nullable<BigInt>,
        feedback_id -> Nullable<BigInt>,
        kind -> Nullable<Text>,
        category -> Nullable<Text>,
        sub_category -> Nullable<Text>,
        owner -> Nullable<Text>,
        agreed_on -> Date,
        due_on -> Nullable<Date>,
        completed_on -> Nullable<Date>,
        evidence -> Nullable<Text>,
        status -> Text,
        published -> Bool,
        redacted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    settings (id) {
        id -> Integer,
        council_name -> Text,
        authority_type -> Text,
        population -> Nullable<BigInt>,
        benchmarks -> Text,
        version -> BigInt,
        updated_at -> Timestamp,
        overview_basis -> Text,
        populations -> Text,
        code_procedures -> Text,
    }
}

diesel::table! {
    code_assessments (id) {
        id -> BigInt,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Text,
        year -> Integer,
        occasion -> Text,
        title -> Text,
        revision -> Integer,
        supersedes_id -> Nullable<BigInt>,
        compliance_threshold_percent -> Integer,
        sections -> Text,
        approved_by -> Nullable<Text>,
        approved_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    code_years (year) {
        year -> Integer,
        presented_on -> Nullable<Date>,
        body -> Nullable<Text>,
        response -> Nullable<Text>,
        published_on -> Nullable<Date>,
        version -> BigInt,
        updated_at -> Timestamp,
        updated_by -> Text,
    }
}

diesel::table! {
    timescale_state (id) {
        id -> Integer,
        revision -> BigInt,
        stored_clocks_formula -> Integer,
    }
}

diesel::table! {
    timescale_versions (effective_from) {
        effective_from -> Date,
        rules -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
    }
}

diesel::table! {
    actions (id) {
        id -> BigInt,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Text,
        redacted_at -> Nullable<Timestamp>,
        directorate -> Text,
        feedback_id -> Nullable<BigInt>,
        ombudsman_case_id -> Nullable<BigInt>,
        recommendation -> Nullable<Integer>,
        remedy -> Nullable<Integer>,
        description -> Text,
        owner_id -> Nullable<BigInt>,
        owner_name -> Nullable<Text>,
        due_on -> Nullable<Date>,
        completed_on -> Nullable<Date>,
        evidence -> Nullable<Text>,
    }
}

diesel::table! {
    feedback_rounds (feedback_id, round) {
        feedback_id -> BigInt,
        round -> Integer,
        started_on -> Date,
        responded_on -> Date,
        outcome -> Nullable<Text>,
        reopened_on -> Date,
        reason -> Text,
        reopened_by -> Text,
    }
}

diesel::table! {
    contacts (id) {
        id -> BigInt,
        entity -> Text,
        record_id -> BigInt,
        directorate -> Text,
        occurred_at -> Timestamp,
        direction -> Text,
        channel -> Text,
        party -> Text,
        summary -> Text,
        created_at -> Timestamp,
        created_by -> Text,
        redacted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    documents (id) {
        id -> BigInt,
        entity -> Text,
        record_id -> BigInt,
        directorate -> Nullable<Text>,
        title -> Text,
        kind -> Text,
        filename -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        storage -> Text,
        storage_key -> Text,
        created_at -> Timestamp,
        created_by -> Text,
        redacted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    document_contents (storage_key) {
        storage_key -> Text,
        content -> Binary,
    }
}

diesel::table! {
    document_purges (storage_key) {
        storage_key -> Text,
        queued_at -> Timestamp,
    }
}

diesel::table! {
    letter_templates (name) {
        name -> Text,
        entity -> Text,
        title -> Text,
        body -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
    }
}

diesel::table! {
    access_log_queue (id) {
        id -> BigInt,
        entries -> Text,
    }
}

diesel::table! {
    access_log (id) {
        id -> BigInt,
        occurred_at -> Timestamp,
        user_id -> Nullable<BigInt>,
        username -> Text,
        entity -> Text,
        entity_id -> Text,
        access -> Text,
        detail -> Nullable<Text>,
        address -> Nullable<Text>,
        request_id -> Nullable<Text>,
    }
}

diesel::table! {
    retention_schedule (id) {
        id -> Integer,
        rules -> Text,
        version -> BigInt,
        updated_at -> Timestamp,
        updated_by -> Text,
    }
}

diesel::table! {
    legal_holds (entity, record_id) {
        entity -> Text,
        record_id -> BigInt,
        reason -> Text,
        placed_at -> Timestamp,
        placed_by -> Text,
    }
}

diesel::table! {
    job_leases (name) {
        name -> Text,
        holder -> Text,
        expires_at -> Timestamp,
        last_run_on -> Nullable<Date>,
    }
}

diesel::table! {
    subject_access_requests (id) {
        id -> BigInt,
        received_on -> Date,
        due_on -> Date,
        extended_due_on -> Nullable<Date>,
        extension_reason -> Nullable<Text>,
        criteria -> Text,
        selection -> Text,
        completed_on -> Nullable<Date>,
        export_key -> Nullable<Text>,
        export_storage -> Nullable<Text>,
        export_sha256 -> Nullable<Text>,
        export_size -> Nullable<BigInt>,
        export_expires_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        created_by -> Text,
    }
}

diesel::table! {
    import_jobs (id) {
        id -> BigInt,
        kind -> Text,
        directorate -> Nullable<Text>,
        dry_run -> Bool,
        filename -> Nullable<Text>,
        status -> Text,
        rows_total -> BigInt,
        rows_processed -> BigInt,
        rows_created -> BigInt,
        rows_updated -> BigInt,
        rows_skipped -> BigInt,
        rows_rejected -> BigInt,
        errors -> Text,
        error_count -> BigInt,
        failure -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Text,
        started_at -> Nullable<Timestamp>,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(feedback -> directorates (directorate));
diesel::joinable!(feedback_themes -> feedback (feedback_id));
diesel::joinable!(feedback_rounds -> feedback (feedback_id));
diesel::joinable!(ombudsman_decisions -> ombudsman_cases (case_id));
diesel::joinable!(ombudsman_case_themes -> ombudsman_cases (case_id));
diesel::joinable!(ombudsman_information_requests -> ombudsman_cases (case_id));
diesel::joinable!(ombudsman_recommendations -> ombudsman_cases (case_id));

diesel::table! {
    webhooks (id) {
        id -> BigInt,
        version -> BigInt,
        url -> Text,
        secret -> Text,
        event_types -> Text,
        directorates -> Text,
        include_personal_data -> Bool,
        active -> Bool,
        description -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Text,
    }
}

diesel::table! {
    webhook_events (id) {
        id -> BigInt,
        event_type -> Text,
        entity_type -> Text,
        entity_id -> Text,
        directorate -> Nullable<Text>,
        occurred_at -> Timestamp,
        data -> Text,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        webhook_id -> BigInt,
        event_id -> BigInt,
        entity_type -> Text,
        entity_id -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        lease_until -> Nullable<Timestamp>,
        last_attempt_at -> Nullable<Timestamp>,
        last_status_code -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<Timestamp>,
        give_up_at -> Timestamp,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> BigInt,
        delivery_id -> BigInt,
        attempted_at -> Timestamp,
        status_code -> Nullable<Integer>,
        error -> Nullable<Text>,
        duration_ms -> BigInt,
    }
}

diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));
diesel::joinable!(webhook_deliveries -> webhook_events (event_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));

diesel::allow_tables_to_appear_in_same_query!(
    webhooks,
    webhook_events,
    webhook_deliveries,
    webhook_attempts,
    feedback_rounds,
    actions,
    contacts,
    documents,
    document_contents,
    document_purges,
    letter_templates,
    access_log,
    access_log_queue,
    retention_schedule,
    legal_holds,
    job_leases,
    import_jobs,
    subject_access_requests,
    directorates,
    users,
    audit_log,
    idempotency_keys,
    login_attempts,
    instance_secrets,
    bank_holidays,
    calendar_state,
    feedback,
    feedback_themes,
    ombudsman_cases,
    ombudsman_case_themes,
    ombudsman_decisions,
    ombudsman_information_requests,
    ombudsman_recommendations,
    service_improvements,
    settings,
    code_assessments,
    code_years,
    timescale_state,
    timescale_versions,
);
