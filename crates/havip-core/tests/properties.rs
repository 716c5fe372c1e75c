//! Property tests of the core rules: random operation sequences (create, associate,
//! disassociate, failover, delete, instance status change, clock advance; each at once or
//! delayed) driven through the in-memory reference model [`World`] (which gathers facts
//! and calls `ops`), with random limits, checked after every step and after a final
//! drain of every change in flight:
//!
//! 1. `World::check_invariants` holds;
//! 2. every status change is an edge of `HaVipStatus::may_become`;
//! 3. a refused operation changes nothing;
//! 4. every change in flight completes once the clock passes its `due_at`;
//! 5. `ops::settle` is idempotent, `ops::complete` without a pending change is `None`;
//! 6. failover picks an associated member; the master leaves only with force where the
//!    profile wants it, and then the first remaining associated member takes over;
//! 7. an accepted request met its status preconditions;
//! 8. creates and deletes never take an account past its HaVip quota in a region, and a
//!    create is refused exactly when the quota is reached.
//!
//! `sequences_exercise_real_state` measures that the sequences reach real state.
//!
//! Each property runs at least 256 cases (more with `PROPTEST_CASES=N`). A failure shows
//! the shrunk op sequence (proptest prints it) and, in the message, the same sequence as
//! it was resolved against the world (which HaVip, which target, what came back).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use havip_core::ops::{self, CreateHaVip, Timing};
use havip_core::world::{sample_world, World};
use havip_core::{
    DomainError, HaVip, HaVipStatus, InstanceStatus, Limits, MemberKind, MemberState, Profile,
    Target,
};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::strategy::ValueTree;
use proptest::test_runner::{FileFailurePersistence, TestRunner};

// ---------------------------------------------------------------------------------------
// Operations and their strategies
// ---------------------------------------------------------------------------------------

/// Instances of the sample world, plus one that does not exist.
const INSTANCES: &[&str] = &["i1", "i2", "i3", "i4", "i9", "i-unknown"];
/// ENIs of the sample world (two on i1, a free one, a service-managed one, one in s2),
/// plus one that does not exist.
const ENIS: &[&str] = &[
    "eni-i1",
    "eni-i1b",
    "eni-i2",
    "eni-free",
    "eni-svc",
    "eni-i9",
    "eni-unknown",
];
/// Instances whose status can change.
const KNOWN_INSTANCES: &[&str] = &["i1", "i2", "i3", "i4", "i9"];
const UNKNOWN_HAVIP: &str = "havip-unknown";
const START: i64 = 1_000;

/// Which HaVip a request names: one of those that exist now, or an unknown id.
#[derive(Debug, Clone, Copy)]
enum Which {
    Existing(Index),
    /// One of the HaVips that have two members or more (any existing one when none has).
    Shared(Index),
    Unknown,
}

fn which() -> impl Strategy<Value = Which> {
    prop_oneof![9 => any::<Index>().prop_map(Which::Existing), 1 => Just(Which::Unknown)]
}

/// Like [`which`], but half of the time a HaVip with several members: disassociate and
/// failover then often face a choice of master.
fn which_shared() -> impl Strategy<Value = Which> {
    prop_oneof![which(), any::<Index>().prop_map(Which::Shared)]
}

