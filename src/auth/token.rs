//! Access tokens: HS256 JWTs with `sub`, `role`, `directorates`, `iat`,
//! `exp`, `iss` and `aud`, all required, and the user's `token_version`.
//!
//! The key is `JWT_SECRET`, or, when that is not set, a random key made on
//! first start and kept in the database ([`shared_secret`]), so that every
//! instance on one database accepts the others' tokens and tokens outlive a
//! restart.

use std::collections::HashMap;
use std::sync::Mutex;

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use rand::RngCore;

use crate::auth::Role;
use crate::config::Config;
use crate::db::schema::instance_secrets;
use crate::db::DbConnection;
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
    /// The user's token version when the token was issued: a password,
    /// role or directorate change raises the user's, and older tokens stop
    /// working. (Absent in tokens from before it existed: version 0.)
    #[serde(default)]
    pub token_version: i64,
}

/// The claims of a signed link: one GET of one URL, as one user, for a few
/// minutes. Its audience is the access tokens' with `:link` added, so a link
/// is never accepted as a bearer token, nor a bearer token as a link.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinkClaims {
    /// The user's id.
    pub sub: String,
    /// Issued at (seconds since the epoch).
    pub iat: i64,
    /// Expires at (seconds since the epoch).
    pub exp: i64,
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// The user's token version when the link was made.
    pub token_version: i64,
    /// The path the link opens.
    pub path: String,
    /// The query string it opens, exactly (without the `link` parameter).
    pub query: String,
}

/// How long a signed link may be used: 10 minutes.
pub const LINK_TTL_SECONDS: i64 = 600;

/// How many verified tokens are remembered, so that a client's repeated use
/// of one token skips the signature check (its expiry is still checked).
const VERIFIED_CACHE_SIZE: usize = 4096;

/// Issues and verifies tokens with the configured key, issuer and audience.
pub struct TokenService {
    verified: Mutex<HashMap<String, Claims>>,
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    link_validation: Validation,
    issuer: String,
    audience: String,
    ttl_seconds: i64,
}

impl TokenService {
    /// A service signing with `secret`, for the configured claims.
    pub fn new(config: &Config, secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[&config.jwt_issuer]);
        validation.set_audience(&[&config.jwt_audience]);
        // jsonwebtoken checks iss/aud only when present unless they are required.
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        let mut link_validation = validation.clone();
        link_validation.set_audience(&[link_audience(&config.jwt_audience)]);
        TokenService {
            link_validation,
            verified: Mutex::new(HashMap::new()),
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
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

    /// Issue a token for a user whose token version is `token_version`.
    pub fn issue(
        &self,
        user_id: i64,
        role: Role,
        directorates: &[String],
        token_version: i64,
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
            token_version,
        })
    }

    /// A link for the user `user_id` (whose token version is
    /// `token_version`) to GET `path?query` for [`LINK_TTL_SECONDS`]: the
    /// link's token, and when it expires (seconds since the epoch).
    pub fn issue_link(
        &self,
        user_id: i64,
        token_version: i64,
        path: &str,
        query: &str,
    ) -> Result<(String, i64), ApiError> {
        let now = chrono::Utc::now().timestamp();
        let claims = LinkClaims {
            sub: user_id.to_string(),
            iat: now,
            exp: now + LINK_TTL_SECONDS,
            iss: self.issuer.clone(),
            aud: link_audience(&self.audience),
            token_version,
            path: path.to_string(),
            query: query.to_string(),
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| ApiError::internal(format!("link signing: {e}")))?;
        Ok((token, claims.exp))
    }

    /// Verify a link's token: signature, expiry (at most
    /// [`LINK_TTL_SECONDS`] after it was made), issuer and audience.
    pub fn verify_link(&self, token: &str) -> Result<LinkClaims, ApiError> {
        let claims = decode::<LinkClaims>(token, &self.decoding, &self.link_validation)
            .map(|data| data.claims)
            .map_err(|error| {
                use jsonwebtoken::errors::ErrorKind;
                ApiError::Unauthorized(
                    match error.kind() {
                        ErrorKind::ExpiredSignature => "The link has expired: make a new one.",
                        _ => "The link is invalid.",
                    }
                    .into(),
                )
            })?;
        if claims.exp - claims.iat > LINK_TTL_SECONDS {
            return Err(ApiError::Unauthorized("The link is invalid.".into()));
        }
        Ok(claims)
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
        let claims = decode::<Claims>(token, &self.decoding, &self.validation)
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
            })?;
        // A token may not live longer than this service issues them for,
        // nor claim to be issued in the future.
        let now = chrono::Utc::now().timestamp();
        let leeway = self.validation.leeway as i64;
        if claims.exp - claims.iat > self.ttl_seconds || claims.iat > now + leeway {
            return Err(ApiError::Unauthorized(
                "The token's lifetime is longer than this service allows.".into(),
            ));
        }
        Ok(claims)
    }
}

/// The audience of signed links.
fn link_audience(audience: &str) -> String {
    format!("{audience}:link")
}

/// The name under which the generated key is kept.
const SECRET_NAME: &str = "jwt_hs256";

/// The key kept in the database for instances without `JWT_SECRET`: made
/// (64 random bytes) by the first instance to start, read by the others.
pub fn shared_secret(conn: &mut DbConnection) -> Result<Vec<u8>, ApiError> {
    use diesel::prelude::*;
    use diesel::sql_types::{Text, Timestamp};
    let mut key = [0u8; 64];
    rand::thread_rng().fill_bytes(&mut key);
    let candidate: String = key.iter().map(|b| format!("{b:02x}")).collect();
    diesel::sql_query(
        "INSERT INTO instance_secrets (name, secret, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO NOTHING",
    )
    .bind::<Text, _>(SECRET_NAME)
    .bind::<Text, _>(&candidate)
    .bind::<Timestamp, _>(crate::db::now())
    .execute(conn)?;
    let stored: String = instance_secrets::table
        .find(SECRET_NAME)
        .select(instance_secrets::secret)
        .get_result(conn)?;
    Ok(stored.into_bytes())
}
