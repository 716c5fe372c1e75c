//! The ruleset rendered as one `nft -j` transaction ([`Batch`]), in the typed schema
//! of [`crate::schema`].

use crate::names::{self, CounterKind, GUARD_CHAIN, UNKNOWN_PORT_COUNTER};
use crate::ruleset::{
    Existing, Ruleset, CLAIMS_SIZE, FILTER_PRIORITY, SET_PORT_IP, SET_PORT_MAC, SET_VIPS,
    SET_VIP_CLAIMS,
};
use crate::schema::{
    BaseChain, Batch, Chain, Command, Counter, Element, Expr, JumpTarget, Object, Rule, Set,
    SetType, SetUpdate, Stmt, Table, Verdict, Vmap, VmapData, FAMILY,
};

/// The type of `vip_claims`.
pub(crate) const CLAIMS_TYPE: [&str; 2] = ["ifname", "ipv4_addr"];

impl Ruleset {
    /// One `nft -j` transaction that makes the table hold exactly these rules, whatever
    /// it held before (`existing`): the table is created if missing, its chains and sets
    /// emptied (but `vip_claims`, whose elements are the drops counted so far), objects
    /// no longer wanted deleted, and everything added again. Named counters keep their
    /// values; claims of ports that are gone are deleted.
    pub fn commands(&self, existing: &Existing) -> Batch {
        let t = || self.table.clone();
        let table = || {
            Object::Table(Table {
                family: FAMILY,
                name: t(),
            })
        };
        let set = |name: &str, set_type, stmt, size| {
            Object::Set(Set {
                family: FAMILY,
                table: t(),
                name: name.to_string(),
                set_type,
                stmt,
                size,
            })
        };
        let chain = |name: &str, base| {
            Object::Chain(Chain {
                family: FAMILY,
                table: t(),
                name: name.to_string(),
                base,
            })
        };
        let counter = |name: &str, comment| {
            Object::Counter(Counter {
                family: FAMILY,
                table: t(),
                name: name.to_string(),
                comment,
            })
        };
        let mut cmds = vec![Command::Add(table()), Command::Flush(table())];
        let sets = [
            (SET_PORT_MAC, SetType::Concat(vec!["ifname", "ether_addr"])),
            (SET_PORT_IP, SetType::Concat(vec!["ifname", "ipv4_addr"])),
            (SET_VIPS, SetType::One("ipv4_addr")),
        ];
        for (name, ty) in &sets {
            cmds.push(Command::Add(set(name, Some(ty.clone()), None, None)));
            cmds.push(Command::Flush(set(name, None, None, None)));
        }
        let counters = self.counters();
        let chains = self.chains();
        // Rules are gone after the flush, so nothing refers to stale objects any more.
        for c in existing.chains.iter().filter(|c| !chains.contains(c)) {
            cmds.push(Command::Delete(chain(c, None)));
        }
        let kept = |s: &str| {
            sets.iter().any(|(n, _)| *n == s) || (s == SET_VIP_CLAIMS && !existing.claims_misshapen)
        };
        for s in existing.sets.iter().filter(|s| !kept(s)) {
            cmds.push(Command::Delete(set(s, None, None, None)));
        }
        // vip_claims is filled by the rules (a claim dropped adds or counts its pair), so
        // it is created once and never flushed. Adding it again would fail: nft gives it
        // the `dynamic` flag, which JSON cannot state. Claims of ports that are gone are
        // deleted.
        if existing.claims_misshapen || !existing.sets.contains(SET_VIP_CLAIMS) {
            cmds.push(Command::Add(set(
                SET_VIP_CLAIMS,
                Some(SetType::Concat(CLAIMS_TYPE.to_vec())),
                Some(vec![Stmt::Counter(None)]),
                Some(CLAIMS_SIZE),
            )));
        } else {
            let stale: Vec<Expr> = existing
                .claims
                .iter()
                .filter(|(port, _)| !self.ports.iter().any(|p| p.name == *port))
                .map(|(port, vip)| pair(port, vip.to_string()))
                .collect();
            if !stale.is_empty() {
                cmds.push(Command::Delete(self.element(SET_VIP_CLAIMS, stale)));
            }
        }
        for c in existing
            .counters
            .iter()
            .filter(|c| !counters.iter().any(|(n, _)| n == *c))
        {
            cmds.push(Command::Delete(counter(c, None)));
        }
        for (name, comment) in &counters {
            cmds.push(Command::Add(counter(name, Some(comment.clone()))));
        }
        for p in &self.ports {
            cmds.push(Command::Add(chain(&names::port_chain(&p.name), None)));
        }
        let hook = BaseChain {
            chain_type: "filter",
            hook: "prerouting",
            prio: FILTER_PRIORITY,
            policy: "accept",
        };
        cmds.push(Command::Add(chain(GUARD_CHAIN, Some(hook))));
        self.add_elements(&mut cmds);
        for p in &self.ports {
            let chain = names::port_chain(&p.name);
            for expr in port_rules(&p.name) {
                cmds.push(self.rule(&chain, expr));
            }
        }
        if !self.ports.is_empty() {
            let map = self
                .ports
                .iter()
                .map(|p| {
                    let target = names::port_chain(&p.name);
                    (
                        Expr::text(p.name.clone()),
                        Verdict::Jump(JumpTarget { target }),
                    )
                })
                .collect();
            let vmap = Stmt::Vmap(Vmap {
                key: Expr::iifname(),
                data: VmapData { set: map },
            });
            cmds.push(self.rule(GUARD_CHAIN, vec![vmap]));
        }
        cmds.push(self.rule(
            GUARD_CHAIN,
            vec![Stmt::counter(UNKNOWN_PORT_COUNTER), Stmt::Drop(())],
        ));
        Batch { nftables: cmds }
    }