/// What an associate / disassociate / failover request names.
#[derive(Debug, Clone, Copy)]
enum Pick {
    Ecs(&'static str),
    Nic(&'static str),
    /// One of the members the HaVip has now (any state), so that disassociate and
    /// failover often name a real member; `Ecs(INSTANCES[i])` when it has none.
    Member(Index),
    /// An instance or ENI of the sample world in the HaVip's subnet and of the kind it
    /// carries (either kind when it carries none), so that associate often builds HaVips
    /// with several members; `Ecs(INSTANCES[i])` when the HaVip does not exist.
    Fitting(Index),
}

impl Pick {
    fn target(self, world: &World, havip: Option<&HaVip>) -> Target {
        let ecs = |id: &str| Target {
            kind: MemberKind::EcsInstance,
            id: id.to_string(),
        };
        match self {
            Pick::Fitting(i) => {
                let Some(h) = havip else {
                    return ecs(INSTANCES[i.index(INSTANCES.len())]);
                };
                let kind = h.member_kind();
                let instances = world
                    .instances
                    .values()
                    .filter(|x| x.subnet == h.subnet)
                    .map(|x| (MemberKind::EcsInstance, &x.id));
                let enis = world
                    .enis
                    .values()
                    .filter(|x| x.subnet == h.subnet)
                    .map(|x| (MemberKind::NetworkInterface, &x.id));
                let fitting: Vec<_> = instances
                    .chain(enis)
                    .filter(|(k, _)| kind.is_none_or(|kind| kind == *k))
                    .collect();
                let (kind, id) = fitting[i.index(fitting.len())];
                Target {
                    kind,
                    id: id.clone(),
                }
            }
            Pick::Ecs(id) => ecs(id),
            Pick::Nic(id) => Target {
                kind: MemberKind::NetworkInterface,
                id: id.to_string(),
            },
            Pick::Member(i) => match havip.map(|h| h.members.as_slice()).unwrap_or_default() {
                [] => ecs(INSTANCES[i.index(INSTANCES.len())]),
                members => {
                    let m = &members[i.index(members.len())];
                    Target {
                        kind: m.kind,
                        id: m.id.clone(),
                    }
                }
            },
        }
    }
}

/// When an operation happens: `dt` ms after the previous one, and how long its change
/// stays in flight (0 = completed at once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Time {
    dt: i64,
    delay_ms: i64,
}

#[derive(Debug, Clone)]
enum Op {
    Create {
        subnet: &'static str,
        /// `(third octet, host)`: a requested address, maybe reserved, taken or in the
        /// other subnet.
        ip: Option<(u8, u8)>,
        alloc_start: u32,
        time: Time,
    },
    Associate {
        havip: Which,
        target: Pick,
        time: Time,
    },
    Disassociate {
        havip: Which,
        target: Pick,
        force: bool,
        time: Time,
    },
    Failover {
        havip: Which,
        to: Option<Pick>,
        dt: i64,
    },
    Delete {
        havip: Which,
        time: Time,
    },
    SetInstanceStatus {
        instance: &'static str,
        status: InstanceStatus,
    },
    /// Moves the clock forward and lets the worker complete what is due.
    Advance {
        by: i64,
    },
}

fn time() -> impl Strategy<Value = Time> {
    let delay = prop_oneof![3 => Just(0i64), 2 => 1..=5_000i64];
    (0..=50i64, delay).prop_map(|(dt, delay_ms)| Time { dt, delay_ms })
}

/// Any instance or ENI of the sample world, or an unknown one.
fn pick() -> impl Strategy<Value = Pick> {
    prop_oneof![
        prop::sample::select(INSTANCES).prop_map(Pick::Ecs),
        prop::sample::select(ENIS).prop_map(Pick::Nic),
    ]
}

/// Like [`pick`], but half of the time an instance or ENI that fits the HaVip.
fn pick_fitting() -> impl Strategy<Value = Pick> {
    prop_oneof![pick(), any::<Index>().prop_map(Pick::Fitting)]
}

/// Like [`pick`], but two times in three a member of the HaVip.
fn pick_member() -> impl Strategy<Value = Pick> {
    prop_oneof![1 => pick(), 2 => any::<Index>().prop_map(Pick::Member)]
}

fn instance_status() -> impl Strategy<Value = InstanceStatus> {
    prop_oneof![
        3 => Just(InstanceStatus::Running),
        2 => Just(InstanceStatus::Stopped),
        1 => Just(InstanceStatus::Pending),
        1 => Just(InstanceStatus::Starting),
        1 => Just(InstanceStatus::Stopping),
    ]
}

fn requested_ip() -> impl Strategy<Value = Option<(u8, u8)>> {
    // Hosts 0, 1 and 255 are reserved, 11..=18 belong to the sample ENIs, and a third
    // octet other than the subnet's is out of range.
    let host = prop_oneof![4 => 0u8..=24, 1 => Just(255u8)];
    let third = prop_oneof![4 => Just(1u8), 1 => Just(2u8)];
    prop::option::weighted(0.3, (third, host))
}

fn create() -> impl Strategy<Value = Op> {
    // s2 holds only i9 and eni-i9: most HaVips go to s1, where most targets are.
    let subnet = prop_oneof![3 => Just("s1"), 1 => Just("s2")];
    (subnet, requested_ip(), 0u32..=300, time()).prop_map(|(subnet, ip, alloc_start, time)| {
        Op::Create {
            subnet,
            ip,
            alloc_start,
            time,
        }
    })
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => create(),
        10 => (which(), pick_fitting(), time())
            .prop_map(|(havip, target, time)| Op::Associate { havip, target, time }),
        4 => (which_shared(), pick_member(), any::<bool>(), time())
            .prop_map(|(havip, target, force, time)| Op::Disassociate { havip, target, force, time }),
        2 => (which_shared(), prop::option::of(pick_member()), 0..=50i64)
            .prop_map(|(havip, to, dt)| Op::Failover { havip, to, dt }),
        1 => (which(), time()).prop_map(|(havip, time)| Op::Delete { havip, time }),
        1 => (prop::sample::select(KNOWN_INSTANCES), instance_status())
            .prop_map(|(instance, status)| Op::SetInstanceStatus { instance, status }),
        6 => (1..=6_000i64).prop_map(|by| Op::Advance { by }),
    ]
}

fn base_limits(
    instances_per_havip: u32,
    havips_per_instance: u32,
    havips_per_region: u32,
    master_needs_force: bool,
    processing_is_error: bool,
) -> Limits {
    Limits {
        instances_per_havip,
        havips_per_instance,
        havips_per_region,
        master_needs_force,
        processing_is_error,
    }
}

/// A face's limits (for the fields the rules here do not read) with random numbers. The
/// HaVip quota is one a sequence reaches a quarter of the time, else the profile's.
fn limits() -> impl Strategy<Value = Limits> {
    let base = prop::sample::select(vec![
        base_limits(2, 5, 50, true, false),
        base_limits(10, 5, 20, false, true),
        base_limits(10, 8, 50, false, false),
    ]);
    let quota = prop_oneof![1 => (1u32..=4).prop_map(Some), 3 => Just(None)];
    (base, 1u32..=10, 1u32..=8, any::<bool>(), quota).prop_map(
        |(base, instances_per_havip, havips_per_instance, master_needs_force, quota)| Limits {
            instances_per_havip,
            havips_per_instance,
            master_needs_force,
            havips_per_region: quota.unwrap_or(base.havips_per_region),
            ..base
        },
    )
}

