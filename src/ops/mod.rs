//! Operations endpoints and background maintenance.

pub mod api;

use std::time::Duration;

use crate::state::AppState;

/// Every hour, drop idempotency keys past their retention and stale login
/// throttling rows. Each instance does it; doing it twice is harmless.
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
    }
}
