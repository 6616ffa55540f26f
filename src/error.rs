//! `ApiError`: the one error type of the service, rendered as RFC 9457
//! `application/problem+json`.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

/// The detail of every 404.
pub const NOT_FOUND: &str = "Nothing exists at this address, or you may not see it.";

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One problem with one field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// Where the problem is: a field name, a dotted path into nested objects
    /// (`complainant.email`, `remedies[0].amount_pence`), or a query parameter.
    pub field: String,
    /// What is wrong with it, in words a user can act on.
    pub message: String,
}

impl FieldError {
    /// A problem with `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// An RFC 9457 problem document: the body of every 4xx and 5xx response.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:redress:problem:validation",
    "title": "Unprocessable Content",
    "status": 422,
    "detail": "The request has 1 invalid field.",
    "errors": [{"field": "received_on", "message": "must not be in the future"}]
}))]
pub struct Problem {
    /// A URI naming the kind of problem, stable for clients to branch on.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// The HTTP status phrase.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong, for a human.
    pub detail: String,
    /// One entry per invalid field (empty unless the status is 422).
    pub errors: Vec<FieldError>,
}

/// Collects field errors so that a request is answered with all of them at once.
#[derive(Debug, Default)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    /// An empty collection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Record a problem with `field`.
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    /// Whether `field` already has a problem recorded.
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|e| e.field == field)
    }

    /// Whether nothing is wrong.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Add every error of `other`.
    pub fn extend(&mut self, other: FieldErrors) {
        self.0.extend(other.0);
    }

    /// The errors collected.
    pub fn into_errors(self) -> Vec<FieldError> {
        self.0
    }

    /// `Ok(())` when empty, else a 422 carrying every error.
    pub fn into_result(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.0))
        }
    }
}

/// Every way a request can fail. Each variant has one HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the body is not JSON at all, or a query parameter cannot be parsed.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// 400: a query parameter cannot be read; one entry per parameter.
    #[error("bad query parameter")]
    BadParameter(Vec<FieldError>),
    /// 401: no token, or a token that is invalid, expired or revoked.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// 403: the caller's role or directorates do not allow this.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// 404: no such resource, or one the caller may not see.
    #[error("not found: {0}")]
    NotFound(String),
    /// 405: the path exists but not with this method.
    #[error("method not allowed")]
    MethodNotAllowed {
        /// The methods the path does have.
        allow: Vec<String>,
    },
    /// 406: the client accepts no representation this endpoint offers.
    #[error("not acceptable: {0}")]
    NotAcceptable(String),
    /// 409: a duplicate, or a transition the record's state does not allow.
    #[error("conflict: {0}")]
    Conflict(String),
    /// 412: `If-Match` names a version that is no longer current.
    #[error("precondition failed: {0}")]
    PreconditionFailed(String),
    /// 410: the resource existed but its content was deleted (a redacted
    /// document).
    #[error("gone: {0}")]
    Gone(String),
    /// 413: the body is larger than the service accepts.
    #[error("payload too large")]
    PayloadTooLarge {
        /// The most it accepts, in bytes.
        limit: usize,
    },
    /// 415: the body is not `application/json`.
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    /// 422: the request is well-formed but invalid; one entry per field.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// 429: too many attempts; try again after the given number of seconds.
    #[error("too many requests")]
    TooManyRequests {
        /// Seconds until the next attempt will be considered.
        retry_after_secs: u64,
    },
    /// 503: the service is too busy for this request now; retry after the
    /// given number of seconds.
    #[error("overloaded")]
    Overloaded {
        /// Seconds until a retry is likely to be served.
        retry_after_secs: u64,
    },
    /// 503: a dependency (the database) is not available.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// 500: a bug or an unexpected failure. The detail is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// A 422 for a single field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(field, message)])
    }

    /// The one 404 for every resource: the same words whether it does not
    /// exist or the caller may not see it, so that ids are not confirmed.
    pub fn not_found() -> Self {
        ApiError::NotFound(NOT_FOUND.into())
    }

    /// A 500 from anything displayable; the text is logged only.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        ApiError::Internal(detail.to_string())
    }

    fn slug(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) | ApiError::BadParameter(_) => "bad-request",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not-found",
            ApiError::MethodNotAllowed { .. } => "method-not-allowed",
            ApiError::NotAcceptable(_) => "not-acceptable",
            ApiError::Conflict(_) => "conflict",
            ApiError::PreconditionFailed(_) => "precondition-failed",
            ApiError::Gone(_) => "gone",
            ApiError::PayloadTooLarge { .. } => "payload-too-large",
            ApiError::UnsupportedMediaType(_) => "unsupported-media-type",
            ApiError::Validation(_) => "validation",
            ApiError::TooManyRequests { .. } => "too-many-requests",
            ApiError::Overloaded { .. } | ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }

    fn detail(&self) -> String {
        match self {
            ApiError::BadRequest(d)
            | ApiError::Unauthorized(d)
            | ApiError::Forbidden(d)
            | ApiError::NotFound(d)
            | ApiError::NotAcceptable(d)
            | ApiError::Conflict(d)
            | ApiError::Gone(d)
            | ApiError::PreconditionFailed(d)
            | ApiError::UnsupportedMediaType(d) => d.clone(),
            ApiError::MethodNotAllowed { allow } => {
                format!("This path allows only {}.", allow.join(", "))
            }
            ApiError::PayloadTooLarge { limit } => {
                format!("The body is larger than {limit} bytes.")
            }
            ApiError::BadParameter(errors) => match errors.as_slice() {
                [one] => format!("The query parameter `{}` cannot be read.", one.field),
                _ => "Query parameters cannot be read.".to_string(),
            },
            ApiError::Validation(errors) => match errors.len() {
                1 => "The request has 1 invalid field.".to_string(),
                n => format!("The request has {n} invalid fields."),
            },
            ApiError::TooManyRequests { retry_after_secs } => {
                format!("Too many attempts. Try again in {retry_after_secs} seconds.")
            }
            ApiError::Overloaded { retry_after_secs } => format!(
                "The service is too busy to answer now. Try again in {retry_after_secs} seconds."
            ),
            ApiError::Unavailable(_) => "The service is temporarily unavailable.".to_string(),
            ApiError::Internal(_) => {
                "An unexpected error occurred. It has been logged with the request id.".to_string()
            }
        }
    }

    /// The problem document for this error.
    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        Problem {
            problem_type: format!("urn:redress:problem:{}", self.slug()),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: self.detail(),
            errors: match self {
                ApiError::Validation(errors) | ApiError::BadParameter(errors) => errors.clone(),
                _ => Vec::new(),
            },
        }
    }
}