/// Limits for the whole sequence, and up to 60 operations. The first one is a create:
/// before any HaVip exists, every other request can only be "not found".
fn scenario() -> impl Strategy<Value = (Limits, Vec<Op>)> {
    (limits(), create(), prop::collection::vec(op(), 0..60)).prop_map(|(limits, first, rest)| {
        let mut ops = Vec::with_capacity(rest.len() + 1);
        ops.push(first);
        ops.extend(rest);
        (limits, ops)
    })
}

/// At least 256 cases; `PROPTEST_CASES` (read by `ProptestConfig::default()`) raises it,
/// and the other `PROPTEST_*` variables (seed, shrink limits...) apply as usual.
/// Failing inputs are kept next to this file (`properties.proptest-regressions`), since
/// proptest's default place needs a `lib.rs` above the source file.
fn config() -> ProptestConfig {
    let base = ProptestConfig::default();
    ProptestConfig {
        cases: base.cases.max(256),
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..base
    }
}

// ---------------------------------------------------------------------------------------
// The driver: resolves each op against the world, applies it, lets a checker look
// ---------------------------------------------------------------------------------------

/// An op with concrete ids and times, as applied to the world.
#[derive(Debug, Clone)]
enum Action {
    Create {
        id: String,
        req: CreateHaVip,
        alloc_start: u32,
        timing: Timing,
    },
    Associate {
        havip: String,
        target: Target,
        timing: Timing,
    },
    Disassociate {
        havip: String,
        target: Target,
        force: bool,
        timing: Timing,
    },
    Failover {
        havip: String,
        to: Option<String>,
        now: i64,
    },
    Delete {
        havip: String,
        timing: Timing,
    },
    SetInstanceStatus {
        instance: String,
        status: InstanceStatus,
    },
    /// `complete_due(to)`.
    Advance {
        to: i64,
    },
    /// The final step: the clock moves past every `due_at`.
    Drain {
        to: i64,
    },
}

impl Action {
    fn name(&self) -> &'static str {
        match self {
            Action::Create { .. } => "create",
            Action::Associate { .. } => "associate",
            Action::Disassociate { .. } => "disassociate",
            Action::Failover { .. } => "failover",
            Action::Delete { .. } => "delete",
            Action::SetInstanceStatus { .. } => "instance-status",
            Action::Advance { .. } => "advance",
            Action::Drain { .. } => "drain",
        }
    }

    fn describe(&self) -> String {
        let timing = |t: &Timing| {
            if t.delay_ms == 0 {
                format!("t={} immediate", t.now)
            } else {
                format!("t={} delay={}ms", t.now, t.delay_ms)
            }
        };
        let target = |t: &Target| match t.kind {
            MemberKind::EcsInstance => format!("ecs {}", t.id),
            MemberKind::NetworkInterface => format!("nic {}", t.id),
        };
        match self {
            Action::Create {
                id,
                req,
                alloc_start,
                timing: t,
            } => format!(
                "create {id} in {} ip={:?} alloc_start={alloc_start} ({})",
                req.subnet,
                req.ip,
                timing(t)
            ),
            Action::Associate {
                havip,
                target: tg,
                timing: t,
            } => format!("associate {havip} {} ({})", target(tg), timing(t)),
            Action::Disassociate {
                havip,
                target: tg,
                force,
                timing: t,
            } => format!(
                "disassociate {havip} {} force={force} ({})",
                target(tg),
                timing(t)
            ),
            Action::Failover { havip, to, now } => format!("failover {havip} to={to:?} (t={now})"),
            Action::Delete { havip, timing: t } => format!("delete {havip} ({})", timing(t)),
            Action::SetInstanceStatus { instance, status } => {
                format!("instance {instance} -> {status:?}")
            }
            Action::Advance { to } => format!("advance clock to {to}, complete due"),
            Action::Drain { to } => format!("drain: advance clock to {to}, complete due"),
        }
    }
}

/// What an action returned.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// The operation was accepted.
    Accepted,
    /// The operation was refused with this error.
    Refused(DomainError),
    /// Not a request (clock, instance status): nothing to accept or refuse.
    Event,
}

/// What a checker sees of one step.
struct Step<'a> {
    action: &'a Action,
    outcome: &'a Outcome,
    before: &'a World,
    after: &'a World,
    limits: &'a Limits,
}

/// Counts over a run, to show the properties exercise real state.
#[derive(Debug, Default, Clone)]
struct Stats {
    sequences: usize,
    steps: usize,
    creates_ok: usize,
    associates_tried: usize,
    associates_ok: usize,
    associates_ok_nic: usize,
    associates_delayed_ok: usize,
    /// Steps after which some HaVip has two members or more.
    steps_with_shared_havip: usize,
    disassociates_tried: usize,
    disassociates_ok: usize,
    master_disassociations_ok: usize,
    /// Accepted disassociations of the master of a HaVip that keeps other members (so a
    /// new master must be chosen).
    master_handovers: usize,
    failovers_tried: usize,
    failovers_ok: usize,
    deletes_ok: usize,
    changes_completed: usize,
    max_members: usize,
    refusals: BTreeMap<String, usize>,
}

