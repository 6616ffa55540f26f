//! The identity provider's signing keys (its JWKS), cached.
//!
//! A key set fetched from a URL is kept as long as its `Cache-Control:
//! max-age` says (an hour when it says nothing); one read from a file is kept
//! until a token names a key it lacks. A token whose `kid` is not in the set
//! makes it be fetched (or read) again, at most once a minute, so a rotated
//! key is picked up at once and a stream of made-up `kid`s costs the provider
//! nothing. Fetches run on the blocking pool, one at a time; requests whose
//! key is known never wait for them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;

use crate::error::ApiError;

/// Where the key set comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwksSource {
    /// Fetched over HTTP(S) (`OIDC_JWKS_URL`).
    Url(String),
    /// Read from a file (`OIDC_JWKS_FILE`).
    File(PathBuf),
}

/// The least time between two loads caused by unknown `kid`s.
pub const REFETCH_INTERVAL: Duration = Duration::from_secs(60);

/// How long a fetched key set is kept when its response has no `max-age`.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(3600);

/// Bounds on the `max-age` honoured: not fetched more often than once a
/// minute, and at least once a day.
const MAX_AGE_RANGE: (Duration, Duration) =
    (Duration::from_secs(60), Duration::from_secs(24 * 3600));

/// How long to wait before trying again when the set was never loaded.
const FIRST_LOAD_RETRY: Duration = Duration::from_secs(5);

/// How long a fetch may take in all.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// The largest key set read, in bytes.
const MAX_JWKS_BYTES: u64 = 1 << 20;

/// The kind of a usable key, which decides the algorithms it verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// RSA: RS256/384/512 and PS256/384/512.
    Rsa,
    /// EC on P-256: ES256.
    P256,
    /// EC on P-384: ES384.
    P384,
}

impl KeyKind {
    /// Whether a key of this kind verifies `alg`.
    pub fn fits(self, alg: Algorithm) -> bool {
        use Algorithm::*;
        match self {
            KeyKind::Rsa => matches!(alg, RS256 | RS384 | RS512 | PS256 | PS384 | PS512),
            KeyKind::P256 => alg == ES256,
            KeyKind::P384 => alg == ES384,
        }
    }
}

/// One signing key of the set.
#[derive(Clone)]
pub struct Key {
    /// The key, for jsonwebtoken.
    pub decoding: DecodingKey,
    /// What kind of key it is.
    pub kind: KeyKind,
    /// The one algorithm the key is for, when the set says (`alg`).
    pub alg: Option<Algorithm>,
}

impl Key {
    /// Whether this key may verify a token signed with `alg`.
    pub fn verifies(&self, alg: Algorithm) -> bool {
        self.kind.fits(alg) && self.alg.is_none_or(|a| a == alg)
    }
}

/// Keys by `kid`.
type Keys = HashMap<String, Key>;

/// A key set's JSON: keys this service cannot use (encryption keys,
/// symmetric keys, other curves, no `kid`) are skipped, not refused.
#[derive(Deserialize)]
struct RawSet {
    keys: Vec<serde_json::Value>,
}

/// The usable keys of a JWKS document.
pub fn parse(text: &str) -> Result<Keys, String> {
    let raw: RawSet =
        serde_json::from_str(text).map_err(|e| format!("not a JSON Web Key Set: {e}"))?;
    let mut keys = Keys::new();
    for value in raw.keys {
        let Ok(jwk) = serde_json::from_value::<Jwk>(value) else {
            continue;
        };
        if let Some((kid, key)) = usable(&jwk) {
            keys.insert(kid, key);
        }
    }
    Ok(keys)
}

fn usable(jwk: &Jwk) -> Option<(String, Key)> {
    let kid = jwk.common.key_id.clone()?;
    if matches!(jwk.common.public_key_use, Some(ref u) if *u != PublicKeyUse::Signature) {
        return None;
    }
    let kind = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => KeyKind::Rsa,
        AlgorithmParameters::EllipticCurve(ec) => match ec.curve {
            EllipticCurve::P256 => KeyKind::P256,
            EllipticCurve::P384 => KeyKind::P384,
            _ => return None,
        },
        // A symmetric (`oct`) key would turn a public set into a shared
        // secret; other kinds are not used here.
        _ => return None,
    };
    let alg = match jwk.common.key_algorithm {
        None => None,
        Some(alg) => Some(signing_algorithm(alg)?),
    };
    let decoding = DecodingKey::from_jwk(jwk).ok()?;
    let key = Key {
        decoding,
        kind,
        alg,
    };
    key.alg.is_none_or(|a| kind.fits(a)).then_some((kid, key))
}

fn signing_algorithm(alg: KeyAlgorithm) -> Option<Algorithm> {
    use Algorithm::*;
    Some(match alg {
        KeyAlgorithm::RS256 => RS256,
        KeyAlgorithm::RS384 => RS384,
        KeyAlgorithm::RS512 => RS512,
        KeyAlgorithm::PS256 => PS256,
        KeyAlgorithm::PS384 => PS384,
        KeyAlgorithm::PS512 => PS512,
        KeyAlgorithm::ES256 => ES256,
        KeyAlgorithm::ES384 => ES384,
        _ => return None,
    })
}