    fn rule(&self, chain: &str, expr: Vec<Stmt>) -> Command {
        Command::Add(Object::Rule(Rule {
            family: FAMILY,
            table: self.table.clone(),
            chain: chain.to_string(),
            expr,
        }))
    }

    pub(crate) fn element(&self, set: &str, elem: Vec<Expr>) -> Object {
        Object::Element(Element {
            family: FAMILY,
            table: self.table.clone(),
            name: set.to_string(),
            elem,
        })
    }

    fn add_elements(&self, cmds: &mut Vec<Command>) {
        let macs = self.ports.iter().map(|p| pair(&p.name, p.mac.clone()));
        let ips = self
            .ports
            .iter()
            .flat_map(|p| p.allowed.iter().map(move |a| pair(&p.name, a.to_string())));
        let vips = self.vips.iter().map(|v| Expr::String(v.to_string()));
        let all: [(&str, Vec<Expr>); 3] = [
            (SET_PORT_MAC, macs.collect()),
            (SET_PORT_IP, ips.collect()),
            (SET_VIPS, vips.collect()),
        ];
        for (set, elem) in all {
            if !elem.is_empty() {
                cmds.push(Command::Add(self.element(set, elem)));
            }
        }
    }
}

/// `PORT . VALUE`, an element of a concatenated set.
pub(crate) fn pair(port: &str, value: String) -> Expr {
    Expr::concat(vec![Expr::text(port), Expr::String(value)])
}

/// Counts a claim in vip_claims (adding its pair on the first one).
fn claim(elem: Expr) -> Stmt {
    Stmt::Set(SetUpdate {
        op: "update",
        elem,
        set: format!("@{SET_VIP_CLAIMS}"),
    })
}

/// The rules of one port's chain, in order; every path ends in a verdict.
fn port_rules(port: &str) -> Vec<Vec<Stmt>> {
    let c = |k: CounterKind| Stmt::counter(&k.counter(port));
    let drop = || Stmt::Drop(());
    let accept = || Stmt::Accept(());
    let with_port = |e: Expr| Expr::concat(vec![Expr::iifname(), e]);
    let arp_sip = || Expr::payload("arp", "saddr ip");
    let ip_saddr = || Expr::payload("ip", "saddr");
    vec![
        // Not the port's MAC in the Ethernet header.
        vec![
            Stmt::is(
                "!=",
                with_port(Expr::payload("ether", "saddr")),
                Expr::set_ref(SET_PORT_MAC),
            ),
            c(CounterKind::Mac),
            drop(),
        ],
        // ARP of another shape than Ethernet/IPv4 (where `arp saddr ip` would read
        // something else) is not vouched for.
        vec![
            Stmt::is("!=", Expr::payload("arp", "hlen"), Expr::Number(6)),
            c(CounterKind::Proto),
            drop(),
        ],
        vec![
            Stmt::is("!=", Expr::payload("arp", "plen"), Expr::Number(4)),
            c(CounterKind::Proto),
            drop(),
        ],
        vec![
            Stmt::is("!=", Expr::payload("arp", "ptype"), Expr::text("ip")),
            c(CounterKind::Proto),
            drop(),
        ],
        // Not the port's MAC as the ARP sender.
        vec![
            Stmt::is(
                "!=",
                with_port(Expr::payload("arp", "saddr ether")),
                Expr::set_ref(SET_PORT_MAC),
            ),
            c(CounterKind::Mac),
            drop(),
        ],
        // ARP: the port's own addresses and its VIPs; probes; nothing else. A claim on
        // a VIP the port may not carry is counted per port and VIP in vip_claims (in a
        // rule of its own, so that a full set never keeps the next rule from dropping).
        vec![
            Stmt::is("==", with_port(arp_sip()), Expr::set_ref(SET_PORT_IP)),
            accept(),
        ],
        vec![
            Stmt::is("==", arp_sip(), Expr::set_ref(SET_VIPS)),
            claim(with_port(arp_sip())),
        ],
        vec![
            Stmt::is("==", arp_sip(), Expr::set_ref(SET_VIPS)),
            c(CounterKind::Vip),
            drop(),
        ],
        vec![Stmt::is("==", arp_sip(), Expr::text("0.0.0.0")), accept()],
        vec![
            Stmt::is("==", Expr::payload("ether", "type"), Expr::text("arp")),
            c(CounterKind::Ip),
            drop(),
        ],
        // IPv4: the same.
        vec![
            Stmt::is("==", with_port(ip_saddr()), Expr::set_ref(SET_PORT_IP)),
            accept(),
        ],
        vec![
            Stmt::is("==", ip_saddr(), Expr::set_ref(SET_VIPS)),
            claim(with_port(ip_saddr())),
        ],
        vec![
            Stmt::is("==", ip_saddr(), Expr::set_ref(SET_VIPS)),
            c(CounterKind::Vip),
            drop(),
        ],
        vec![
            Stmt::is("==", Expr::payload("ether", "type"), Expr::text("ip")),
            c(CounterKind::Ip),
            drop(),
        ],
        // Anything else (IPv6, VLAN-tagged frames...).
        vec![c(CounterKind::Proto), drop()],
    ]
}
