//! The framework's ceiling: an actix-web server whose one handler answers a
//! small JSON object and does nothing else. `bench/ratios.sh` loads it with
//! the same tool and flags as Redress, and divides.
//!
//! `cargo run --release --example noop -- 127.0.0.1:8081`

use actix_web::{get, App, HttpResponse, HttpServer};

/// A JSON answer about the size of `GET /api/v1/me`'s.
#[get("/noop")]
async fn noop() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({
        "id": 1, "username": "admin", "display_name": "Admin", "role": "admin",
        "directorates": [], "active": true,
    }))
}

fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8081".into());
    actix_web::rt::System::new().block_on(async move {
        // The worker count Redress uses: one per core.
        HttpServer::new(|| App::new().service(noop))
            .bind(addr)?
            .run()
            .await
    })
}