impl Stats {
    fn add(&mut self, o: &Stats) {
        self.sequences += o.sequences;
        self.steps += o.steps;
        self.creates_ok += o.creates_ok;
        self.associates_tried += o.associates_tried;
        self.associates_ok += o.associates_ok;
        self.associates_ok_nic += o.associates_ok_nic;
        self.associates_delayed_ok += o.associates_delayed_ok;
        self.steps_with_shared_havip += o.steps_with_shared_havip;
        self.disassociates_tried += o.disassociates_tried;
        self.disassociates_ok += o.disassociates_ok;
        self.master_disassociations_ok += o.master_disassociations_ok;
        self.master_handovers += o.master_handovers;
        self.failovers_tried += o.failovers_tried;
        self.failovers_ok += o.failovers_ok;
        self.deletes_ok += o.deletes_ok;
        self.changes_completed += o.changes_completed;
        self.max_members = self.max_members.max(o.max_members);
        for (k, v) in &o.refusals {
            *self.refusals.entry(k.clone()).or_default() += v;
        }
    }
}

/// The variant name of an error (`HaVipStatus`, `DifferentSubnet`...).
fn variant(e: &DomainError) -> String {
    let s = format!("{e:?}");
    s.split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or_default()
        .to_string()
}

struct Sim {
    world: World,
    limits: Limits,
    now: i64,
    next_havip: u32,
    trace: Vec<String>,
    stats: Stats,
}

impl Sim {
    fn new(limits: Limits) -> Self {
        Sim {
            world: sample_world(),
            limits,
            now: START,
            next_havip: 1,
            trace: Vec::new(),
            stats: Stats {
                sequences: 1,
                ..Stats::default()
            },
        }
    }

    /// The id a [`Which`] names (the unknown id when no HaVip exists).
    fn havip_id(&self, which: &Which) -> String {
        let havips = self.world.havips.values();
        let shared: Vec<&String> = havips
            .clone()
            .filter(|h| h.members.len() >= 2)
            .map(|h| &h.id)
            .collect();
        let all: Vec<&String> = havips.map(|h| &h.id).collect();
        let among = |ids: &[&String], i: &Index| ids[i.index(ids.len())].clone();
        match which {
            Which::Shared(i) if !shared.is_empty() => among(&shared, i),
            Which::Existing(i) | Which::Shared(i) if !all.is_empty() => among(&all, i),
            _ => UNKNOWN_HAVIP.to_string(),
        }
    }

    fn timing(&mut self, t: Time) -> Timing {
        self.now += t.dt;
        Timing {
            now: self.now,
            delay_ms: t.delay_ms,
            change_id: format!("chg-{}", self.trace.len()),
            awaits_fabric: false,
        }
    }

    fn resolve(&mut self, op: &Op) -> Action {
        match op {
            Op::Create {
                subnet,
                ip,
                alloc_start,
                time,
            } => {
                let id = format!("havip-{}", self.next_havip);
                self.next_havip += 1;
                Action::Create {
                    id,
                    req: CreateHaVip {
                        subnet: (*subnet).to_string(),
                        ip: ip.map(|(third, host)| format!("192.168.{third}.{host}")),
                        ..CreateHaVip::default()
                    },
                    alloc_start: *alloc_start,
                    timing: self.timing(*time),
                }
            }
            Op::Associate {
                havip,
                target,
                time,
            } => {
                let havip = self.havip_id(havip);
                Action::Associate {
                    target: target.target(&self.world, self.world.havips.get(&havip)),
                    havip,
                    timing: self.timing(*time),
                }
            }
            Op::Disassociate {
                havip,
                target,
                force,
                time,
            } => {
                let havip = self.havip_id(havip);
                Action::Disassociate {
                    target: target.target(&self.world, self.world.havips.get(&havip)),
                    havip,
                    force: *force,
                    timing: self.timing(*time),
                }
            }
            Op::Failover { havip, to, dt } => {
                self.now += dt;
                let havip = self.havip_id(havip);
                Action::Failover {
                    to: to.map(|p| p.target(&self.world, self.world.havips.get(&havip)).id),
                    havip,
                    now: self.now,
                }
            }
            Op::Delete { havip, time } => Action::Delete {
                havip: self.havip_id(havip),
                timing: self.timing(*time),
            },
            Op::SetInstanceStatus { instance, status } => Action::SetInstanceStatus {
                instance: (*instance).to_string(),
                status: *status,
            },
            Op::Advance { by } => {
                self.now += by;
                Action::Advance { to: self.now }
            }
        }
    }

    fn drain_action(&mut self) -> Action {
        let last_due = self
            .world
            .havips
            .values()
            .filter_map(|h| h.pending.as_ref().map(|p| p.due_at))
            .max()
            .unwrap_or(self.now);
        self.now = self.now.max(last_due) + 1;
        Action::Drain { to: self.now }
    }

    fn apply(&mut self, action: &Action) -> Outcome {
        let limits = self.limits;
        let w = &mut self.world;
        let result: Result<(), DomainError> = match action {
            Action::Create {
                id,
                req,
                alloc_start,
                timing,
            } => w
                .create_havip(
                    &Profile::plain(limits),
                    req,
                    id.clone(),
                    *alloc_start,
                    timing,
                )
                .map(drop),
            Action::Associate {
                havip,
                target,
                timing,
            } => w.associate(havip, target, &limits, timing).map(drop),
            Action::Disassociate {
                havip,
                target,
                force,
                timing,
            } => w
                .disassociate(havip, target, *force, &limits, timing)
                .map(drop),
            Action::Failover { havip, to, now } => w.failover(havip, to.as_deref(), *now).map(drop),
            Action::Delete { havip, timing } => w.delete(havip, timing),
            Action::SetInstanceStatus { instance, status } => {
                w.set_instance_status(instance, *status);
                return Outcome::Event;
            }
            Action::Advance { to } | Action::Drain { to } => {
                w.complete_due(*to);
                return Outcome::Event;
            }
        };
        match result {
            Ok(()) => Outcome::Accepted,
            Err(e) => Outcome::Refused(e),
        }
    }

