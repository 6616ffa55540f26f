//! Tokens from the council's identity provider (OpenID Connect), accepted
//! beside Redress's own.
//!
//! Which verifier a bearer token goes to is read from its (unverified)
//! header: HS256 tokens are Redress's own ([`super::token`]); any other
//! goes here, where only the configured asymmetric algorithms
//! (`OIDC_ALGORITHMS`) and only keys of the provider's key set, named by
//! the token's `kid`, are accepted. The header never chooses more than that:
//! HS256 is never verified here (so a public key cannot be used as an HMAC
//! secret), `alg: none` is no algorithm at all, and a key verifies only the
//! algorithms of its kind. `iss`, `aud`, `exp` (required) and `nbf` are
//! checked with [`LEEWAY_SECONDS`] of clock skew.
//!
//! A verified token gives an [`ExternalIdentity`]: the user's subject, names
//! and the role and directorates `OIDC_ROLE_MAP` gives their roles or
//! groups. [`crate::users::external`] provisions the user from it.

pub mod jwks;
pub mod role_map;
pub mod settings;

use std::collections::HashMap;
use std::sync::Mutex;

use jsonwebtoken::{decode, decode_header, Algorithm, Validation};
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::users::Role;

pub use settings::OidcConfig;

/// The clock skew allowed on `exp` and `nbf`, in seconds.
pub const LEEWAY_SECONDS: u64 = 60;

/// How many signed-in tokens are remembered, so that a client's repeated use
/// of one token skips the signature check and the provisioning.
const SIGNED_IN_CACHE_SIZE: usize = 4096;

/// Whether `token` is for the identity provider's verifier rather than
/// Redress's own: its header parses and names an algorithm other than HS256.
pub fn is_external(token: &str) -> bool {
    decode_header(token).is_ok_and(|header| header.alg != Algorithm::HS256)
}

/// Who the identity provider says the token's bearer is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalIdentity {
    /// The provider (`iss`).
    pub issuer: String,
    /// The user's stable id there: `oid` (Entra ID), else `sub`.
    pub subject: String,
    /// The name to show: `name`, else `preferred_username`, else the subject.
    pub display_name: String,
    /// What to derive a username from: `preferred_username`, `upn` or
    /// `email` (else the subject).
    pub username_hint: String,
    /// The role the role map gives.
    pub role: Role,
    /// The directorates the role map gives.
    pub directorates: Vec<String>,
}

/// A token whose user is known: until it expires, it needs neither its
/// signature checked nor its user provisioned again.
#[derive(Debug, Clone, Copy)]
struct SignedIn {
    user_id: i64,
    exp: i64,
}

/// Verifies the identity provider's tokens.
pub struct OidcVerifier {
    config: OidcConfig,
    keys: jwks::KeyCache,
    signed_in: Mutex<HashMap<String, SignedIn>>,
}

impl OidcVerifier {
    /// A verifier for `config`, its key set not yet loaded.
    pub fn new(config: OidcConfig) -> OidcVerifier {
        OidcVerifier {
            keys: jwks::KeyCache::new(config.jwks.clone()),
            config,
            signed_in: Mutex::new(HashMap::new()),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &OidcConfig {
        &self.config
    }

    /// How many times the key set was fetched or read.
    pub fn key_loads(&self) -> u64 {
        self.keys.loads()
    }

    /// The user a token already signed in as, while the token is valid.
    pub fn signed_in_user(&self, token: &str) -> Option<i64> {
        let entry = self.signed_in.lock().ok()?.get(token).copied()?;
        let now = chrono::Utc::now().timestamp();
        (entry.exp + LEEWAY_SECONDS as i64 > now).then_some(entry.user_id)
    }

    /// Remember that `token`, valid until `exp`, is `user_id`'s.
    pub fn remember(&self, token: &str, user_id: i64, exp: i64) {
        if let Ok(mut cache) = self.signed_in.lock() {
            if cache.len() >= SIGNED_IN_CACHE_SIZE {
                cache.clear();
            }
            cache.insert(token.to_string(), SignedIn { user_id, exp });
        }
    }

    /// Verify a token: 401 unless its algorithm is allowed, its `kid` names
    /// a key of the set that fits the algorithm, the signature is right and
    /// `iss`, `aud`, `exp` and `nbf` hold; 403 when the role map gives its
    /// roles nothing. Returns the identity and the token's expiry.
    pub async fn verify(&self, token: &str) -> Result<(ExternalIdentity, i64), ApiError> {
        let header = decode_header(token).map_err(|_| invalid("The token is invalid."))?;
        if !self.config.algorithms.contains(&header.alg) {
            return Err(invalid("The token's algorithm is not accepted."));
        }
        let kid = header
            .kid
            .ok_or_else(|| invalid("The token does not name its signing key (kid)."))?;
        let key = self.keys.key(&kid).await?;
        if !key.verifies(header.alg) {
            return Err(invalid(
                "The token's algorithm does not fit its signing key.",
            ));
        }
        let mut validation = Validation::new(header.alg);
        validation.algorithms = vec![header.alg];
        validation.set_issuer(&[&self.config.issuer]);
        validation.set_audience(&[&self.config.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_nbf = true;
        let claims = decode::<Map<String, Value>>(token, &key.decoding, &validation)
            .map(|data| data.claims)
            .map_err(|error| {
                use jsonwebtoken::errors::ErrorKind;
                invalid(match error.kind() {
                    ErrorKind::ExpiredSignature => "The token has expired.",
                    ErrorKind::ImmatureSignature => "The token is not valid yet (nbf).",
                    ErrorKind::InvalidIssuer => "The token was issued by someone else.",
                    ErrorKind::InvalidAudience => "The token is for another audience.",
                    ErrorKind::InvalidSignature => "The token's signature is invalid.",
                    ErrorKind::InvalidAlgorithm => "The token's algorithm is not accepted.",
                    ErrorKind::MissingRequiredClaim(_) => "The token lacks a required claim.",
                    _ => "The token is invalid.",
                })
            })?;
        let exp = claims
            .get("exp")
            .and_then(Value::as_i64)
            .ok_or_else(|| invalid("The token lacks a required claim."))?;
        Ok((self.identity(&claims)?, exp))
    }

    /// The identity verified claims describe.
    fn identity(&self, claims: &Map<String, Value>) -> Result<ExternalIdentity, ApiError> {
        let text = |name: &str| {
            claims
                .get(name)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let subject = text("oid")
            .or_else(|| text("sub"))
            .ok_or_else(|| invalid("The token names no subject (oid or sub)."))?;
        let values: Vec<&str> = match claims.get(&self.config.roles_claim) {
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            Some(Value::String(one)) => vec![one.as_str()],
            _ => Vec::new(),
        };
        let (role, directorates) = self.config.role_map.resolve(values).ok_or_else(|| {
            ApiError::Forbidden(format!(
                "You signed in, but none of your `{}` at the identity provider gives a role in Redress; ask an administrator to grant you one.",
                self.config.roles_claim
            ))
        })?;
        let username_hint = text("preferred_username")
            .or_else(|| text("upn"))
            .or_else(|| text("email"))
            .unwrap_or(subject);
        Ok(ExternalIdentity {
            issuer: self.config.issuer.clone(),
            subject: subject.to_string(),
            display_name: text("name")
                .or_else(|| text("preferred_username"))
                .unwrap_or(subject)
                .chars()
                .take(200)
                .collect(),
            username_hint: username_hint.to_string(),
            role,
            directorates,
        })
    }
}

fn invalid(why: &str) -> ApiError {
    ApiError::Unauthorized(why.into())
}
