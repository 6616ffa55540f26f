//! The [`Today`] extractor: the request's date, taken once.

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

use crate::calendar::{uk_today, Today};
use crate::error::ApiError;
use crate::state::AppState;

/// The request's date: `REDRESS_TODAY` when configured, else the UK date
/// now. The first call for a request fixes it; later calls get the same day.
pub fn today_of(req: &HttpRequest) -> Today {
    if let Some(today) = req.extensions().get::<Today>() {
        return *today;
    }
    let configured = req
        .app_data::<web::Data<AppState>>()
        .and_then(|state| state.config.today);
    let today = Today(configured.unwrap_or_else(uk_today));
    req.extensions_mut().insert(today);
    today
}

impl FromRequest for Today {
    type Error = ApiError;
    type Future = Ready<Result<Today, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(today_of(req)))
    }
}