    fn count(&mut self, action: &Action, outcome: &Outcome, before: &World) {
        let s = &mut self.stats;
        s.steps += 1;
        let ok = *outcome == Outcome::Accepted;
        if let Outcome::Refused(e) = outcome {
            let key = format!("{} {}", action.name(), variant(e));
            *s.refusals.entry(key).or_default() += 1;
        }
        match action {
            Action::Create { .. } => s.creates_ok += usize::from(ok),
            Action::Associate { target, timing, .. } => {
                s.associates_tried += 1;
                s.associates_ok += usize::from(ok);
                s.associates_ok_nic +=
                    usize::from(ok && target.kind == MemberKind::NetworkInterface);
                s.associates_delayed_ok += usize::from(ok && timing.delay_ms > 0);
            }
            Action::Disassociate { havip, target, .. } => {
                s.disassociates_tried += 1;
                s.disassociates_ok += usize::from(ok);
                let old = before.havips.get(havip);
                let was_master = old.and_then(|h| h.master.as_deref()) == Some(target.id.as_str());
                let others = old.map_or(0, |h| h.members.len().saturating_sub(1));
                s.master_disassociations_ok += usize::from(ok && was_master);
                s.master_handovers += usize::from(ok && was_master && others > 0);
            }
            Action::Failover { .. } => {
                s.failovers_tried += 1;
                s.failovers_ok += usize::from(ok);
            }
            Action::Delete { .. } => s.deletes_ok += usize::from(ok),
            Action::Advance { .. } | Action::Drain { .. } => {
                s.changes_completed += before
                    .havips
                    .values()
                    .filter(|h| h.pending.is_some())
                    .filter(|h| {
                        self.world
                            .havips
                            .get(&h.id)
                            .is_none_or(|a| a.pending.is_none())
                    })
                    .count();
            }
            Action::SetInstanceStatus { .. } => {}
        }
        let most = self
            .world
            .havips
            .values()
            .map(|h| h.members.len())
            .max()
            .unwrap_or(0);
        s.max_members = s.max_members.max(most);
        s.steps_with_shared_havip += usize::from(most >= 2);
    }

