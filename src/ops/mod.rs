//! Operations endpoints and background maintenance.

pub mod api;

use std::time::Duration;

use crate::state::AppState;

/// Write the access log's waiting entries every second.
pub async fn flush_access_log(state: actix_web::web::Data<AppState>) {
    let mut interval = actix_web::rt::time::interval(Duration::from_secs(1));
    loop {
        interval.tick().await;
        state.access.flush().await;
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
                Ok((keys, throttles))
            })
            .await;
        match result {
            Ok((keys, throttles)) => tracing::debug!(keys, throttles, "maintenance done"),
            Err(error) => tracing::warn!(%error, "maintenance failed"),
        }
        state.documents.purge(&state.db).await;
        match state.access.purge().await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "purged access log entries past their retention"),
            Err(error) => tracing::warn!(%error, "cannot purge the access log"),
        }
    }
}
