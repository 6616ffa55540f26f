//! The identity provider's configuration: the `OIDC_*` variables.

use std::path::PathBuf;

use jsonwebtoken::Algorithm;

use super::jwks::{self, JwksSource};
use super::role_map::RoleMap;

/// The algorithms accepted unless `OIDC_ALGORITHMS` says otherwise.
pub const DEFAULT_ALGORITHMS: &str = "RS256,ES256";

/// The claim read for roles unless `OIDC_ROLES_CLAIM` says otherwise.
pub const DEFAULT_ROLES_CLAIM: &str = "roles";

/// The variables that turn the identity provider on; setting any of them
/// requires the others.
const VARIABLES: &[&str] = &[
    "OIDC_ISSUER",
    "OIDC_AUDIENCE",
    "OIDC_JWKS_URL",
    "OIDC_JWKS_FILE",
    "OIDC_ROLE_MAP",
    "OIDC_ALGORITHMS",
    "OIDC_ROLES_CLAIM",
];

/// How to trust the council's identity provider (OpenID Connect).
#[derive(Debug, Clone)]
pub struct OidcConfig {
    /// The `iss` its tokens carry (`OIDC_ISSUER`), exactly.
    pub issuer: String,
    /// The `aud` its tokens must carry (`OIDC_AUDIENCE`): Redress's client id.
    pub audience: String,
    /// Where its signing keys are (`OIDC_JWKS_URL` or `OIDC_JWKS_FILE`).
    pub jwks: JwksSource,
    /// The signature algorithms accepted (`OIDC_ALGORITHMS`); never a
    /// symmetric one.
    pub algorithms: Vec<Algorithm>,
    /// The claim holding the user's roles or groups (`OIDC_ROLES_CLAIM`).
    pub roles_claim: String,
    /// Which claim values give which role and directorates (`OIDC_ROLE_MAP`).
    pub role_map: RoleMap,
}

impl OidcConfig {
    /// Read the `OIDC_*` variables through `get` (unset and blank alike):
    /// `None` when none is set; an error when the set is incomplete or a
    /// value is wrong. A key file is read now, so a wrong one stops start-up.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Option<OidcConfig>, String> {
        if VARIABLES.iter().all(|name| get(name).is_none()) {
            return Ok(None);
        }
        let required = |name: &str| {
            get(name).map(|v| v.trim().to_string()).ok_or_else(|| {
                format!("{name} is required when the identity provider is configured (OIDC_*)")
            })
        };
        let issuer = required("OIDC_ISSUER")?;
        let audience = required("OIDC_AUDIENCE")?;
        let jwks = match (get("OIDC_JWKS_URL"), get("OIDC_JWKS_FILE")) {
            (Some(url), None) => JwksSource::Url(check_url(url.trim())?),
            (None, Some(file)) => {
                let path = PathBuf::from(file.trim());
                jwks::read_file(&path).map_err(|e| format!("OIDC_JWKS_FILE: {e}"))?;
                JwksSource::File(path)
            }
            (Some(_), Some(_)) => {
                return Err("set one of OIDC_JWKS_URL and OIDC_JWKS_FILE, not both".into())
            }
            (None, None) => {
                return Err(
                    "OIDC_JWKS_URL or OIDC_JWKS_FILE is required when the identity provider is configured"
                        .into(),
                )
            }
        };
        let algorithms = get("OIDC_ALGORITHMS")
            .unwrap_or_else(|| DEFAULT_ALGORITHMS.into())
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(parse_algorithm)
            .collect::<Result<Vec<_>, _>>()?;
        if algorithms.is_empty() {
            return Err("OIDC_ALGORITHMS must name at least one algorithm".into());
        }
        let roles_claim = get("OIDC_ROLES_CLAIM")
            .map(|c| c.trim().to_string())
            .unwrap_or_else(|| DEFAULT_ROLES_CLAIM.into());
        let role_map = RoleMap::parse(&required("OIDC_ROLE_MAP")?)?;
        Ok(Some(OidcConfig {
            issuer,
            audience,
            jwks,
            algorithms,
            roles_claim,
            role_map,
        }))
    }
}

/// An asymmetric algorithm this service verifies; HMAC (a shared secret,
/// which a public key set must never stand in for) and anything else is
/// refused.
fn parse_algorithm(name: &str) -> Result<Algorithm, String> {
    use Algorithm::*;
    let accepted = [RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384];
    accepted
        .into_iter()
        .find(|a| format!("{a:?}") == name)
        .ok_or_else(|| {
            format!(
                "OIDC_ALGORITHMS: `{name}` is not accepted; use RS256, RS384, RS512, PS256, PS384, PS512, ES256 or ES384"
            )
        })
}

/// The key set's URL: HTTPS, or plain HTTP to this machine only (a local
/// test provider).
fn check_url(url: &str) -> Result<String, String> {
    let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|prefix| {
            url.strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
        });
    if url.starts_with("https://") && url.len() > "https://".len() || loopback {
        Ok(url.to_string())
    } else {
        Err(format!(
            "OIDC_JWKS_URL must be an https:// URL (http:// only to 127.0.0.1 or localhost), not {url}"
        ))
    }
}