/// Build a problem+json response for `status` with `detail`, used for errors
/// raised outside our handlers (framework errors, unknown routes).
pub fn problem_response(status: StatusCode, detail: &str) -> HttpResponse {
    let problem = Problem {
        problem_type: format!(
            "urn:redress:problem:{}",
            status
                .canonical_reason()
                .unwrap_or("error")
                .to_lowercase()
                .replace(' ', "-")
        ),
        title: status.canonical_reason().unwrap_or("Error").to_string(),
        status: status.as_u16(),
        detail: detail.to_string(),
        errors: Vec::new(),
    };
    HttpResponse::build(status)
        .content_type(PROBLEM_JSON)
        .json(problem)
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) | ApiError::BadParameter(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            ApiError::Gone(_) => StatusCode::GONE,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Overloaded { .. } | ApiError::Unavailable(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        response.content_type(PROBLEM_JSON);
        match self {
            ApiError::Unauthorized(_) => {
                response.insert_header((
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"redress\""),
                ));
            }
            ApiError::MethodNotAllowed { allow } => {
                if let Ok(value) = HeaderValue::from_str(&allow.join(", ")) {
                    response.insert_header((header::ALLOW, value));
                }
            }
            ApiError::TooManyRequests { retry_after_secs }
            | ApiError::Overloaded { retry_after_secs } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            _ => {}
        }
        response.json(self.problem())
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match error {
            Error::NotFound => ApiError::not_found(),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                ApiError::Conflict("A record with the same key already exists.".to_string())
            }
            Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => ApiError::Conflict(
                "Other records still refer to it (a user may handle records or own actions: \
                 reassign them, or deactivate the user instead)."
                    .to_string(),
            ),
            Error::DatabaseError(_, info) if crate::db::deadline::is_timeout(info.message()) => {
                ApiError::Unavailable(format!("query time limit: {}", info.message()))
            }
            other => ApiError::Internal(format!("database: {other}")),
        }
    }
}

impl From<r2d2::Error> for ApiError {
    fn from(error: r2d2::Error) -> Self {
        ApiError::Unavailable(format!("database pool: {error}"))
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        ApiError::Internal(format!("blocking task: {error}"))
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(error: serde_json::Error) -> Self {
        ApiError::Internal(format!("json: {error}"))
    }
}
