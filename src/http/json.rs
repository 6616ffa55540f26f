//! JSON request bodies: the extractors that turn a body into a typed,
//! validated value, answering every problem with the right status and one
//! entry per bad field.
//!
//! - not `application/json` → 415; larger than 1 MiB → 413;
//! - not JSON at all (syntax, not UTF-8) → 400;
//! - JSON that does not fit the type (unknown, read-only or missing fields,
//!   wrong types, unknown enum values, bad dates, U+0000 in text) → 422;
//! - then the type's own checks ([`RequestBody::check`]) → 422.

use std::any::TypeId;
use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock, RwLock};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use utoipa::openapi::{RefOr, Schema};
use utoipa::ToSchema;

use crate::calendar::Today;
use crate::error::{ApiError, FieldErrors};
use crate::validation::Validate;

/// The largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A type that can be sent as a request body: decoded from JSON, then
/// checked by its [`Validate`] impl.
pub trait RequestBody: DeserializeOwned + ToSchema + Validate + 'static {
    /// Fields that exist on the resource but are computed: sending one is a
    /// 422 saying it is read-only rather than unknown.
    const READ_ONLY: &'static [&'static str] = &[];
}

/// A type describing a merge-patch body: the schema names the writable
/// fields (the patch itself is applied as JSON, see [`apply_patch`]).
pub trait PatchBody: ToSchema + 'static {
    /// Fields that exist on the resource but are computed.
    const READ_ONLY: &'static [&'static str] = &[];
}

/// A JSON body decoded into `T` and checked.
pub struct ValidJson<T> {
    /// The decoded body.
    pub value: T,
    /// A hash of the body's JSON (key order ignored), for idempotency; empty
    /// when the request has no `Idempotency-Key`.
    pub fingerprint: String,
}

/// A JSON merge-patch body (RFC 7386) for a resource written as `T`: an object
/// whose keys are all writable fields of `T`. Apply it with [`apply_patch`].
pub struct PatchJson<T> {
    /// The patch object.
    pub patch: Map<String, Value>,
    _type: std::marker::PhantomData<T>,
}

impl<T: RequestBody> FromRequest for ValidJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = read_json_body(req, payload);
        // Only an idempotent request needs the body's fingerprint.
        let idempotent = req.headers().contains_key("idempotency-key");
        let today = crate::http::today::today_of(req);
        Box::pin(async move {
            let value = body.await?;
            let fingerprint = if idempotent {
                fingerprint(&value)
            } else {
                String::new()
            };
            Ok(ValidJson {
                value: decode(value, today)?,
                fingerprint,
            })
        })
    }
}

impl<T: PatchBody> FromRequest for PatchJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = read_json_body(req, payload);
        Box::pin(async move {
            let value = body.await?;
            let mut errors = FieldErrors::new();
            find_nul_characters(&value, "", &mut errors);
            let Value::Object(patch) = value else {
                return Err(ApiError::field("body", "must be a JSON object"));
            };
            let fields = fields_of::<T>();
            for key in patch.keys() {
                check_key(T::READ_ONLY, &fields, key, &mut errors);
            }
            errors.into_result()?;
            Ok(PatchJson {
                patch,
                _type: std::marker::PhantomData,
            })
        })
    }
}

/// A JSON object body whose shape someone else defines (such as GOV.UK's
/// bank holidays document): checked for syntax, size and U+0000 only.
pub struct JsonObject(pub Value);

impl FromRequest for JsonObject {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = read_json_body(req, payload);
        Box::pin(async move {
            let value = body.await?;
            let mut errors = FieldErrors::new();
            find_nul_characters(&value, "", &mut errors);
            errors.into_result()?;
            if !value.is_object() {
                return Err(ApiError::field("body", "must be a JSON object"));
            }
            Ok(JsonObject(value))
        })
    }
}

