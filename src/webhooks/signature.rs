//! The signature a receiver checks, as Stripe and GitHub do it: an
//! HMAC-SHA256, keyed with the subscription's secret, over the timestamp, a
//! full stop and the body, sent as
//! `X-Redress-Signature: t=<unix seconds>,v1=<hex>`. The receiver
//! recomputes it, compares in constant time, and refuses a timestamp more
//! than a few minutes old (a replay).

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header carrying the signature.
pub const HEADER: &str = "X-Redress-Signature";

/// The HMAC-SHA256 of `timestamp.body` under `secret`, not yet finalised.
fn mac(secret: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The hex HMAC-SHA256 of `timestamp.body` under `secret`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    mac(secret, timestamp, body)
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The header's value for `body` sent at `timestamp`.
pub fn header_value(secret: &str, timestamp: i64, body: &[u8]) -> String {
    format!("t={timestamp},v1={}", sign(secret, timestamp, body))
}

/// Whether `header` is a valid signature of `body` under `secret` (what a
/// receiver does; the tests use it).
pub fn verify(secret: &str, header: &str, body: &[u8]) -> bool {
    let mut timestamp = None;
    let mut signature = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => signature = Some(v),
            _ => {}
        }
    }
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
        return false;
    };
    let Some(bytes) = (0..signature.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(signature.get(i..i + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()
    else {
        return false;
    };
    mac(secret, timestamp, body).verify_slice(&bytes).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_and_verifies() {
        let header = header_value("s3cret-s3cret-s3cret", 1_700_000_000, b"{\"a\":1}");
        assert!(header.starts_with("t=1700000000,v1="));
        assert!(verify("s3cret-s3cret-s3cret", &header, b"{\"a\":1}"));
        assert!(!verify("s3cret-s3cret-s3cret", &header, b"{\"a\":2}"));
        assert!(!verify("another-secret-here", &header, b"{\"a\":1}"));
        assert!(!verify("s3cret-s3cret-s3cret", "t=1,v1=zz", b""));
    }
}
