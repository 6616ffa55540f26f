//! Content negotiation (RFC 9110, section 12.5.1): which of the media types
//! an endpoint can make the client's `Accept` header takes best.
//!
//! - The highest `q` wins; `q=0` refuses a type.
//! - Each type is weighed by the most specific range that names it
//!   (`text/csv` before `text/*` before `*/*`).
//! - Between equal `q`, the range the client listed first wins, then the
//!   endpoint's own order, which puts JSON first: `*/*` and a missing
//!   `Accept` get JSON on every `/api/v1/` path.
//!
//! An `Accept` that takes none of the endpoint's types gets 406 (see
//! [`acceptable`] for the endpoints that make only one).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, ResponseError};

use crate::error::ApiError;

/// One media range of an `Accept` header.
#[derive(Debug, Clone, PartialEq)]
struct Range {
    kind: String,
    subtype: String,
    /// The weight in thousandths (`q=0.8` is 800).
    quality: u16,
}

impl Range {
    /// How specifically the range names `media_type` (2 exactly, 1 by its
    /// type, 0 by `*/*`), or `None` when it does not.
    fn matches(&self, kind: &str, subtype: &str) -> Option<u8> {
        match (self.kind.as_str(), self.subtype.as_str()) {
            ("*", "*") => Some(0),
            (k, "*") if k.eq_ignore_ascii_case(kind) => Some(1),
            (k, s) if k.eq_ignore_ascii_case(kind) && s.eq_ignore_ascii_case(subtype) => Some(2),
            _ => None,
        }
    }
}

/// The weight `q=` gives, in thousandths; `None` when it is malformed.
fn quality(value: &str) -> Option<u16> {
    let value = value.trim();
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = format!("{fraction:0<3}").parse::<u16>().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

/// The ranges of an `Accept` header in the client's order; a malformed
/// range is left out.
fn parse(accept: &str) -> Vec<Range> {
    accept
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.split(';');
            let media = pieces.next()?.trim();
            let (kind, subtype) = media.split_once('/')?;
            if kind.is_empty() || subtype.is_empty() || (kind == "*" && subtype != "*") {
                return None;
            }
            let mut q = 1000;
            for parameter in pieces {
                if let Some((name, value)) = parameter.split_once('=') {
                    if name.trim().eq_ignore_ascii_case("q") {
                        q = quality(value)?;
                    }
                }
            }
            Some(Range {
                kind: kind.trim().to_string(),
                subtype: subtype.trim().to_string(),
                quality: q,
            })
        })
        .collect()
}

/// The weight `ranges` give `media_type`, and the position of the range
/// that gives it: the most specific range naming it decides.
fn weigh(ranges: &[Range], media_type: &str) -> Option<(u16, usize)> {
    let (kind, subtype) = media_type.split_once('/')?;
    ranges
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.matches(kind, subtype).map(|s| (s, i, r.quality)))
        .max_by_key(|(specificity, i, _)| (*specificity, std::cmp::Reverse(*i)))
        .map(|(_, i, q)| (q, i))
        .filter(|(q, _)| *q > 0)
}

/// Of `offers` (the endpoint's media types, its preference first), the one
/// `accept` takes best; the first when there is no `Accept`, or it names
/// nothing readable; `None` when it refuses them all.
pub fn choose<'a>(accept: Option<&str>, offers: &[&'a str]) -> Option<&'a str> {
    let ranges = accept.map(parse).unwrap_or_default();
    if ranges.is_empty() {
        return offers.first().copied();
    }
    offers
        .iter()
        .enumerate()
        .filter_map(|(preference, offer)| {
            weigh(&ranges, offer).map(|(q, position)| (q, position, preference, *offer))
        })
        .min_by_key(|(q, position, preference, _)| (std::cmp::Reverse(*q), *position, *preference))
        .map(|(_, _, _, offer)| offer)
}

/// The request's `Accept` header, if it is readable.
pub fn accept_of(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
}