/// Read the body of `req` as JSON, enforcing the content type and size limit.
fn read_json_body(
    req: &HttpRequest,
    payload: &mut Payload,
) -> impl Future<Output = Result<Value, ApiError>> + 'static {
    let content_type_ok = is_json_content_type(req);
    let declared_length = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let mut payload = payload.take();
    async move {
        if !content_type_ok {
            return Err(ApiError::UnsupportedMediaType(
                "Send the body as application/json.".into(),
            ));
        }
        if declared_length.is_some_and(|n| n > MAX_BODY_BYTES) {
            return Err(ApiError::PayloadTooLarge {
                limit: MAX_BODY_BYTES,
            });
        }
        let mut body = Vec::with_capacity(declared_length.unwrap_or(1024).min(MAX_BODY_BYTES));
        while let Some(chunk) = payload.next().await {
            let chunk =
                chunk.map_err(|e| ApiError::BadRequest(format!("Cannot read the body: {e}")))?;
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(ApiError::PayloadTooLarge {
                    limit: MAX_BODY_BYTES,
                });
            }
            body.extend_from_slice(&chunk);
        }
        if body.is_empty() {
            return Err(ApiError::BadRequest(
                "The body is empty; send a JSON object.".into(),
            ));
        }
        let text = std::str::from_utf8(&body)
            .map_err(|_| ApiError::BadRequest("The body is not valid UTF-8.".into()))?;
        serde_json::from_str::<Value>(text)
            .map_err(|e| ApiError::BadRequest(format!("The body is not valid JSON: {e}.")))
    }
}

fn is_json_content_type(req: &HttpRequest) -> bool {
    match req.mime_type() {
        Ok(Some(mime)) => {
            mime.type_() == "application"
                && (mime.subtype() == "json" || mime.suffix().is_some_and(|s| s == "json"))
        }
        _ => false,
    }
}

/// The field names a body type declares, read from its OpenAPI schema so the
/// checks here always agree with the published contract.
struct FieldSet {
    properties: BTreeSet<String>,
    required: Vec<String>,
}

fn fields_of<T: ToSchema + 'static>() -> Arc<FieldSet> {
    static CACHE: OnceLock<RwLock<HashMap<TypeId, Arc<FieldSet>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let id = TypeId::of::<T>();
    if let Some(found) = cache.read().ok().and_then(|c| c.get(&id).cloned()) {
        return found;
    }
    let set = Arc::new(match T::schema() {
        RefOr::T(Schema::Object(object)) => FieldSet {
            properties: object.properties.keys().cloned().collect(),
            required: object.required.clone(),
        },
        _ => FieldSet {
            properties: BTreeSet::new(),
            required: Vec::new(),
        },
    });
    if let Ok(mut c) = cache.write() {
        c.insert(id, set.clone());
    }
    set
}

fn check_key(read_only: &[&str], fields: &FieldSet, key: &str, errors: &mut FieldErrors) {
    if read_only.contains(&key) {
        errors.add(key, "is read-only");
    } else if !fields.properties.contains(key) {
        errors.add(key, "is not a known field");
    }
}

/// Decode `value` into `T`, collecting every problem rather than the first,
/// and validate it as of `today`.
pub fn decode<T: RequestBody>(value: Value, today: Today) -> Result<T, ApiError> {
    let mut errors = FieldErrors::new();
    find_nul_characters(&value, "", &mut errors);
    let Value::Object(mut object) = value else {
        return Err(ApiError::field("body", "must be a JSON object"));
    };
    let fields = fields_of::<T>();
    let bad_keys: Vec<String> = object
        .keys()
        .filter(|k| T::READ_ONLY.contains(&k.as_str()) || !fields.properties.contains(*k))
        .cloned()
        .collect();
    for key in bad_keys {
        check_key(T::READ_ONLY, &fields, &key, &mut errors);
        object.remove(&key);
    }
    for required in &fields.required {
        if !object.contains_key(required) {
            errors.add(required.as_str(), "is required");
        }
    }
    crate::http::limits::check(&T::name(), &object, &mut errors);
    // Each pass reports the first type error serde finds, then drops that
    // field and tries again, so one request reports every bad field.
    for _ in 0..=fields.properties.len() {
        match serde_path_to_error::deserialize::<_, T>(Value::Object(object.clone())) {
            Ok(decoded) => {
                // Fields dropped for being unknown, read-only or of the wrong
                // type do not stop the type's own checks of the rest; a field
                // already reported is not reported twice.
                let mut checks = FieldErrors::new();
                decoded.validate(today.0, &mut checks);
                for error in checks.into_errors() {
                    if !errors.has(&error.field) {
                        errors.add(error.field, error.message);
                    }
                }
                errors.into_result()?;
                return Ok(decoded);
            }
            Err(error) => {
                let (field, message) = describe(&error);
                let top = field
                    .split(['.', '['])
                    .next()
                    .unwrap_or_default()
                    .to_string();
                if !errors.has(&field) {
                    errors.add(field, message);
                }
                if object.remove(&top).is_none() {
                    break;
                }
            }
        }
    }
    if errors.is_empty() {
        errors.add("body", "does not match the expected shape");
    }
    Err(ApiError::Validation(errors.into_errors()))
}