/// Read and parse a key file; an error when it has no usable key.
pub fn read_file(path: &Path) -> Result<Keys, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let keys = parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    if keys.is_empty() {
        return Err(format!(
            "{} has no usable signing key (RSA, or EC on P-256 or P-384, each with a kid)",
            path.display()
        ));
    }
    Ok(keys)
}

/// How long a response's `Cache-Control` lets it be kept.
pub fn max_age(cache_control: Option<&str>) -> Duration {
    let Some(value) = cache_control else {
        return DEFAULT_MAX_AGE;
    };
    let directives: Vec<String> = value
        .split(',')
        .map(|d| d.trim().to_ascii_lowercase())
        .collect();
    if directives
        .iter()
        .any(|d| d == "no-store" || d == "no-cache")
    {
        return MAX_AGE_RANGE.0;
    }
    directives
        .iter()
        .find_map(|d| {
            d.strip_prefix("max-age=")?
                .trim_matches('"')
                .parse::<u64>()
                .ok()
        })
        .map(Duration::from_secs)
        .map_or(DEFAULT_MAX_AGE, |age| {
            age.clamp(MAX_AGE_RANGE.0, MAX_AGE_RANGE.1)
        })
}

/// What a load brought: the keys and until when they are fresh (`None`:
/// until a token needs a key they lack).
type Loaded = (Keys, Option<Instant>);

fn fetch(agent: &ureq::Agent, url: &str) -> Result<Loaded, String> {
    let mut response = agent.get(url).call().map_err(|e| e.to_string())?;
    let keep = max_age(
        response
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
    );
    let text = response
        .body_mut()
        .with_config()
        .limit(MAX_JWKS_BYTES)
        .read_to_string()
        .map_err(|e| e.to_string())?;
    Ok((parse(&text)?, Some(Instant::now() + keep)))
}

/// The cache's state; its lock is held only to read or replace it.
#[derive(Default)]
struct State {
    keys: Arc<Keys>,
    /// Whether a load ever succeeded.
    loaded: bool,
    /// Until when the keys are fresh (`None`: no time limit).
    fresh_until: Option<Instant>,
    /// The last load caused by an unknown `kid`.
    last_refetch: Option<Instant>,
    /// After a failed load, when to try again (the old keys serve meanwhile).
    retry_at: Option<Instant>,
}

/// What to do for a `kid`.
enum Plan {
    Found(Key),
    Refuse,
    Unavailable,
    Load { unknown_kid: bool },
}

/// The key set, loaded when needed.
pub struct KeyCache {
    source: JwksSource,
    agent: ureq::Agent,
    state: Mutex<State>,
    /// Held (asynchronously) by the one request loading the set.
    loading: tokio::sync::Mutex<()>,
    /// Loads attempted, for the metrics and the tests.
    loads: std::sync::atomic::AtomicU64,
}

