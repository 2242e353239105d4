//! Which addresses a webhook may reach: only public ones, unless the operator permits
//! internal networks. Checked when a subscription is made and again at every delivery,
//! where the resolver itself refuses, so the address connected to is the one checked.

use std::error::Error as StdError;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use ipnet::IpNet;

/// The operator's rule for webhook targets (`KAIZEN_WEBHOOK_ALLOW_PRIVATE`,
/// `KAIZEN_WEBHOOK_ALLOWED_NETWORKS`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TargetPolicy {
    /// Every address is permitted, internal ones too.
    pub allow_private: bool,
    /// Networks permitted beside the public Internet, e.g. the Kommune's `10.20.0.0/16`.
    pub allowed_networks: Vec<IpNet>,
}

/// A target refused because one of its addresses is not public.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub address: IpAddr,
    pub kind: &'static str,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "refused: the target resolves to {} ({}), which is not a public address",
            self.address, self.kind
        )
    }
}

impl StdError for Refused {}

impl TargetPolicy {
    /// Everything permitted (tests with receivers on 127.0.0.1).
    pub fn allow_all() -> Self {
        Self {
            allow_private: true,
            allowed_networks: Vec::new(),
        }
    }

    /// Whether a connection to `ip` is permitted.
    pub fn check(&self, ip: IpAddr) -> Result<(), Refused> {
        if self.allow_private {
            return Ok(());
        }
        let ip = canonical(ip);
        match non_public(ip) {
            None => Ok(()),
            Some(_) if self.allowed_networks.iter().any(|n| n.contains(&ip)) => Ok(()),
            Some(kind) => Err(Refused { address: ip, kind }),
        }
    }

    /// Every address must pass: a name with one internal address among public ones is
    /// refused (the connection could go to any of them).
    pub fn check_all(&self, addrs: &[SocketAddr]) -> Result<(), Refused> {
        addrs.iter().try_for_each(|a| self.check(a.ip()))
    }

    /// The check when a subscription is made: an IP literal is checked, a name resolved
    /// and each address checked. A name that does not resolve (yet) passes: the check
    /// at delivery decides then.
    pub async fn check_url(&self, url: &url::Url) -> Result<(), Refused> {
        if self.allow_private {
            return Ok(());
        }
        match url.host() {
            Some(url::Host::Ipv4(ip)) => self.check(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => self.check(IpAddr::V6(ip)),
            Some(url::Host::Domain(name)) if is_localhost(name) => self.check(IpAddr::V4(Ipv4Addr::LOCALHOST)),
            Some(url::Host::Domain(name)) => {
                let port = url.port_or_known_default().unwrap_or(443);
                let lookup = tokio::net::lookup_host((name, port));
                match tokio::time::timeout(Duration::from_secs(5), lookup).await {
                    Ok(Ok(addrs)) => self.check_all(&addrs.collect::<Vec<_>>()),
                    _ => Ok(()),
                }
            }
            None => Ok(()),
        }
    }
}

/// `localhost` and its subdomains are the loopback (RFC 6761), whatever a resolver says.
fn is_localhost(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost")
}

/// An IPv4 address written as IPv6 (`::ffff:a.b.c.d`) is that IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// Why `ip` is not a public unicast address; `None` when it is.
pub fn non_public(ip: IpAddr) -> Option<&'static str> {
    match canonical(ip) {
        IpAddr::V4(v4) => non_public_v4(v4),
        IpAddr::V6(v6) => non_public_v6(v6),
    }
}

fn non_public_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    if ip.is_unspecified() || a == 0 {
        Some("unspecified")
    } else if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_private() {
        Some("private")
    } else if ip.is_link_local() {
        Some("link-local")
    } else if a == 100 && (64..128).contains(&b) {
        Some("shared address space")
    } else if ip.is_multicast() {
        Some("multicast")
    } else if ip.is_broadcast() || a >= 240 {
        Some("reserved")
    } else if ip.is_documentation() {
        Some("documentation")
    } else if a == 198 && (b == 18 || b == 19) {
        Some("benchmarking")
    } else if a == 192 && b == 0 && c == 0 {
        Some("protocol assignments")
    } else {
        None
    }
}