/// Apply a merge patch to `current` and decode the result as `T`. A required
/// field set to `null` is reported as impossible to clear.
pub fn apply_patch<T: RequestBody + Serialize>(
    current: &T,
    patch: &Map<String, Value>,
    today: Today,
) -> Result<T, ApiError> {
    let mut base = serde_json::to_value(current)?;
    strip_nulls(&mut base);
    merge_patch(&mut base, &Value::Object(patch.clone()));
    let fields = fields_of::<T>();
    let mut errors = FieldErrors::new();
    for required in &fields.required {
        if patch.get(required).is_some_and(Value::is_null) {
            errors.add(required.as_str(), "cannot be cleared");
        }
    }
    errors.into_result()?;
    decode(base, today)
}

/// RFC 7386 JSON merge patch: objects merge recursively, `null` removes,
/// anything else replaces.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(target) = target {
        for (key, value) in patch {
            if value.is_null() {
                target.remove(key);
            } else {
                merge_patch(target.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

fn strip_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

/// Field path and a readable message for a serde error.
fn describe(error: &serde_path_to_error::Error<serde_json::Error>) -> (String, String) {
    let path = error.path().to_string();
    let path = if path == "." { String::new() } else { path };
    let inner = error.inner().to_string();
    let join = |name: &str| {
        if path.is_empty() {
            name.to_string()
        } else {
            format!("{path}.{name}")
        }
    };
    if let Some(name) = quoted_after(&inner, "missing field `") {
        return (join(name), "is required".into());
    }
    if let Some(name) = quoted_after(&inner, "unknown field `") {
        return (join(name), "is not a known field".into());
    }
    let field = if path.is_empty() {
        "body".to_string()
    } else {
        path
    };
    (field, tidy_message(&inner))
}

fn quoted_after<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = text.strip_prefix(prefix)?;
    rest.split('`').next()
}

/// A readable message for a serde error's own words; chrono's, for a bad
/// date, are cryptic, and say which of a date and a date-time was wanted.
pub(crate) fn tidy_message(message: &str) -> String {
    match message {
        // A date-time where a date is wanted.
        "trailing input" => "must be a date (YYYY-MM-DD), without a time".to_string(),
        // A date (or a date-time without its offset) where a date-time is wanted.
        "premature end of input" | "input is not enough for unique date and time" => {
            "must be a date-time with its offset (RFC 3339), such as 2026-11-29T09:30:00Z".to_string()
        }
        "input contains invalid characters" | "input is out of range" => {
            "must be a valid date (YYYY-MM-DD), or for a date-time RFC 3339 such as 2026-11-29T09:30:00Z".to_string()
        }
        other => other.to_string(),
    }
}

/// Text may hold any Unicode except U+0000 (PostgreSQL cannot store it).
fn find_nul_characters(value: &Value, path: &str, errors: &mut FieldErrors) {
    let field = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    match value {
        Value::String(s) if s.contains('\0') => {
            errors.add(
                if path.is_empty() { "body" } else { path },
                "must not contain U+0000",
            );
        }
        Value::Object(map) => {
            for (key, v) in map {
                if key.contains('\0') {
                    errors.add("body", "field names must not contain U+0000");
                } else {
                    find_nul_characters(v, &field(key), errors);
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                find_nul_characters(v, &format!("{path}[{i}]"), errors);
            }
        }
        _ => {}
    }
}

/// A SHA-256 of the value's JSON with object keys sorted.
pub fn fingerprint(value: &Value) -> String {
    fn write_canonical(value: &Value, out: &mut String) {
        match value {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                out.push('{');
                for (i, key) in keys.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String(key.clone()).to_string());
                    out.push(':');
                    write_canonical(&map[key], out);
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_canonical(item, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut canonical = String::new();
    write_canonical(value, &mut canonical);
    let digest = Sha256::digest(canonical.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize, Serialize, ToSchema)]
    #[serde(deny_unknown_fields)]
    struct Sample {
        name: String,
        count: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    }

    impl RequestBody for Sample {
        const READ_ONLY: &'static [&'static str] = &["id"];
    }

    impl Validate for Sample {
        fn validate(&self, _today: chrono::NaiveDate, errors: &mut FieldErrors) {
            if self.count < 0 {
                errors.add("count", "must be at least 0");
            }
        }
    }

    const TODAY: Today = Today(chrono::NaiveDate::MIN);

    fn fields(error: ApiError) -> Vec<(String, String)> {
        match error {
            ApiError::Validation(errors) => {
                errors.into_iter().map(|e| (e.field, e.message)).collect()
            }
            other => panic!("expected 422, got {other:?}"),
        }
    }

    #[test]
    fn reports_every_bad_field_at_once() {
        let errors = fields(
            decode::<Sample>(json!({"name": 5, "count": "x", "id": 1, "zzz": 1}), TODAY)
                .unwrap_err(),
        );
        let mut names: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        names[2..].sort();
        assert_eq!(names, ["id", "zzz", "count", "name"]);
        assert_eq!(errors[0].1, "is read-only");
        assert_eq!(errors[1].1, "is not a known field");
    }

    #[test]
    fn reports_missing_required_fields_and_nul_characters() {
        let errors = fields(decode::<Sample>(json!({"note": "a\u{0}b"}), TODAY).unwrap_err());
        assert!(errors.contains(&("note".into(), "must not contain U+0000".into())));
        assert!(errors.contains(&("name".into(), "is required".into())));
        assert!(errors.contains(&("count".into(), "is required".into())));
    }

    #[test]
    fn runs_the_type_checks_after_decoding() {
        let errors =
            fields(decode::<Sample>(json!({"name": "a", "count": -1}), TODAY).unwrap_err());
        assert_eq!(
            errors,
            [("count".to_string(), "must be at least 0".to_string())]
        );
    }

    #[test]
    fn merge_patch_follows_rfc_7386() {
        let mut target = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(&mut target, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(target, json!({"a": "z", "c": {"d": "e"}}));
    }

    #[test]
    fn patching_a_required_field_to_null_is_refused() {
        let current = Sample {
            name: "a".into(),
            count: 1,
            note: Some("n".into()),
        };
        let patch = json!({"name": null, "note": null});
        let errors = fields(apply_patch(&current, patch.as_object().unwrap(), TODAY).unwrap_err());
        assert_eq!(
            errors,
            [("name".to_string(), "cannot be cleared".to_string())]
        );
        let cleared =
            apply_patch(&current, json!({"note": null}).as_object().unwrap(), TODAY).unwrap();
        assert_eq!(cleared.note, None);
    }

    #[test]
    fn fingerprints_ignore_key_order() {
        assert_eq!(
            fingerprint(&json!({"a": 1, "b": [1, {"c": 2, "d": 3}]})),
            fingerprint(&json!({"b": [1, {"d": 3, "c": 2}], "a": 1}))
        );
        assert_ne!(fingerprint(&json!({"a": 1})), fingerprint(&json!({"a": 2})));
    }
}