impl KeyCache {
    /// A cache over `source`, empty until the first token.
    pub fn new(source: JwksSource) -> KeyCache {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(FETCH_TIMEOUT))
            .max_redirects(3)
            .build()
            .into();
        KeyCache {
            source,
            agent,
            state: Mutex::new(State::default()),
            loading: tokio::sync::Mutex::new(()),
            loads: Default::default(),
        }
    }

    /// How many times the set was fetched or read.
    pub fn loads(&self) -> u64 {
        self.loads.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn plan(&self, kid: &str, now: Instant) -> Plan {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let backing_off = state.retry_at.is_some_and(|at| now < at);
        let fresh = state.loaded && state.fresh_until.is_none_or(|until| now < until);
        let known = state.keys.get(kid).cloned();
        match known {
            Some(key) if fresh || backing_off => Plan::Found(key),
            Some(_) => Plan::Load { unknown_kid: false },
            None if backing_off && !state.loaded => Plan::Unavailable,
            None if backing_off => Plan::Refuse,
            None if !fresh && !state.loaded => Plan::Load { unknown_kid: false },
            None => {
                let may_refetch = state
                    .last_refetch
                    .is_none_or(|at| now.duration_since(at) >= REFETCH_INTERVAL);
                if may_refetch {
                    Plan::Load { unknown_kid: true }
                } else if fresh {
                    Plan::Refuse
                } else {
                    Plan::Load { unknown_kid: false }
                }
            }
        }
    }

    /// The key named `kid`: 401 when the set lacks it (after the reload it
    /// may cause), 503 when the set was never loaded and cannot be.
    pub async fn key(&self, kid: &str) -> Result<Key, ApiError> {
        if let Plan::Found(key) = self.plan(kid, Instant::now()) {
            return Ok(key);
        }
        let _turn = self.loading.lock().await;
        // Another request may have loaded the set while this one waited.
        let unknown_kid = match self.plan(kid, Instant::now()) {
            Plan::Found(key) => return Ok(key),
            Plan::Refuse => return Err(unknown_key()),
            Plan::Unavailable => return Err(unavailable()),
            Plan::Load { unknown_kid } => unknown_kid,
        };
        if unknown_kid {
            self.lock().last_refetch = Some(Instant::now());
        }
        self.loads
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (source, agent) = (self.source.clone(), self.agent.clone());
        let loaded = actix_web::web::block(move || match &source {
            JwksSource::Url(url) => fetch(&agent, url),
            JwksSource::File(path) => read_file(path).map(|keys| (keys, None)),
        })
        .await
        .map_err(|e| e.to_string())
        .and_then(|r| r);
        let mut state = self.lock();
        match loaded {
            Ok((keys, fresh_until)) => {
                state.keys = Arc::new(keys);
                state.loaded = true;
                state.fresh_until = fresh_until;
                state.retry_at = None;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot load the identity provider's keys");
                // Without any keys, every provider token waits on this: try
                // again sooner than when old keys still serve.
                let wait = if state.loaded {
                    REFETCH_INTERVAL
                } else {
                    FIRST_LOAD_RETRY
                };
                state.retry_at = Some(Instant::now() + wait);
                if !state.loaded {
                    return Err(unavailable());
                }
            }
        }
        state.keys.get(kid).cloned().ok_or_else(unknown_key)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn unavailable() -> ApiError {
    ApiError::Unavailable(
        "The identity provider's signing keys cannot be loaded; try again later.".into(),
    )
}

fn unknown_key() -> ApiError {
    ApiError::Unauthorized(
        "The token is signed with a key the identity provider does not list.".into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_age_is_honoured_within_bounds() {
        assert_eq!(max_age(None), DEFAULT_MAX_AGE);
        assert_eq!(
            max_age(Some("public, max-age=7200")),
            Duration::from_secs(7200)
        );
        assert_eq!(max_age(Some("max-age=5")), Duration::from_secs(60));
        assert_eq!(max_age(Some("no-cache")), Duration::from_secs(60));
        assert_eq!(
            max_age(Some("max-age=9999999")),
            Duration::from_secs(86_400)
        );
        assert_eq!(max_age(Some("private")), DEFAULT_MAX_AGE);
    }

    const EC_SET: &str = r#"{"keys":[{"kty":"EC","kid":"e","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}"#;

    fn loaded_cache(fresh_for: Duration, last_refetch: Option<Instant>) -> (KeyCache, Instant) {
        let cache = KeyCache::new(JwksSource::Url("https://idp.example/keys".into()));
        let now = Instant::now();
        {
            let mut state = cache.lock();
            state.keys = Arc::new(parse(EC_SET).unwrap());
            state.loaded = true;
            state.fresh_until = Some(now + fresh_for);
            state.last_refetch = last_refetch;
        }
        (cache, now)
    }

    #[test]
    fn a_key_set_is_used_until_its_max_age_and_then_fetched_again() {
        let (cache, now) = loaded_cache(Duration::from_secs(3600), None);
        assert!(matches!(cache.plan("e", now), Plan::Found(_)));
        let later = now + Duration::from_secs(3601);
        assert!(matches!(
            cache.plan("e", later),
            Plan::Load { unknown_kid: false }
        ));
    }

    #[test]
    fn an_unknown_kid_reloads_at_most_once_a_minute() {
        let (cache, now) = loaded_cache(Duration::from_secs(3600), None);
        assert!(matches!(
            cache.plan("new", now),
            Plan::Load { unknown_kid: true }
        ));
        cache.lock().last_refetch = Some(now);
        assert!(matches!(
            cache.plan("new", now + Duration::from_secs(59)),
            Plan::Refuse
        ));
        assert!(matches!(
            cache.plan("new", now + Duration::from_secs(60)),
            Plan::Load { unknown_kid: true }
        ));
    }

    #[test]
    fn after_a_failed_load_the_old_keys_serve_and_nothing_is_fetched() {
        let (cache, now) = loaded_cache(Duration::ZERO, None);
        cache.lock().retry_at = Some(now + REFETCH_INTERVAL);
        let soon = now + Duration::from_secs(1);
        assert!(matches!(cache.plan("e", soon), Plan::Found(_)));
        assert!(matches!(cache.plan("other", soon), Plan::Refuse));
        let never = KeyCache::new(JwksSource::Url("https://idp.example/keys".into()));
        never.lock().retry_at = Some(now + FIRST_LOAD_RETRY);
        assert!(matches!(never.plan("e", soon), Plan::Unavailable));
    }

    #[test]
    fn symmetric_and_kidless_keys_are_skipped() {
        let keys = parse(
            r#"{"keys":[
                {"kty":"oct","kid":"h","k":"c2VjcmV0"},
                {"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
                {"kty":"EC","kid":"e","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
                {"kty":"EC","kid":"enc","use":"enc","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
                {"kty":"weird","kid":"w"}
            ]}"#,
        )
        .unwrap();
        assert_eq!(keys.keys().collect::<Vec<_>>(), ["e"]);
        assert!(keys["e"].verifies(Algorithm::ES256));
        assert!(!keys["e"].verifies(Algorithm::RS256));
    }
}
