//! Integration tests: the real App over HTTP (`actix_web::test`), on SQLite by
//! default and on PostgreSQL with `TEST_DATABASE_URL` set.

mod common;
// `redress demo`'s data set (a module of the binary), which the report
// tests load; they do not read the counts it returns.
#[allow(dead_code)]
#[path = "../src/demo/mod.rs"]
mod demo;

mod access_log;
mod actions;
mod auth;
mod authz;
mod backup;
mod breakdowns;
mod calendar;
mod casework;
mod code;
mod conformance;
mod directorates;
mod disclosure;
mod documents;
mod erasure;
mod errors;
mod feedback;
mod feedback_lists;
mod hostile;
mod imports;
mod improvements;
mod letters;
mod limits;
mod login;
mod negotiation;
mod oidc;
mod ombudsman;
mod ombudsman_rounds;
mod ops;
mod published;
mod records;
mod reopening;
mod reports;
mod retention;
mod settings;
mod spec;
mod statistics;
mod statutory_rules;
mod subject_access;
mod users;
mod webhooks;