/// Of `offers`, the one the request takes best; 406 when it takes none.
pub fn negotiate<'a>(req: &HttpRequest, offers: &[&'a str]) -> Result<&'a str, ApiError> {
    choose(accept_of(req), offers).ok_or_else(|| {
        ApiError::NotAcceptable(format!(
            "This endpoint answers {}: none of them is acceptable to `Accept: {}`.",
            offers.join(", "),
            accept_of(req).unwrap_or_default()
        ))
    })
}

/// 406 for a `GET` under `/api/v1/` whose successful answer is of a type
/// its `Accept` refuses: the endpoints that make one type (JSON, a
/// document's own type) answer it whatever the header says, so the check
/// is made on the answer. Writes are not checked (their work is done by
/// then), nor error answers (always `application/problem+json`), nor a
/// request that names its type with `format=`.
pub async fn acceptable(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    // `format=` asks for a type whatever `Accept` says.
    let asks_by_format = req
        .query_string()
        .split('&')
        .any(|pair| pair.starts_with("format="));
    let checked = matches!(*req.method(), Method::GET | Method::HEAD)
        && req.path().starts_with("/api/v1/")
        && req.headers().contains_key(header::ACCEPT)
        && !asks_by_format;
    let res = next.call(req).await?.map_into_boxed_body();
    if !checked || !res.status().is_success() {
        return Ok(res);
    }
    let content_type = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    let Some(content_type) = content_type else {
        return Ok(res);
    };
    match negotiate(res.request(), &[content_type.as_str()]) {
        Ok(_) => Ok(res),
        Err(error) => {
            let (req, _) = res.into_parts();
            Ok(ServiceResponse::new(req, error.error_response()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: [&str; 4] = [
        "application/json",
        "text/html",
        "application/pdf",
        "text/csv",
    ];
    const STATISTICS: [&str; 3] = [
        "application/json",
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ];

    #[test]
    fn json_for_anything_and_for_nothing() {
        assert_eq!(choose(None, &REPORT), Some("application/json"));
        assert_eq!(choose(Some("*/*"), &REPORT), Some("application/json"));
        assert_eq!(choose(Some(""), &REPORT), Some("application/json"));
        assert_eq!(
            choose(Some("application/*"), &REPORT),
            Some("application/json")
        );
    }

    #[test]
    fn the_clients_order_breaks_ties_and_q_values_decide() {
        let c = |accept| choose(Some(accept), &REPORT);
        assert_eq!(c("application/json, text/html"), Some("application/json"));
        assert_eq!(c("text/html, application/json"), Some("text/html"));
        assert_eq!(
            c("application/json;q=0.9, text/html;q=0.8"),
            Some("application/json")
        );
        assert_eq!(
            c("text/html;q=0.5, application/json;q=0.6"),
            Some("application/json")
        );
        // A browser.
        assert_eq!(
            c("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
            Some("text/html")
        );
        let s = |accept| choose(Some(accept), &STATISTICS);
        assert_eq!(
            s("text/csv;q=0.1, application/json"),
            Some("application/json")
        );
        assert_eq!(s("application/json;q=0.1, text/csv"), Some("text/csv"));
        assert_eq!(s("text/*"), Some("text/csv"));
    }

    #[test]
    fn the_most_specific_range_decides_and_q_zero_refuses() {
        let s = |accept| choose(Some(accept), &STATISTICS);
        assert_eq!(s("*/*, application/json;q=0"), Some("text/csv"));
        assert_eq!(
            s("application/json;q=0, text/csv;q=0, */*;q=0.1"),
            Some(STATISTICS[2])
        );
        assert_eq!(s("image/png"), None);
        assert_eq!(s("application/json;q=0"), None);
        // Case and spaces do not matter; parameters other than q are kept out.
        assert_eq!(s(" Text/CSV ; charset=utf-8 "), Some("text/csv"));
        // A malformed range is left out.
        assert_eq!(
            s("text/csv;q=2, application/json;q=0.5"),
            Some("application/json")
        );
        assert_eq!(s("nonsense"), Some("application/json"));
    }
}
