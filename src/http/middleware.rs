//! The middleware every request passes through: request id, metrics, access
//! log, security headers, and problem+json for errors the framework raised.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};
use rand::RngCore;

use crate::error::{problem_response, ApiError, PROBLEM_JSON};
use crate::state::AppState;

/// The request's id: the client's `X-Request-Id` when it sent a sensible one,
/// else a new random one. Available to handlers through request extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

fn request_id_of(req: &ServiceRequest) -> String {
    req.headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 200 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_string)
        .unwrap_or_else(|| {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            let mut bytes = [0u8; 16];
            rand::thread_rng().fill_bytes(&mut bytes);
            let mut id = String::with_capacity(32);
            for b in bytes {
                id.push(HEX[usize::from(b >> 4)] as char);
                id.push(HEX[usize::from(b & 15)] as char);
            }
            id
        })
}

/// Content-Security-Policy for a path: the docs page runs Swagger UI from
/// the binary; the printable report uses inline styles and SVG; everything
/// else is data and may load nothing.
fn content_security_policy(path: &str) -> &'static str {
    if path.starts_with("/docs") {
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"
    } else if path.starts_with("/api/v1/reports") {
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
    } else {
        "default-src 'none'; frame-ancestors 'none'"
    }
}

/// Wraps every request; see the module docs.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let request_id = request_id_of(&req);
    req.extensions_mut().insert(RequestId(request_id.clone()));
    // No text may hold U+0000 (PostgreSQL cannot store or compare it): a
    // path or query string that encodes one is refused before any handler.
    let encoded_nul = |text: &str| text.to_ascii_lowercase().contains("%00");
    let refused = encoded_nul(req.path()) || encoded_nul(req.query_string());
    let method = req.method().to_string();
    let path = req.path().to_string();

    // Handlers' and extractors' errors arrive here as responses; an `Err`
    // only comes from a failing service itself and is passed on as it is.
    // (Holding a clone of the request across the call is not allowed: actix
    // needs it unshared to route it.)
    let mut res = if refused {
        let problem = ApiError::BadRequest("The URL must not contain U+0000 (%00).".into());
        req.into_response(actix_web::ResponseError::error_response(&problem))
    } else {
        next.call(req).await?.map_into_boxed_body()
    };

    let status = res.status();
    if status.is_server_error() {
        let detail = res
            .response()
            .error()
            .map(|e| match e.as_error::<ApiError>() {
                Some(ApiError::Internal(detail)) | Some(ApiError::Unavailable(detail)) => {
                    detail.clone()
                }
                _ => e.to_string(),
            })
            .unwrap_or_default();
        tracing::error!(request_id = %request_id, %method, %path, status = status.as_u16(), %detail, "request failed");
    }
    if status.is_client_error() || status.is_server_error() {
        let is_problem = res
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
        if !is_problem {
            res = into_problem(res);
        }
    }

    let headers = res.headers_mut();
    headers.insert(
        REQUEST_ID,
        HeaderValue::from_str(&request_id).unwrap_or(HeaderValue::from_static("invalid")),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(content_security_policy(&path)),
        );
    }
    // Records and users are personal data; no API answer may be cached.
    if path.starts_with("/api/") && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }

    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_string());
    let elapsed = started.elapsed();
    if let Some(state) = res.request().app_data::<web::Data<AppState>>() {
        state
            .metrics
            .observe(&method, &route, status.as_u16(), elapsed);
    }
    tracing::debug!(
        target: "redress::access",
        request_id = %request_id,
        %method,
        %path,
        status = status.as_u16(),
        micros = elapsed.as_micros() as u64,
        "request"
    );
    Ok(res)
}

/// Replace a non-problem error body (from actix itself, CORS, the docs
/// service) with a problem document, keeping the status and useful headers.
fn into_problem(res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let status = res.status();
    let detail = match status.as_u16() {
        400 => "The request could not be understood.",
        401 => "Authentication is required.",
        403 => "This request is not allowed.",
        404 => crate::error::NOT_FOUND,
        405 => "This path does not allow this method.",
        413 => "The body is larger than the service accepts.",
        415 => "Send the body as application/json.",
        _ => "The request failed.",
    };
    let (req, old) = res.into_parts();
    let mut new = problem_response(status, detail);
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            new.headers_mut().append(name.clone(), value.clone());
        }
    }
    ServiceResponse::new(req, new)
}
