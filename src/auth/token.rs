//! Access tokens: HS256 JWTs with `sub`, `role`, `directorates`, `iat`,
//! `exp`, `iss` and `aud`, all required.

use std::collections::HashMap;
use std::sync::Mutex;

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::auth::Role;
use crate::config::Config;
use crate::error::ApiError;

/// The claims of a Redress access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The user's id.
    pub sub: String,
    /// The user's role when the token was issued.
    pub role: Role,
    /// The user's directorates when the token was issued.
    pub directorates: Vec<String>,
    /// Issued at (seconds since the epoch).
    pub iat: i64,
    /// Expires at (seconds since the epoch).
    pub exp: i64,
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
}

/// How many verified tokens are remembered, so that a client's repeated use
/// of one token skips the signature check (its expiry is still checked).
const VERIFIED_CACHE_SIZE: usize = 4096;

/// Issues and verifies tokens with the configured key, issuer and audience.
pub struct TokenService {
    verified: Mutex<HashMap<String, Claims>>,
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    ttl_seconds: i64,
}

impl TokenService {
    /// A service for the configured key and claims.
    pub fn new(config: &Config) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[&config.jwt_issuer]);
        validation.set_audience(&[&config.jwt_audience]);
        // jsonwebtoken checks iss/aud only when present unless they are required.
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        TokenService {
            verified: Mutex::new(HashMap::new()),
            encoding: EncodingKey::from_secret(&config.jwt_secret),
            decoding: DecodingKey::from_secret(&config.jwt_secret),
            validation,
            issuer: config.jwt_issuer.clone(),
            audience: config.jwt_audience.clone(),
            ttl_seconds: config.jwt_ttl_seconds,
        }
    }

    /// Token lifetime in seconds.
    pub fn ttl_seconds(&self) -> i64 {
        self.ttl_seconds
    }

    /// Issue a token for a user.
    pub fn issue(
        &self,
        user_id: i64,
        role: Role,
        directorates: &[String],
    ) -> Result<String, ApiError> {
        let now = chrono::Utc::now().timestamp();
        self.sign(&Claims {
            sub: user_id.to_string(),
            role,
            directorates: directorates.to_vec(),
            iat: now,
            exp: now + self.ttl_seconds,
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
        })
    }

    /// Sign arbitrary claims (the tests use this to forge expired tokens).
    pub fn sign(&self, claims: &Claims) -> Result<String, ApiError> {
        encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .map_err(|e| ApiError::internal(format!("token signing: {e}")))
    }

    /// Verify a token's signature, algorithm, expiry, issuer and audience.
    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        if let Some(claims) = self
            .verified
            .lock()
            .ok()
            .and_then(|c| c.get(token).cloned())
        {
            let now = chrono::Utc::now().timestamp();
            if claims.exp + self.validation.leeway as i64 > now {
                return Ok(claims);
            }
        }
        let claims = self.verify_uncached(token)?;
        if let Ok(mut cache) = self.verified.lock() {
            if cache.len() >= VERIFIED_CACHE_SIZE {
                cache.clear();
            }
            cache.insert(token.to_string(), claims.clone());
        }
        Ok(claims)
    }

    fn verify_uncached(&self, token: &str) -> Result<Claims, ApiError> {
        decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|error| {
                use jsonwebtoken::errors::ErrorKind;
                let why = match error.kind() {
                    ErrorKind::ExpiredSignature => "The token has expired.",
                    ErrorKind::InvalidIssuer => "The token was issued by someone else.",
                    ErrorKind::InvalidAudience => "The token is for another audience.",
                    ErrorKind::InvalidSignature => "The token's signature is invalid.",
                    ErrorKind::InvalidAlgorithm => "The token's algorithm is not accepted.",
                    ErrorKind::MissingRequiredClaim(_) => "The token lacks a required claim.",
                    _ => "The token is invalid.",
                };
                ApiError::Unauthorized(why.into())
            })
    }
}
