//! The middleware every request passes through, one job each. `build_app`
//! registers them; from the outside in:
//!
//! 1. [`request_id`]: gives the request its id, and the response its
//!    `X-Request-Id`.
//! 2. [`access_log`]: times the request, counts it in the metrics, logs it,
//!    and logs the cause of a server error.
//! 3. [`problem_json`]: errors the framework raised (not our handlers)
//!    become problem+json.
//! 4. [`security_headers`]: nosniff, frame options, referrer policy, a
//!    Content-Security-Policy by path, and no caching of API answers.
//! 5. [`refuse_nul`]: a URL that encodes U+0000 is refused before routing.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};
use rand::RngCore;

use crate::error::{problem_response, ApiError, PROBLEM_JSON};
use crate::state::AppState;

/// What each middleware returns: the response with its body boxed, so that
/// one can replace the body of another's response.
type Response = Result<ServiceResponse<BoxBody>, actix_web::Error>;

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

/// Gives the request a [`RequestId`] (in its extensions, for the handlers and
/// the log) and echoes it in the response's `X-Request-Id`.
pub async fn request_id(req: ServiceRequest, next: Next<impl MessageBody + 'static>) -> Response {
    let id = request_id_of(&req);
    req.extensions_mut().insert(RequestId(id.clone()));
    let mut res = next.call(req).await?.map_into_boxed_body();
    res.headers_mut().insert(
        REQUEST_ID,
        HeaderValue::from_str(&id).unwrap_or(HeaderValue::from_static("invalid")),
    );
    Ok(res)
}

/// Times the request and, once answered, counts it in the metrics (by
/// method, route pattern and status) and logs it at debug level under
/// `redress::access`. A server error is also logged at error level with its
/// cause, which goes to the log and never to the client.
pub async fn access_log(req: ServiceRequest, next: Next<impl MessageBody + 'static>) -> Response {
    let started = Instant::now();
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map(|id| id.0.clone())
        .unwrap_or_default();
    let method = req.method().to_string();
    let path = req.path().to_string();
    // Handlers' and extractors' errors arrive here as responses; an `Err`
    // only comes from a failing service itself and is passed on as it is.
    let res = next.call(req).await?.map_into_boxed_body();
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

/// Makes every error answer problem+json: a 4xx or 5xx response that is not
/// one already (from actix itself, CORS, the docs service) gets a problem
/// document for its status instead of its body.
pub async fn problem_json(req: ServiceRequest, next: Next<impl MessageBody + 'static>) -> Response {
    let res = next.call(req).await?.map_into_boxed_body();
    let status = res.status();
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if (status.is_client_error() || status.is_server_error()) && !is_problem {
        Ok(into_problem(res))
    } else {
        Ok(res)
    }
}

/// Replace a non-problem error body with a problem document, keeping the
/// status, the other headers and the error itself (whose cause
/// [`access_log`] logs).
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
    let (problem_head, problem_body) = problem_response(status, detail).into_parts();
    let (req, old) = res.into_parts();
    let mut new = old.set_body(problem_body);
    let headers = new.headers_mut();
    headers.remove(header::CONTENT_TYPE);
    headers.remove(header::CONTENT_LENGTH);
    for (name, value) in problem_head.headers() {
        headers.append(name.clone(), value.clone());
    }
    ServiceResponse::new(req, new)
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

/// The headers every answer carries: `nosniff`, no framing, no referrer, a
/// Content-Security-Policy for its path unless the handler set one, and
/// `Cache-Control: no-store` under `/api/` unless the handler set one.
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Response {
    let path = req.path().to_string();
    let mut res = next.call(req).await?.map_into_boxed_body();
    let headers = res.headers_mut();
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
    Ok(res)
}

/// No text may hold U+0000 (PostgreSQL cannot store or compare it): a path
/// or query string that encodes one is refused with a 400 before any handler.
pub async fn refuse_nul(req: ServiceRequest, next: Next<impl MessageBody + 'static>) -> Response {
    let encoded_nul = |text: &str| text.to_ascii_lowercase().contains("%00");
    if encoded_nul(req.path()) || encoded_nul(req.query_string()) {
        let problem = ApiError::BadRequest("The URL must not contain U+0000 (%00).".into());
        return Ok(req.into_response(actix_web::ResponseError::error_response(&problem)));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

#[cfg(test)]
mod tests {
    use actix_web::middleware::from_fn;
    use actix_web::{test, App, HttpResponse};

    use super::*;

    /// Copies the cause of the error a response carries into `X-Cause`, as
    /// [`access_log`] would read it.
    async fn show_cause(req: ServiceRequest, next: Next<impl MessageBody + 'static>) -> Response {
        let mut res = next.call(req).await?.map_into_boxed_body();
        let cause = res.response().error().map(|e| e.to_string());
        if let Some(cause) = cause {
            let value = HeaderValue::from_str(&cause).expect("a header value");
            res.headers_mut()
                .insert(HeaderName::from_static("x-cause"), value);
        }
        Ok(res)
    }

    #[actix_web::test]
    async fn framework_errors_become_problems_and_keep_their_cause_for_the_log() {
        let failing = || async {
            Err::<HttpResponse, _>(actix_web::error::ErrorInternalServerError("disk on fire"))
        };
        let app = test::init_service(
            App::new()
                .route("/boom", web::get().to(failing))
                .wrap(from_fn(problem_json))
                .wrap(from_fn(show_cause)),
        )
        .await;
        let res =
            test::call_service(&app, test::TestRequest::get().uri("/boom").to_request()).await;
        assert_eq!(res.status(), 500);
        assert_eq!(res.headers().get("x-cause").unwrap(), "disk on fire");
        assert_eq!(
            res.headers().get(header::CONTENT_TYPE).unwrap(),
            PROBLEM_JSON
        );
        let body: serde_json::Value = test::read_body_json(res).await;
        assert_eq!(body["status"], 500);
        assert_eq!(body["detail"], "The request failed.");
    }
}
