//! Who is calling: the client's address, as login throttling needs it.
//!
//! The address is the TCP peer's, unless the peer is a proxy listed in
//! `TRUSTED_PROXIES`: then it is the address that proxy added to
//! `X-Forwarded-For` (the right-most entry not itself a trusted proxy).
//! Entries further left were written by the client and prove nothing.

use std::net::IpAddr;
use std::str::FromStr;

use actix_web::HttpRequest;

/// An address or a CIDR range of addresses (`10.0.0.0/8`, `::1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    network: IpAddr,
    prefix: u8,
}

impl IpRange {
    /// Whether `address` is in the range.
    pub fn contains(&self, address: IpAddr) -> bool {
        fn masked(bits: u128, prefix: u8, width: u8) -> u128 {
            match width - prefix.min(width) {
                shift if shift >= 128 => 0,
                shift => bits >> shift,
            }
        }
        match (self.network, canonical(address)) {
            (IpAddr::V4(net), IpAddr::V4(addr)) => {
                masked(u32::from(net).into(), self.prefix, 32)
                    == masked(u32::from(addr).into(), self.prefix, 32)
            }
            (IpAddr::V6(net), IpAddr::V6(addr)) => {
                masked(u128::from(net), self.prefix, 128)
                    == masked(u128::from(addr), self.prefix, 128)
            }
            _ => false,
        }
    }
}

impl FromStr for IpRange {
    type Err = String;

    fn from_str(text: &str) -> Result<IpRange, String> {
        let text = text.trim();
        let (address, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let network = canonical(
            address
                .parse::<IpAddr>()
                .map_err(|_| format!("`{text}` is not an IP address or CIDR range"))?,
        );
        let width = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => width,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= width)
                .ok_or_else(|| format!("`{text}` has an invalid prefix length"))?,
        };
        Ok(IpRange { network, prefix })
    }
}

/// IPv4 addresses written as IPv6 (`::ffff:10.0.0.1`) as plain IPv4.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

/// The client's address for `req`, as text (`unknown` when the connection
/// has none, as in tests that do not set one).
pub fn address(req: &HttpRequest, trusted_proxies: &[IpRange]) -> String {
    let Some(peer) = req.peer_addr().map(|a| canonical(a.ip())) else {
        return "unknown".into();
    };
    let trusted = |ip: IpAddr| trusted_proxies.iter().any(|range| range.contains(ip));
    if !trusted(peer) {
        return peer.to_string();
    }
    let forwarded: Vec<IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|entry| entry.trim().parse::<IpAddr>().map(canonical))
        .collect::<Result<_, _>>()
        .unwrap_or_default();
    forwarded
        .into_iter()
        .rev()
        .find(|ip| !trusted(*ip))
        .unwrap_or(peer)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn ranges(text: &str) -> Vec<IpRange> {
        text.split(',').map(|r| r.parse().unwrap()).collect()
    }

    #[test]
    fn ranges_parse_and_match() {
        let net: IpRange = "10.1.0.0/16".parse().unwrap();
        assert!(net.contains("10.1.200.3".parse().unwrap()));
        assert!(!net.contains("10.2.0.1".parse().unwrap()));
        assert!(net.contains("::ffff:10.1.0.9".parse().unwrap()));
        let one: IpRange = "::1".parse().unwrap();
        assert!(one.contains("::1".parse().unwrap()));
        assert!(!one.contains("::2".parse().unwrap()));
        let all: IpRange = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("192.0.2.1".parse().unwrap()));
        assert!("10.0.0.0/33".parse::<IpRange>().is_err());
        assert!("proxy".parse::<IpRange>().is_err());
    }

    #[test]
    fn forwarded_for_counts_only_behind_a_trusted_proxy() {
        let req = TestRequest::default()
            .peer_addr("192.0.2.7:5000".parse().unwrap())
            .insert_header(("x-forwarded-for", "203.0.113.9"))
            .to_http_request();
        assert_eq!(address(&req, &[]), "192.0.2.7");
        assert_eq!(address(&req, &ranges("192.0.2.0/24")), "203.0.113.9");
    }

    #[test]
    fn the_rightmost_untrusted_entry_is_the_client() {
        let req = TestRequest::default()
            .peer_addr("10.0.0.2:5000".parse().unwrap())
            .insert_header(("x-forwarded-for", "1.1.1.1, 198.51.100.4, 10.0.0.1"))
            .to_http_request();
        assert_eq!(address(&req, &ranges("10.0.0.0/8")), "198.51.100.4");
        let forged = TestRequest::default()
            .peer_addr("10.0.0.2:5000".parse().unwrap())
            .insert_header(("x-forwarded-for", "not-an-address"))
            .to_http_request();
        assert_eq!(address(&forged, &ranges("10.0.0.0/8")), "10.0.0.2");
    }
}
