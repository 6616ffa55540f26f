//! Where a webhook may point: an `https` URL (or `http` where private
//! addresses are allowed) whose host resolves only to public addresses, so
//! that a subscription cannot be used to reach the service's own network
//! (server-side request forgery). `WEBHOOK_ALLOW_PRIVATE=true` lifts the
//! address check, for receivers on the council's own network and for tests.

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};

/// The longest URL a subscription takes.
pub const MAX_URL: usize = 2_000;

/// Why a URL is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

/// A URL's scheme, host and port, as far as the check needs them.
struct Target<'a> {
    host: &'a str,
    port: u16,
}

fn parse(url: &str, allow_private: bool) -> Result<Target<'_>, Refused> {
    let refuse = |why: &str| Err(Refused(why.to_string()));
    if url.len() > MAX_URL {
        return refuse("must be at most 2000 characters");
    }
    let (rest, default_port) = if let Some(rest) = url.strip_prefix("https://") {
        (rest, 443)
    } else if let Some(rest) = url.strip_prefix("http://") {
        if !allow_private {
            return refuse("must be an https URL");
        }
        (rest, 80)
    } else {
        return refuse("must be an https URL");
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return refuse("must not carry a user name or password");
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return refuse("must not contain spaces or control characters");
    }
    let (host, port) = match authority.strip_prefix('[') {
        // An IPv6 literal: [::1]:8080
        Some(v6) => {
            let Some((host, after)) = v6.split_once(']') else {
                return refuse("has an unclosed IPv6 address");
            };
            (host, after.strip_prefix(':'))
        }
        None => match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    if host.is_empty() {
        return refuse("must name a host");
    }
    let port = match port {
        None => default_port,
        Some(port) => match port.parse::<u16>() {
            Ok(port) if port > 0 => port,
            _ => return refuse("has an invalid port"),
        },
    };
    Ok(Target { host, port })
}

/// Check `url`'s form (the scheme is checked with the address, which
/// depends on the configuration).
pub fn check_form(url: &str) -> Result<(), Refused> {
    parse(url, true).map(|_| ())
}

/// Whether `ip` is an address on the public internet: not loopback,
/// private, link-local, shared (carrier-grade NAT), unique-local,
/// unspecified, multicast, broadcast or documentation.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_documentation()
                || a == 0
                // Shared address space (carrier-grade NAT): 100.64.0.0/10.
                || (a == 100 && (64..128).contains(&b))
                // IETF protocol assignments: 192.0.0.0/24.
                || v4.octets()[..3] == [192, 0, 0]
                // Benchmarking: 198.18.0.0/15.
                || (a == 198 && (b == 18 || b == 19))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            let v4_of = |high: u16, low: u16| {
                std::net::Ipv4Addr::new((high >> 8) as u8, high as u8, (low >> 8) as u8, low as u8)
            };
            // IPv4 inside IPv6: mapped (::ffff:a.b.c.d), compatible
            // (::a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002::/16).
            let compatible =
                s[..6] == [0, 0, 0, 0, 0, 0] && !v6.is_loopback() && !v6.is_unspecified();
            let nat64 = s[..6] == [0x64, 0xff9b, 0, 0, 0, 0];
            let embedded = if let Some(v4) = v6.to_ipv4_mapped() {
                Some(v4)
            } else if compatible || nat64 {
                Some(v4_of(s[6], s[7]))
            } else if s[0] == 0x2002 {
                Some(v4_of(s[1], s[2]))
            } else {
                None
            };
            if let Some(v4) = embedded {
                return is_public(IpAddr::V4(v4));
            }
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || v6.is_unique_local()
                || v6.is_unicast_link_local()
                // Site-local (deprecated, still routed inside some networks).
                || (s[0] & 0xffc0) == 0xfec0
                // Documentation: 2001:db8::/32.
                || (s[0] == 0x2001 && s[1] == 0x0db8))
        }
    }
}

/// Check `url`: its form, and unless `allow_private`, that every address
/// its host resolves to is public. Resolving may block: call it off the
/// async threads. Returns the addresses it resolved to.
pub fn check(url: &str, allow_private: bool) -> Result<Vec<SocketAddr>, Refused> {
    let target = parse(url, allow_private)?;
    let addresses: Vec<SocketAddr> = (target.host, target.port)
        .to_socket_addrs()
        .map_err(|_| Refused(format!("the host `{}` does not resolve", target.host)))?
        .collect();
    if addresses.is_empty() {
        return Err(Refused(format!(
            "the host `{}` does not resolve",
            target.host
        )));
    }
    if !allow_private {
        if let Some(private) = addresses.iter().find(|a| !is_public(a.ip())) {
            return Err(Refused(format!(
                "resolves to {}, a loopback or private address (set WEBHOOK_ALLOW_PRIVATE=true to allow it)",
                private.ip()
            )));
        }
    }
    Ok(addresses)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_private_and_loopback_addresses() {
        for url in [
            "https://127.0.0.1/hook",
            "https://10.0.0.8/hook",
            "https://192.168.1.1:8443/hook",
            "https://[::1]/hook",
            "https://[fd00::1]/hook",
            "https://169.254.169.254/latest",
            "https://100.64.0.1/",
            "https://0.0.0.0/",
            "https://localhost/hook",
            "https://[::ffff:10.0.0.1]/",
            "https://[::10.0.0.1]/",
            "https://[64:ff9b::a00:1]/",
            "https://[2002:a00:1::]/",
            "https://[fec0::1]/",
            "https://198.18.0.1/",
            "https://192.0.0.8/",
        ] {
            assert!(check(url, false).is_err(), "{url}");
        }
    }

    #[test]
    fn checks_the_form() {
        assert!(check("http://8.8.8.8/", false).is_err());
        assert!(check("ftp://8.8.8.8/", false).is_err());
        assert!(check("https://user:pw@8.8.8.8/", false).is_err());
        assert!(check("https://8.8.8.8:0/", false).is_err());
        assert!(check("https:///path", false).is_err());
        assert!(check("https://8.8.8.8/hook", false).is_ok());
        assert!(check("https://192.0.64.1/hook", false).is_ok());
        assert!(check("https://[64:ff9b::808:808]/hook", false).is_ok());
        assert!(check("http://127.0.0.1:9/hook", true).is_ok());
    }
}