fn non_public_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let s = ip.segments();
    if ip.is_unspecified() {
        Some("unspecified")
    } else if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_multicast() {
        Some("multicast")
    } else if (s[0] & 0xfe00) == 0xfc00 {
        Some("unique local")
    } else if (s[0] & 0xffc0) == 0xfe80 || (s[0] & 0xffc0) == 0xfec0 {
        Some("link-local")
    } else if s[0] == 0x0064 && s[1] == 0xff9b {
        // NAT64: the IPv4 address it translates to decides.
        let v4 = embedded_v4(s[6], s[7]);
        non_public_v4(v4)
    } else if s[0] == 0x2002 {
        // 6to4: the embedded IPv4 address decides.
        let v4 = embedded_v4(s[1], s[2]);
        non_public_v4(v4)
    } else if s[0] == 0x2001 && s[1] == 0x0db8 {
        Some("documentation")
    } else if s[0] == 0x2001 && s[1] < 0x0200 {
        // IETF protocol assignments, Teredo among them.
        Some("protocol assignments")
    } else if (s[0] & 0xe000) != 0x2000 {
        // Outside global unicast 2000::/3: IPv4-compatible, discard-only and the like.
        Some("reserved")
    } else {
        None
    }
}

fn embedded_v4(high: u16, low: u16) -> Ipv4Addr {
    let [a, b] = high.to_be_bytes();
    let [c, d] = low.to_be_bytes();
    Ipv4Addr::new(a, b, c, d)
}

/// The webhook client's resolver: it resolves as the system does and hands back the
/// addresses only when every one passes the policy, so a DNS answer that changed since
/// the subscription was made (or changes between two lookups) cannot reach inside.
pub struct CheckingResolver {
    pub policy: TargetPolicy,
}

impl reqwest::dns::Resolve for CheckingResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.policy.clone();
        Box::pin(async move {
            if is_localhost(name.as_str()) {
                policy.check(IpAddr::V4(Ipv4Addr::LOCALHOST))?;
            }
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            policy.check_all(&addrs)?;
            let out: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(out)
        })
    }
}

/// The refusal inside a failed request, if that is why it failed.
pub fn refusal_in(error: &(dyn StdError + 'static)) -> Option<Refused> {
    let mut current: Option<&(dyn StdError + 'static)> = Some(error);
    while let Some(e) = current {
        if let Some(r) = e.downcast_ref::<Refused>() {
            return Some(r.clone());
        }
        current = e.source();
    }
    None
}

/// `10.0.0.0/8, fd00::/8` → networks; a bare address is a network of one.
pub fn parse_networks(raw: &str) -> Result<Vec<IpNet>, String> {
    raw.split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("{s:?} is not a network (e.g. 10.20.0.0/16 or fd00::/8)"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or_else(|_| panic!("{s}"))
    }

    #[test]
    fn internal_addresses_are_not_public() {
        for s in [
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.254",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "0.1.2.3",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "192.0.2.1",
            "198.18.0.1",
            "::",
            "::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "2002:0a00:0001::1",
            "2001:db8::1",
            "2001::1",
            "::127.0.0.1",
        ] {
            assert!(non_public(ip(s)).is_some(), "{s} must not count as public");
        }
    }

    #[test]
    fn public_addresses_pass() {
        for s in [
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "193.99.144.80",
            "2a00:1450:4001::1",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert_eq!(non_public(ip(s)), None, "{s} is public");
        }
    }

    #[test]
    fn the_operator_can_permit_networks_or_everything() {
        let strict = TargetPolicy::default();
        assert!(strict.check(ip("10.20.1.5")).is_err());
        assert!(strict.check(ip("8.8.8.8")).is_ok());
        let kommune = TargetPolicy {
            allow_private: false,
            allowed_networks: parse_networks("10.20.0.0/16, fd00::/8 192.168.7.7").unwrap_or_default(),
        };
        assert!(kommune.check(ip("10.20.1.5")).is_ok());
        assert!(kommune.check(ip("::ffff:10.20.1.5")).is_ok());
        assert!(kommune.check(ip("192.168.7.7")).is_ok());
        assert!(kommune.check(ip("192.168.7.8")).is_err());
        assert!(kommune.check(ip("10.21.0.1")).is_err());
        assert!(kommune.check(ip("169.254.169.254")).is_err());
        assert!(TargetPolicy::allow_all().check(ip("127.0.0.1")).is_ok());
        assert!(parse_networks("10.0.0.0/33").is_err());
        assert!(parse_networks("intranet").is_err());
    }

    #[test]
    fn one_internal_address_among_public_ones_refuses_the_name() {
        let addrs = [
            SocketAddr::new(ip("8.8.8.8"), 443),
            SocketAddr::new(ip("10.0.0.1"), 443),
        ];
        let refused = TargetPolicy::default().check_all(&addrs).err();
        assert_eq!(refused.map(|r| r.kind), Some("private"));
    }
}
