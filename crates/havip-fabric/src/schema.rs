//! The part of nftables' JSON schema (`libnftables-json(5)`) the fabric writes, as
//! typed structs: commands (`add`, `flush`, `delete`) on tables, sets, named counters,
//! chains, rules and set elements, and the statements and expressions of its rules.
//!
//! These are our own types rather than the `nftables` crate's (0.6): that crate's `Set`
//! has no `stmt` member, so it cannot declare a set whose elements each carry a counter
//! (`"stmt": [{"counter": null}]`, what `vip_claims` is), and since it ignores members
//! it does not know, a listing parsed through it would lose whether a set counts. The
//! shapes here are the ones nft 1.0.6 accepts and prints; rendering is checked against
//! literal JSON in the tests.

use serde::Serialize;

/// The fabric's family.
pub const FAMILY: &str = "bridge";

/// One `nft -j -f` transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Batch {
    pub nftables: Vec<Command>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Command {
    Add(Object),
    Flush(Object),
    Delete(Object),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Object {
    Table(Table),
    Set(Set),
    Counter(Counter),
    Chain(Chain),
    Rule(Rule),
    Element(Element),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Table {
    pub family: &'static str,
    pub name: String,
}

/// A named set; `type` and `stmt` only when it is added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Set {
    pub family: &'static str,
    pub table: String,
    pub name: String,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub set_type: Option<SetType>,
    /// Statements every element gets (`[{"counter": null}]`: a counter per element).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stmt: Option<Vec<Stmt>>,
    /// The most elements it holds (a set that rules fill needs one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u32>,
}

/// A set's type: one data type, or a concatenation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum SetType {
    One(&'static str),
    Concat(Vec<&'static str>),
}

/// A named counter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Counter {
    pub family: &'static str,
    pub table: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A chain; the hook members only for a base chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Chain {
    pub family: &'static str,
    pub table: String,
    pub name: String,
    #[serde(flatten)]
    pub base: Option<BaseChain>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BaseChain {
    #[serde(rename = "type")]
    pub chain_type: &'static str,
    pub hook: &'static str,
    pub prio: i32,
    pub policy: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule {
    pub family: &'static str,
    pub table: String,
    pub chain: String,
    pub expr: Vec<Stmt>,
}

/// Elements to add to (or delete from) a named set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Element {
    pub family: &'static str,
    pub table: String,
    pub name: String,
    pub elem: Vec<Expr>,
}

/// A statement of a rule (or of a set's elements).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stmt {
    Match(Match),
    /// A named counter (`Some`), or an anonymous one (`None`, printed `null`).
    Counter(Option<String>),
    Vmap(Vmap),
    /// Adds (or refreshes) an element built from the packet in a named set.
    Set(SetUpdate),
    Accept(()),
    Drop(()),
}

/// `update @SET { ELEM }`: the set's elements come from the packets themselves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SetUpdate {
    pub op: &'static str,
    pub elem: Expr,
    /// `@NAME`.
    pub set: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Match {
    pub op: &'static str,
    pub left: Expr,
    pub right: Expr,
}

/// `KEY vmap { VALUE : VERDICT, ... }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Vmap {
    pub key: Expr,
    pub data: VmapData,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VmapData {
    pub set: Vec<(Expr, Verdict)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Jump(JumpTarget),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JumpTarget {
    pub target: String,
}

/// An expression: a literal (string or number) or a typed one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Expr {
    String(String),
    Number(u32),
    Typed(Typed),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Typed {
    Meta(Meta),
    Payload(Payload),
    Concat(Vec<Expr>),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Meta {
    pub key: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Payload {
    pub protocol: &'static str,
    pub field: &'static str,
}

impl Expr {
    pub fn text(s: impl Into<String>) -> Expr {
        Expr::String(s.into())
    }

    /// `@NAME`: a reference to a named set.
    pub fn set_ref(name: &str) -> Expr {
        Expr::String(format!("@{name}"))
    }

    pub fn iifname() -> Expr {
        Expr::Typed(Typed::Meta(Meta { key: "iifname" }))
    }

    pub fn payload(protocol: &'static str, field: &'static str) -> Expr {
        Expr::Typed(Typed::Payload(Payload { protocol, field }))
    }

    pub fn concat(parts: Vec<Expr>) -> Expr {
        Expr::Typed(Typed::Concat(parts))
    }
}

impl Stmt {
    pub fn is(op: &'static str, left: Expr, right: Expr) -> Stmt {
        Stmt::Match(Match { op, left, right })
    }

    pub fn counter(name: &str) -> Stmt {
        Stmt::Counter(Some(name.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn statements_and_expressions_render_as_nft_reads_them() {
        let rule = Rule {
            family: FAMILY,
            table: "t".into(),
            chain: "c".into(),
            expr: vec![
                Stmt::is(
                    "==",
                    Expr::concat(vec![Expr::iifname(), Expr::payload("arp", "saddr ip")]),
                    Expr::set_ref("s"),
                ),
                Stmt::is("!=", Expr::payload("arp", "hlen"), Expr::Number(6)),
                Stmt::counter("x"),
                Stmt::Vmap(Vmap {
                    key: Expr::iifname(),
                    data: VmapData {
                        set: vec![(
                            Expr::text("p1"),
                            Verdict::Jump(JumpTarget {
                                target: "port_p1".into(),
                            }),
                        )],
                    },
                }),
                Stmt::Accept(()),
                Stmt::Drop(()),
            ],
        };
        assert_eq!(
            serde_json::to_value(Command::Add(Object::Rule(rule))).unwrap(),
            json!({"add": {"rule": {"family": "bridge", "table": "t", "chain": "c", "expr": [
                {"match": {"op": "==", "left": {"concat": [{"meta": {"key": "iifname"}},
                    {"payload": {"protocol": "arp", "field": "saddr ip"}}]}, "right": "@s"}},
                {"match": {"op": "!=", "left": {"payload": {"protocol": "arp", "field": "hlen"}},
                    "right": 6}},
                {"counter": "x"},
                {"vmap": {"key": {"meta": {"key": "iifname"}},
                    "data": {"set": [["p1", {"jump": {"target": "port_p1"}}]]}}},
                {"accept": null},
                {"drop": null}
            ]}}})
        );
    }

    #[test]
    fn a_set_with_counted_elements_and_a_base_chain() {
        let set = Set {
            family: FAMILY,
            table: "t".into(),
            name: "s".into(),
            set_type: Some(SetType::Concat(vec!["ifname", "ipv4_addr"])),
            stmt: Some(vec![Stmt::Counter(None)]),
            size: Some(65536),
        };
        assert_eq!(
            serde_json::to_value(Command::Add(Object::Set(set))).unwrap(),
            json!({"add": {"set": {"family": "bridge", "table": "t", "name": "s",
                "type": ["ifname", "ipv4_addr"], "stmt": [{"counter": null}], "size": 65536}}})
        );
        // The statement that fills such a set from packets, as nft lists it.
        let update = Stmt::Set(SetUpdate {
            op: "update",
            elem: Expr::concat(vec![Expr::iifname(), Expr::payload("arp", "saddr ip")]),
            set: "@s".into(),
        });
        assert_eq!(
            serde_json::to_value(update).unwrap(),
            json!({"set": {"op": "update", "elem": {"concat": [{"meta": {"key": "iifname"}},
                {"payload": {"protocol": "arp", "field": "saddr ip"}}]}, "set": "@s"}})
        );
        let chain = Chain {
            family: FAMILY,
            table: "t".into(),
            name: "c".into(),
            base: Some(BaseChain {
                chain_type: "filter",
                hook: "prerouting",
                prio: -200,
                policy: "accept",
            }),
        };
        assert_eq!(
            serde_json::to_value(Command::Add(Object::Chain(chain))).unwrap(),
            json!({"add": {"chain": {"family": "bridge", "table": "t", "name": "c",
                "type": "filter", "hook": "prerouting", "prio": -200, "policy": "accept"}}})
        );
    }
}
