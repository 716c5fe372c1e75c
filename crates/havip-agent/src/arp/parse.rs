//! ARP in Ethernet frames, pure: the bytes a packet socket hands over become the
//! operation, sender and target, and whether the packet claims an address (a gratuitous
//! request, or any reply: its sender IP is the address the sender says it holds).
//! Anything that is not Ethernet/IPv4 ARP, or is too short, is refused; nothing panics.

use std::fmt;
use std::net::Ipv4Addr;

const ETHERTYPE_ARP: u16 = 0x0806;
const ETHERTYPE_VLAN: u16 = 0x8100;
const ETHERTYPE_QINQ: u16 = 0x88a8;
const ETHERNET_HEADER: usize = 14;
const VLAN_TAG: usize = 4;
/// Ethernet/IPv4 ARP: hardware type 1, protocol 0x0800, lengths 6 and 4.
const ARP_LEN: usize = 28;

/// What an ARP packet asks or answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArpOp {
    Request,
    Reply,
}

/// How a packet claims its sender IP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClaimKind {
    /// A request whose sender and target IP are the claimed address (keepalived's
    /// gratuitous ARP, `arping -U`).
    GratuitousRequest,
    /// A reply: its sender says it holds the sender IP (an answer to a request, or a
    /// gratuitous reply as `arping -A` sends).
    Reply,
}

impl fmt::Display for ClaimKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ClaimKind::GratuitousRequest => "gratuitous request",
            ClaimKind::Reply => "reply",
        })
    }
}

/// An Ethernet/IPv4 ARP packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArpPacket {
    pub op: ArpOp,
    /// The frame's VLAN id, if it carried an 802.1Q tag.
    pub vlan: Option<u16>,
    /// The frame's source MAC (the fabric checks that it equals `sender_mac`).
    pub source_mac: [u8; 6],
    pub sender_mac: [u8; 6],
    pub sender_ip: Ipv4Addr,
    pub target_mac: [u8; 6],
    pub target_ip: Ipv4Addr,
}

/// Why a frame is not an ARP packet this watcher reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("frame of {0} bytes is too short")]
    Short(usize),
    #[error("ethertype {0:#06x} is not ARP")]
    NotArp(u16),
    #[error("ARP for hardware type {htype}, protocol {ptype:#06x}, lengths {hlen}/{plen} is not Ethernet/IPv4")]
    NotEthernetIpv4 {
        htype: u16,
        ptype: u16,
        hlen: u8,
        plen: u8,
    },
    #[error("ARP operation {0} is neither request nor reply")]
    Operation(u16),
}

impl ArpPacket {
    /// How this packet claims its sender IP, if it does. The unspecified sender of an
    /// ARP probe (0.0.0.0) claims nothing.
    pub fn claim(&self) -> Option<ClaimKind> {
        if self.sender_ip.is_unspecified() {
            return None;
        }
        match self.op {
            ArpOp::Request if self.sender_ip == self.target_ip => {
                Some(ClaimKind::GratuitousRequest)
            }
            ArpOp::Request => None,
            ArpOp::Reply => Some(ClaimKind::Reply),
        }
    }

    /// Whether the packet says its sender holds the sender IP.
    pub fn is_claim(&self) -> bool {
        self.claim().is_some()
    }
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

fn mac_at(b: &[u8], at: usize) -> Option<[u8; 6]> {
    b.get(at..at + 6)?.try_into().ok()
}

fn ip_at(b: &[u8], at: usize) -> Option<Ipv4Addr> {
    let o: [u8; 4] = b.get(at..at + 4)?.try_into().ok()?;
    Some(Ipv4Addr::from(o))
}

/// The ARP packet in an Ethernet frame (with at most one 802.1Q or 802.1ad tag).
pub fn parse_frame(frame: &[u8]) -> Result<ArpPacket, ParseError> {
    let short = ParseError::Short(frame.len());
    let source_mac = mac_at(frame, 6).ok_or(short)?;
    let mut ethertype = u16_at(frame, 12).ok_or(short)?;
    let mut at = ETHERNET_HEADER;
    let mut vlan = None;
    if ethertype == ETHERTYPE_VLAN || ethertype == ETHERTYPE_QINQ {
        vlan = Some(u16_at(frame, at).ok_or(short)? & 0x0fff);
        ethertype = u16_at(frame, at + 2).ok_or(short)?;
        at += VLAN_TAG;
    }
    if ethertype != ETHERTYPE_ARP {
        return Err(ParseError::NotArp(ethertype));
    }
    let arp = frame.get(at..at + ARP_LEN).ok_or(short)?;
    let htype = u16_at(arp, 0).ok_or(short)?;
    let ptype = u16_at(arp, 2).ok_or(short)?;
    let (hlen, plen) = (arp[4], arp[5]);
    if (htype, ptype, hlen, plen) != (1, 0x0800, 6, 4) {
        return Err(ParseError::NotEthernetIpv4 {
            htype,
            ptype,
            hlen,
            plen,
        });
    }
    let op = match u16_at(arp, 6).ok_or(short)? {
        1 => ArpOp::Request,
        2 => ArpOp::Reply,
        other => return Err(ParseError::Operation(other)),
    };
    Ok(ArpPacket {
        op,
        vlan,
        source_mac,
        sender_mac: mac_at(arp, 8).ok_or(short)?,
        sender_ip: ip_at(arp, 14).ok_or(short)?,
        target_mac: mac_at(arp, 18).ok_or(short)?,
        target_ip: ip_at(arp, 24).ok_or(short)?,
    })
}

/// `aa:bb:cc:dd:ee:ff`, lower case (as the lab and the fabric write MACs).
pub fn format_mac(mac: &[u8; 6]) -> String {
    mac.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hex(s: &str) -> Vec<u8> {
        let digits: String = s.split_whitespace().collect();
        (0..digits.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).unwrap())
            .collect()
    }

