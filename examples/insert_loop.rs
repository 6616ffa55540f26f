//! The database's ceiling for a create: a tight loop of transactions, each
//! inserting one feedback row and one audit row, as `POST /feedback` does,
//! with nothing else around it (no HTTP, no JSON, no validation). On
//! SQLite one thread (the database has one writer), on PostgreSQL THREADS.
//! `bench/ratios.sh` runs it beside `POST /feedback` and divides.
//!
//! `DATABASE_URL=sqlite://bench.db cargo run --release --example insert_loop -- SECONDS [THREADS]`

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use diesel::prelude::*;
use redress::db::schema::{audit_log, feedback};
use redress::db::{self, Db};
use redress::per_backend;

fn insert_one(conn: &mut db::DbConnection, n: i64) -> Result<(), redress::error::ApiError> {
    let now = db::now();
    let received = NaiveDate::from_ymd_opt(2025, 6, 2).expect("a date");
    let id: i64 = per_backend!(conn, |c| diesel::insert_into(feedback::table)
        .values((
            feedback::version.eq(1_i64),
            feedback::created_at.eq(now),
            feedback::updated_at.eq(now),
            feedback::created_by.eq("loop"),
            feedback::directorate.eq("adults"),
            feedback::kind.eq("complaint"),
            feedback::procedure.eq("statutory_adults"),
            feedback::stage.eq(1),
            feedback::category.eq("Charging"),
            feedback::sub_category.eq("Outcome of financial assessment"),
            feedback::themes.eq("[]"),
            feedback::summary.eq("Unhappy with the outcome of a financial assessment."),
            feedback::channel.eq("email"),
            feedback::complainant.eq(r#"{"name":"Test Person","relationship":"representative"}"#),
            feedback::complainant_name.eq("Test Person"),
            feedback::received_on.eq(received),
            feedback::remedies.eq("[]"),
            feedback::reopened.eq(false),
            feedback::due_on.eq(received),
            feedback::limit_on.eq(received),
            feedback::remedies_on_time.eq(0),
            feedback::remedies_late.eq(0),
            feedback::remedies_not_done.eq(0),
            feedback::ombudsman_signposted.eq(false),
        ))
        .returning(feedback::id)
        .get_result(c))?;
    per_backend!(conn, |c| diesel::insert_into(audit_log::table)
        .values((
            audit_log::occurred_at.eq(now),
            audit_log::actor.eq("loop"),
            audit_log::entity_type.eq("feedback"),
            audit_log::entity_id.eq(id.to_string()),
            audit_log::action.eq("create"),
            audit_log::changes.eq(format!(r#"{{"summary":{{"from":null,"to":"{n}"}}}}"#)),
        ))
        .execute(c))?;
    Ok(())
}

fn main() -> Result<(), String> {
    let usage = "usage: insert_loop SECONDS [THREADS]";
    let arg = |n: usize, default: u64| -> Result<u64, String> {
        std::env::args()
            .nth(n)
            .map(|v| v.parse().map_err(|_| usage.to_string()))
            .transpose()
            .map(|v| v.unwrap_or(default))
    };
    let seconds = arg(1, 10)?;
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite://data/redress.db".into());
    let threads = if url.starts_with("sqlite") {
        1
    } else {
        arg(2, 16)?
    };
    let db = Db::connect(&url, threads as u32 + 1, None)?;
    redress::prepare_database(&mut *db.get().map_err(|e| e.to_string())?)?;
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let rows: u64 = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let db = &db;
                scope.spawn(move || {
                    let mut conn = db.get().expect("a connection");
                    let mut done = 0_u64;
                    while Instant::now() < deadline {
                        db::write_tx(&mut conn, |c| insert_one(c, done as i64)).expect("an insert");
                        done += 1;
                    }
                    done
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("a thread"))
            .sum()
    });
    println!(
        "{rows} transactions in {seconds} s on {threads} thread(s): {:.0} rows/s",
        rows as f64 / seconds as f64
    );
    Ok(())
}
