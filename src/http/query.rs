//! Query strings read into typed parameters, with errors that name the
//! parameter at fault: a value that cannot be read is 400 (as API.md fixes
//! it) with `errors [{field, message}]`, as for bodies; a value that reads
//! but is out of bounds stays 422, and so does a value longer than
//! [`MAX_QUERY_VALUE`] characters (the spec gives every query string that
//! limit where it has none tighter of its own).

use std::future::{ready, Ready};
use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A query string read into `T` (in place of `web::Query`, whose errors
/// are a 400 without the parameter's name).
#[derive(Debug, Clone)]
pub struct Query<T>(pub T);

impl<T> Query<T> {
    /// The parameters.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Query<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse(req.query_string()).map(Query))
    }
}

/// The longest value of any query parameter, in characters.
/// (A report link's signed token is the longest.)
pub const MAX_QUERY_VALUE: usize = 2_048;

/// Read `query` into `T`; 400 naming the parameter that cannot be read, 422
/// naming each one too long.
pub fn parse<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let too_long: Vec<crate::error::FieldError> = form_urlencoded::parse(query.as_bytes())
        .filter(|(_, value)| value.chars().count() > MAX_QUERY_VALUE)
        .map(|(name, _)| {
            let message = format!("must be at most {MAX_QUERY_VALUE} characters");
            crate::error::FieldError::new(name.into_owned(), message)
        })
        .collect();
    if !too_long.is_empty() {
        return Err(ApiError::Validation(too_long));
    }
    let deserializer =
        serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner().to_string();
        let quoted = |prefix: &str| {
            inner
                .strip_prefix(prefix)
                .and_then(|rest| rest.split('`').next())
                .map(str::to_string)
        };
        let (field, message) = if let Some(name) = quoted("missing field `") {
            (name, "is required".to_string())
        } else if let Some(name) = quoted("unknown field `") {
            (name, "is not a parameter of this endpoint".to_string())
        } else if path.is_empty() || path == "." {
            ("query".to_string(), crate::http::json::tidy_message(&inner))
        } else {
            (path, crate::http::json::tidy_message(&inner))
        };
        ApiError::BadParameter(vec![crate::error::FieldError::new(field, message)])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Params {
        updated_since: Option<chrono::DateTime<chrono::Utc>>,
        from: Option<chrono::NaiveDate>,
        limit: Option<u32>,
    }

    fn problem(query: &str) -> (String, String) {
        match parse::<Params>(query) {
            Err(ApiError::BadParameter(errors)) => {
                (errors[0].field.clone(), errors[0].message.clone())
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn errors_name_the_parameter() {
        let (field, message) = problem("updated_since=2026-11-29");
        assert_eq!(field, "updated_since");
        assert!(message.contains("date-time"), "{message}");
        let (field, message) = problem("from=2026-11-29T10:00:00Z");
        assert_eq!(field, "from");
        assert!(message.contains("without a time"), "{message}");
        assert_eq!(problem("limit=ten").0, "limit");
        assert!(parse::<Params>("limit=10&from=2026-11-29").is_ok());
    }

    #[test]
    fn a_value_too_long_is_422_naming_it() {
        let long = "x".repeat(MAX_QUERY_VALUE + 1);
        match parse::<Params>(&format!("limit=1&q={long}")) {
            Err(ApiError::Validation(errors)) => assert_eq!(errors[0].field, "q"),
            other => panic!("{other:?}"),
        }
    }
}
