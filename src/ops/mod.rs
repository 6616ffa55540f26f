//! Operations endpoints and background maintenance.

pub mod api;

use std::time::Duration;

use crate::state::AppState;

/// Write the access log's waiting entries every two seconds, and settle its
/// queue in a quiet tick (see [`crate::access::AccessLog::tick`]).
pub async fn flush_access_log(state: actix_web::web::Data<AppState>) {
    let mut interval = actix_web::rt::time::interval(crate::access::FLUSH_EVERY);
    loop {
        interval.tick().await;
        state.access.tick(|| state.metrics.requests()).await;
    }
}

/// Apply the retention schedule once a day at `at` (UTC): each minute,
/// if the time has come and no instance has run it for today, run it (the
/// lease in the database lets one instance of several do it).
pub async fn daily_retention(state: actix_web::web::Data<AppState>, at: chrono::NaiveTime) {
    let mut interval = actix_web::rt::time::interval(Duration::from_secs(60));
    loop {
        interval.tick().await;
        let now = chrono::Utc::now().naive_utc();
        if now.time() < at {
            continue;
        }
        let today = state.config.today.unwrap_or_else(crate::calendar::uk_today);
        let done = state
            .db
            .run(crate::retention::run::last_run_on)
            .await
            .map(|last| last.is_some_and(|day| day >= today));
        match done {
            Ok(true) => continue,
            Ok(false) => {}
            Err(error) => {
                tracing::warn!(%error, "cannot read the retention run's state");
                continue;
            }
        }
        match crate::retention::run::run(&state.db, &state.documents, today, false).await {
            Ok(_) | Err(crate::error::ApiError::Conflict(_)) => {}
            Err(error) => tracing::warn!(%error, "the retention run failed"),
        }
    }
}

/// Every hour, drop idempotency keys past their retention and stale login
/// throttling rows, remove the files of documents let go, and purge the
/// access log past its retention. Each instance does it; doing it twice is
/// harmless.
pub async fn maintenance(state: actix_web::web::Data<AppState>) {
    let mut interval = actix_web::rt::time::interval(Duration::from_secs(3600));
    loop {
        interval.tick().await;
        let result = state
            .db
            .write(|conn| {
                let at = crate::db::now();
                let keys = crate::http::idempotency::purge(conn, at)?;
                let throttles = crate::auth::throttle::purge(conn, at)?;
                crate::webhooks::outbox::purge(conn, at)?;
                Ok((keys, throttles))
            })
            .await;
        match result {
            Ok((keys, throttles)) => tracing::debug!(keys, throttles, "maintenance done"),
            Err(error) => tracing::warn!(%error, "maintenance failed"),
        }
        match crate::subject_access::api::purge_expired(&state).await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(
                purged,
                "purged subject access exports past their seven days"
            ),
            Err(error) => tracing::warn!(%error, "cannot purge subject access exports"),
        }
        state.documents.purge(&state.db).await;
        match state.access.purge().await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "purged access log entries past their retention"),
            Err(error) => tracing::warn!(%error, "cannot purge the access log"),
        }
    }
}