    /// `arping -U -I eth0 10.79.1.100` from 00:16:3e:79:00:01, as tcpdump captured it
    /// on the fabric's bridge (42 bytes, no padding: the bridge saw it before any NIC).
    const GRATUITOUS: &str = "ffffffffffff 00163e790001 0806
        0001 0800 06 04 0001 00163e790001 0a4f0164 ffffffffffff 0a4f0164";
    /// The answer of 10.79.1.100 at 00:16:3e:79:00:01 to the client 10.79.1.254.
    const REPLY: &str = "32405c472cda 00163e790001 0806
        0001 0800 06 04 0002 00163e790001 0a4f0164 32405c472cda 0a4f01fe";
    /// The client asking who has 10.79.1.100.
    const REQUEST: &str = "ffffffffffff 32405c472cda 0806
        0001 0800 06 04 0001 32405c472cda 0a4f01fe 000000000000 0a4f0164";

    #[test]
    fn a_gratuitous_request_claims_its_sender_ip() {
        let p = parse_frame(&hex(GRATUITOUS)).unwrap();
        assert_eq!(p.op, ArpOp::Request);
        assert_eq!(p.vlan, None);
        assert_eq!(format_mac(&p.sender_mac), "00:16:3e:79:00:01");
        assert_eq!(p.source_mac, p.sender_mac);
        assert_eq!(p.sender_ip, Ipv4Addr::new(10, 79, 1, 100));
        assert_eq!(p.target_ip, p.sender_ip);
        assert_eq!(p.claim(), Some(ClaimKind::GratuitousRequest));
        assert!(p.is_claim());
    }

    #[test]
    fn a_reply_claims_its_sender_ip_and_a_request_does_not() {
        let reply = parse_frame(&hex(REPLY)).unwrap();
        assert_eq!(reply.op, ArpOp::Reply);
        assert_eq!(reply.sender_ip, Ipv4Addr::new(10, 79, 1, 100));
        assert_eq!(reply.target_ip, Ipv4Addr::new(10, 79, 1, 254));
        assert_eq!(reply.claim(), Some(ClaimKind::Reply));
        let request = parse_frame(&hex(REQUEST)).unwrap();
        assert_eq!(request.op, ArpOp::Request);
        assert_eq!(request.claim(), None);
    }

    #[test]
    fn a_probe_claims_nothing() {
        // RFC 5227 probe: sender 0.0.0.0, target the address being checked.
        let probe = hex("ffffffffffff 00163e790001 0806
            0001 0800 06 04 0001 00163e790001 00000000 000000000000 0a4f0164");
        assert_eq!(parse_frame(&probe).unwrap().claim(), None);
        // A "gratuitous" request with both addresses zero claims nothing either.
        let zero = hex("ffffffffffff 00163e790001 0806
            0001 0800 06 04 0001 00163e790001 00000000 000000000000 00000000");
        assert_eq!(parse_frame(&zero).unwrap().claim(), None);
    }

    #[test]
    fn a_vlan_tagged_frame_and_padding_are_read() {
        let mut tagged = hex(GRATUITOUS);
        tagged.splice(12..12, hex("8100 2064"));
        tagged.extend_from_slice(&[0; 18]);
        let p = parse_frame(&tagged).unwrap();
        assert_eq!(p.vlan, Some(100));
        assert_eq!(p.claim(), Some(ClaimKind::GratuitousRequest));
        let untagged = parse_frame(&hex(GRATUITOUS)).unwrap();
        assert_eq!(ArpPacket { vlan: None, ..p }, untagged);
    }

    #[test]
    fn short_and_foreign_frames_are_refused() {
        let full = hex(GRATUITOUS);
        for n in 0..full.len() {
            assert_eq!(parse_frame(&full[..n]), Err(ParseError::Short(n)), "{n}");
        }
        let mut ipv4 = full.clone();
        ipv4[12..14].copy_from_slice(&[0x08, 0x00]);
        assert_eq!(parse_frame(&ipv4), Err(ParseError::NotArp(0x0800)));
        let mut ipv6_arp = full.clone();
        ipv6_arp[16..18].copy_from_slice(&[0x86, 0xdd]);
        assert!(matches!(
            parse_frame(&ipv6_arp),
            Err(ParseError::NotEthernetIpv4 { ptype: 0x86dd, .. })
        ));
        let mut rarp_op = full.clone();
        rarp_op[21] = 3;
        assert_eq!(parse_frame(&rarp_op), Err(ParseError::Operation(3)));
        let mut tag_only = full[..12].to_vec();
        tag_only.extend_from_slice(&hex("8100 0001"));
        assert_eq!(parse_frame(&tag_only), Err(ParseError::Short(16)));
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
            let _ = parse_frame(&bytes);
        }

        #[test]
        fn arp_shaped_frames_never_panic(
            tag in any::<bool>(),
            body in proptest::collection::vec(any::<u8>(), 0..40),
        ) {
            let mut frame = hex("ffffffffffff 00163e790001");
            if tag {
                frame.extend_from_slice(&hex("8100 0001"));
            }
            frame.extend_from_slice(&hex("0806 0001 0800 06 04"));
            frame.extend_from_slice(&body);
            if let Ok(p) = parse_frame(&frame) {
                prop_assert_eq!(p.vlan.is_some(), tag);
            }
        }
    }
}