    fn step(
        &mut self,
        action: Action,
        check: &mut impl FnMut(&Step<'_>) -> Result<(), String>,
    ) -> Result<(), TestCaseError> {
        let before = self.world.clone();
        let outcome = self.apply(&action);
        let shown = match &outcome {
            Outcome::Accepted => "ok".to_string(),
            Outcome::Refused(e) => format!("refused: {e:?}"),
            Outcome::Event => String::new(),
        };
        self.trace.push(format!(
            "#{:02} {} {shown}",
            self.trace.len(),
            action.describe()
        ));
        self.count(&action, &outcome, &before);
        let step = Step {
            action: &action,
            outcome: &outcome,
            before: &before,
            after: &self.world,
            limits: &self.limits,
        };
        check(&step).map_err(|msg| {
            let mut m = format!("{msg}\nafter the last step of:\n");
            for line in &self.trace {
                let _ = writeln!(m, "  {line}");
            }
            let _ = write!(m, "limits: {:?}", self.limits);
            TestCaseError::fail(m)
        })
    }
}

/// Runs `ops` (then a final drain step) on the sample world with `limits`, calling
/// `check` after every step.
fn drive(
    limits: Limits,
    ops: &[Op],
    mut check: impl FnMut(&Step<'_>) -> Result<(), String>,
) -> Result<Stats, TestCaseError> {
    let mut sim = Sim::new(limits);
    for op in ops {
        let action = sim.resolve(op);
        sim.step(action, &mut check)?;
    }
    let drain = sim.drain_action();
    sim.step(drain, &mut check)?;
    Ok(sim.stats)
}

// ---------------------------------------------------------------------------------------
// The checks, one per property
// ---------------------------------------------------------------------------------------

/// Property 1: Every invariant of the domain holds after every step.
fn check_invariants(s: &Step<'_>) -> Result<(), String> {
    s.after
        .check_invariants(s.limits)
        .map_err(|e| format!("invariant broken: {e}"))
}

/// Property 2: Every HaVip's status moves along an edge of the status machine (or stays); a new
/// HaVip is born Creating or Available, and only by a create.
fn check_status_machine(s: &Step<'_>) -> Result<(), String> {
    for (id, old) in &s.before.havips {
        let new = s.after.havips.get(id).map(|h| h.status);
        if !old.status.may_become(new) {
            return Err(format!(
                "{id}: {:?} -> {new:?} is not an edge of the status machine",
                old.status
            ));
        }
    }
    for (id, h) in &s.after.havips {
        if s.before.havips.contains_key(id) {
            continue;
        }
        if !matches!(s.action, Action::Create { .. }) {
            return Err(format!("{id} appeared without a create"));
        }
        if !matches!(h.status, HaVipStatus::Creating | HaVipStatus::Available) {
            return Err(format!("{id} was created in status {:?}", h.status));
        }
    }
    Ok(())
}

/// Property 3: A refused operation changes nothing.
fn check_refusal_changes_nothing(s: &Step<'_>) -> Result<(), String> {
    match s.outcome {
        Outcome::Refused(e) if s.before != s.after => {
            Err(format!("refused with {e:?} but the world changed"))
        }
        _ => Ok(()),
    }
}

/// Property 4: Any change in flight completes: once the clock has passed a change's `due_at`, the
/// change is done; after the final drain nothing is in flight at all.
fn check_changes_complete(s: &Step<'_>) -> Result<(), String> {
    let to = match s.action {
        Action::Advance { to } | Action::Drain { to } => *to,
        _ => return Ok(()),
    };
    for h in s.after.havips.values() {
        if let Some(p) = &h.pending {
            if p.due_at <= to {
                return Err(format!(
                    "{}: change {:?} due at {} still pending at {to}",
                    h.id, p.kind, p.due_at
                ));
            }
        }
    }
    if matches!(s.action, Action::Drain { .. }) {
        for h in s.after.havips.values() {
            if h.status.is_transient() || h.pending.is_some() {
                return Err(format!(
                    "{} still {:?} (pending {:?}) after the drain",
                    h.id, h.status, h.pending
                ));
            }
            if let Some(m) = h
                .members
                .iter()
                .find(|m| m.state != MemberState::Associated)
            {
                return Err(format!(
                    "{} member {} still {:?} after the drain",
                    h.id, m.id, m.state
                ));
            }
        }
    }
    Ok(())
}

/// Property 5: `settle` is idempotent on every HaVip of the world, and `complete` does nothing
/// (returns `None`) on a HaVip without a change in flight.
fn check_settle_and_complete_idempotent(s: &Step<'_>, now: i64) -> Result<(), String> {
    for h in s.after.havips.values() {
        let settled = ops::settle(h.clone());
        if &settled != h {
            return Err(format!(
                "settle changed {}:\n  before {h:?}\n  after  {settled:?}",
                h.id
            ));
        }
        if h.pending.is_none() {
            if let Some(done) = ops::complete(h, now) {
                return Err(format!(
                    "complete on {} without a pending change returned {done:?}",
                    h.id
                ));
            }
        }
    }
    Ok(())
}

/// The member that must be master once a change on `h` is done: the associated member of
/// lowest position.
fn first_associated(h: &HaVip) -> Option<String> {
    h.members
        .iter()
        .filter(|m| m.state == MemberState::Associated)
        .min_by_key(|m| m.position)
        .map(|m| m.id.clone())
}

/// Property 6: Master rules. A failover only picks an associated member (the one asked for, when
/// one is named); the master is only disassociated with force where the profile wants
/// it; and once the disassociation of the master completes, the first remaining
/// associated member (lowest position) is master. `awaiting` holds the HaVips whose
/// master is on its way out.
fn check_master_rules(s: &Step<'_>, awaiting: &mut BTreeSet<String>) -> Result<(), String> {
    match (s.action, s.outcome) {
        (Action::Failover { havip, to, .. }, Outcome::Accepted) => {
            let h = &s.after.havips[havip];
            let Some(master) = h.master.as_deref() else {
                return Err(format!("failover of {havip} left no master"));
            };
            match h.member(master) {
                Some(m) if m.state == MemberState::Associated => {}
                other => {
                    return Err(format!(
                        "failover of {havip} picked {master}, which is {other:?}"
                    ))
                }
            }
            if let Some(to) = to {
                if master != to {
                    return Err(format!("failover of {havip} to {to} picked {master}"));
                }
            }
        }
        (
            Action::Disassociate {
                havip,
                target,
                force,
                ..
            },
            Outcome::Accepted,
        ) => {
            let old = &s.before.havips[havip];
            if old.master.as_deref() == Some(target.id.as_str()) {
                if s.limits.master_needs_force && !force {
                    return Err(format!(
                        "the master {} of {havip} was disassociated without force",
                        target.id
                    ));
                }
                awaiting.insert(havip.clone());
            }
        }
        _ => {}
    }
    let mut done = Vec::new();
    for id in awaiting.iter() {
        match s.after.havips.get(id) {
            None => done.push(id.clone()),
            Some(h) if h.pending.is_none() => {
                let expected = first_associated(h);
                if h.master != expected {
                    return Err(format!(
                        "after its master left, {id} has master {:?}, not the first \
                         associated member {expected:?}: {h:?}",
                        h.master
                    ));
                }
                done.push(id.clone());
            }
            Some(_) => {}
        }
    }
    for id in done {
        awaiting.remove(&id);
    }
    Ok(())
}

/// Property 7: (Beyond the invariants.) An accepted request met the preconditions that no
/// invariant of the final state can show: HaVip status, instance status, ENI kind.
fn check_accepted_preconditions(s: &Step<'_>) -> Result<(), String> {
    if *s.outcome != Outcome::Accepted {
        return Ok(());
    }
    let status_of = |id: &str| s.before.havips.get(id).map(|h| h.status);
    let carrier_ok = |t: &Target| {
        let instance = match t.kind {
            MemberKind::EcsInstance => s.before.instances.get(&t.id),
            MemberKind::NetworkInterface => s
                .before
                .enis
                .get(&t.id)
                .and_then(|e| e.instance.as_ref())
                .and_then(|i| s.before.instances.get(i)),
        };
        instance.is_some_and(|i| i.status.allows_havip_changes())
    };
    match s.action {
        Action::Associate { havip, target, .. } => {
            let st = status_of(havip);
            if !matches!(st, Some(HaVipStatus::Available | HaVipStatus::InUse)) {
                return Err(format!("associate accepted on {havip} in status {st:?}"));
            }
            if !carrier_ok(target) {
                return Err(format!(
                    "associate accepted for {target:?} whose instance is missing or \
                     not Running/Stopped"
                ));
            }
            if let Some(e) = s.before.enis.get(&target.id) {
                if e.service_managed || e.instance.is_none() {
                    return Err(format!("associate accepted for unusable ENI {e:?}"));
                }
            }
        }
        Action::Disassociate { havip, target, .. } => {
            let st = status_of(havip);
            if st != Some(HaVipStatus::InUse) {
                return Err(format!("disassociate accepted on {havip} in status {st:?}"));
            }
            if !carrier_ok(target) {
                return Err(format!(
                    "disassociate accepted for {target:?} whose instance is missing or \
                     not Running/Stopped"
                ));
            }
        }
        Action::Delete { havip, .. } => {
            let st = status_of(havip);
            if st != Some(HaVipStatus::Available) {
                return Err(format!("delete accepted on {havip} in status {st:?}"));
            }
        }
        Action::Failover { havip, .. } => {
            let st = status_of(havip);
            if st != Some(HaVipStatus::InUse) {
                return Err(format!("failover accepted on {havip} in status {st:?}"));
            }
        }
        _ => {}
    }
    Ok(())
}

fn action_now(a: &Action) -> i64 {
    match a {
        Action::Create { timing, .. }
        | Action::Associate { timing, .. }
        | Action::Disassociate { timing, .. }
        | Action::Delete { timing, .. } => timing.now,
        Action::Failover { now, .. } => *now,
        Action::Advance { to } | Action::Drain { to } => *to,
        Action::SetInstanceStatus { .. } => START,
    }
}

// ---------------------------------------------------------------------------------------
// The properties
// ---------------------------------------------------------------------------------------

/// Runs one property over `config().cases` scenarios, like `proptest!` does, except
/// that the case count keeps its floor of 256 (the macro would let `PROPTEST_CASES`
/// lower it). On failure it panics with the shrunk scenario.
fn check_property(
    name: &'static str,
    property: impl Fn(Limits, &[Op]) -> Result<(), TestCaseError>,
) {
    let mut config = config();
    config.source_file = Some(file!());
    config.test_name = Some(name);
    let mut runner = TestRunner::new(config);
    if let Err(e) = runner.run(&scenario(), |(limits, ops)| property(limits, &ops)) {
        panic!("{name}: {e}\n{runner}");
    }
}

#[test]
fn invariants_hold_after_every_step() {
    check_property("invariants_hold_after_every_step", |limits, ops| {
        drive(limits, ops, check_invariants).map(drop)
    });
}

#[test]
fn status_moves_only_along_the_state_machine() {
    check_property(
        "status_moves_only_along_the_state_machine",
        |limits, ops| drive(limits, ops, check_status_machine).map(drop),
    );
}

#[test]
fn refused_operations_change_nothing() {
    check_property("refused_operations_change_nothing", |limits, ops| {
        drive(limits, ops, check_refusal_changes_nothing).map(drop)
    });
}

#[test]
fn every_change_in_flight_completes() {
    check_property("every_change_in_flight_completes", |limits, ops| {
        drive(limits, ops, check_changes_complete).map(drop)
    });
}

#[test]
fn settle_and_complete_are_idempotent() {
    check_property("settle_and_complete_are_idempotent", |limits, ops| {
        let mut latest = START;
        drive(limits, ops, |s| {
            latest = latest.max(action_now(s.action));
            check_settle_and_complete_idempotent(s, latest)
        })
        .map(drop)
    });
}

#[test]
fn master_follows_failover_and_disassociation() {
    check_property(
        "master_follows_failover_and_disassociation",
        |limits, ops| {
            let mut awaiting = BTreeSet::new();
            drive(limits, ops, |s| check_master_rules(s, &mut awaiting))?;
            prop_assert!(
                awaiting.is_empty(),
                "master changes still awaited: {:?}",
                awaiting
            );
            Ok(())
        },
    );
}

#[test]
fn accepted_requests_met_their_preconditions() {
    check_property(
        "accepted_requests_met_their_preconditions",
        |limits, ops| drive(limits, ops, check_accepted_preconditions).map(drop),
    );
}

/// The properties are not vacuous: over as many sequences as a property runs (same
/// strategy, fixed seed), a good share of the associate requests is accepted, every kind
/// of change happens and completes, and the limits are reached.
#[test]
fn sequences_exercise_real_state() {
    let cases = config().cases;
    let mut runner = TestRunner::deterministic();
    let strategy = scenario();
    let mut total = Stats::default();
    for _ in 0..cases {
        let (limits, ops) = strategy
            .new_tree(&mut runner)
            .expect("the strategy generates values")
            .current();
        let stats = drive(limits, &ops, |_| Ok(())).expect("no check can fail");
        total.add(&stats);
    }
    eprintln!("{total:#?}");
    let share = |ok: usize, tried: usize| ok as f64 / tried.max(1) as f64;
    let assoc = share(total.associates_ok, total.associates_tried);
    assert!(
        assoc >= 0.15,
        "only {:.1}% of associates accepted",
        assoc * 100.0
    );
    assert!(total.associates_ok_nic > 0, "no ENI was ever associated");
    assert!(total.associates_delayed_ok > 0, "no delayed associate");
    assert!(total.disassociates_ok > 0, "no disassociate accepted");
    assert!(
        total.master_disassociations_ok > 0,
        "the master was never disassociated"
    );
    assert!(
        total.master_handovers > 0,
        "the master never left a HaVip that kept other members"
    );
    assert!(total.failovers_ok > 0, "no failover accepted");
    assert!(total.deletes_ok > 0, "no delete accepted");
    assert!(total.changes_completed > 0, "no change in flight completed");
    assert!(total.max_members >= 3, "no HaVip ever had 3 members");
    assert!(
        total.steps_with_shared_havip * 10 >= total.steps,
        "HaVips with several members are rare: {} of {} steps",
        total.steps_with_shared_havip,
        total.steps
    );
    for rule in [
        "associate InstancesPerHaVipLimit",
        "associate HaVipsPerInstanceLimit",
        "associate MixedTypes",
        "associate TwoEnisOfOneInstance",
        "associate DifferentSubnet",
        "associate FreeEni",
        "associate ServiceManagedEni",
        "associate InstanceStatus",
        "associate HaVipStatus",
        "disassociate HaVipStatus",
        "delete HaVipStatus",
        "failover HaVipStatus",
        "associate AlreadyAssociated",
        "disassociate NotAssociated",
        "failover NotAssociated",
        "disassociate UnassociateMaster",
        "create IpInUse",
        "create HaVipQuotaExceeded",
    ] {
        assert!(
            total.refusals.get(rule).copied().unwrap_or(0) > 0,
            "no request was refused with {rule}: {:?}",
            total.refusals
        );
    }
}

// ---------------------------------------------------------------------------------------
// The HaVip quota under creates and deletes
// ---------------------------------------------------------------------------------------

/// Creates (in either subnet of the sample world's one account and region) and deletes,
/// some of them delayed so that HaVips in Deleting are still there, and clock advances.
#[derive(Debug, Clone)]
enum QuotaOp {
    Create { subnet: &'static str },
    Delete { which: Index, delay_ms: i64 },
    Advance { by: i64 },
}

fn quota_op() -> impl Strategy<Value = QuotaOp> {
    prop_oneof![
        4 => prop::sample::select(vec!["s1", "s2"]).prop_map(|subnet| QuotaOp::Create { subnet }),
        2 => (any::<Index>(), prop_oneof![Just(0i64), 1..=500i64])
            .prop_map(|(which, delay_ms)| QuotaOp::Delete { which, delay_ms }),
        1 => (1..=600i64).prop_map(|by| QuotaOp::Advance { by }),
    ]
}

/// Property 8: whatever the sequence of creates and deletes, the account never holds more
/// HaVips in the region than its quota; a create is refused with `HaVipQuotaExceeded`
/// exactly when the quota is reached (HaVips in Deleting included), and then changes
/// nothing.
#[test]
fn creates_and_deletes_never_exceed_the_quota() {
    let mut config = config();
    config.source_file = Some(file!());
    config.test_name = Some("creates_and_deletes_never_exceed_the_quota");
    let mut runner = TestRunner::new(config);
    let strategy = (1u32..=5, prop::collection::vec(quota_op(), 1..80));
    let result = runner.run(&strategy, |(quota, ops)| {
        let limits = Limits {
            havips_per_region: quota,
            ..base_limits(2, 5, 50, true, false)
        };
        let mut w = sample_world();
        let mut now = START;
        for (n, op) in ops.iter().enumerate() {
            let held = w.havips_in_region("acct", "r1");
            match op {
                QuotaOp::Create { subnet } => {
                    let req = CreateHaVip {
                        subnet: (*subnet).to_string(),
                        ..Default::default()
                    };
                    let before = w.clone();
                    let start = u32::try_from(n).unwrap_or(0) * 13;
                    let r = w.create_havip(
                        &Profile::plain(limits),
                        &req,
                        format!("h{n}"),
                        start,
                        &Timing::immediate(now),
                    );
                    if held >= u64::from(quota) {
                        prop_assert_eq!(r, Err(DomainError::HaVipQuotaExceeded { limit: quota }));
                        prop_assert_eq!(&w, &before, "a refused create changed the world");
                    } else {
                        prop_assert!(r.is_ok(), "create under the quota refused: {:?}", r);
                    }
                }
                QuotaOp::Delete { which, delay_ms } => {
                    let ids: Vec<String> = w.havips.keys().cloned().collect();
                    if !ids.is_empty() {
                        let id = which.get(&ids).clone();
                        let timing = Timing {
                            now,
                            delay_ms: *delay_ms,
                            change_id: format!("chg-{n}"),
                            awaits_fabric: false,
                        };
                        // Deleting a HaVip already in Deleting is refused; either way is fine.
                        let _ = w.delete(&id, &timing);
                    }
                }
                QuotaOp::Advance { by } => {
                    now += by;
                    w.complete_due(now);
                }
            }
            let held = w.havips_in_region("acct", "r1");
            prop_assert!(held <= u64::from(quota), "{} HaVips, quota {}", held, quota);
            prop_assert_eq!(w.check_invariants(&limits), Ok(()));
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("creates_and_deletes_never_exceed_the_quota: {e}\n{runner}");
    }
}
