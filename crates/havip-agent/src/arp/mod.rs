//! The ARP watcher: which associated instance announces a HaVip's VIP, learned from ARP
//! as the clouds learn it, so that the one whose keepalived sends the gratuitous ARP (or
//! answers for the VIP) is taken as the master.
//!
//! - [`parse`]: Ethernet frame bytes to an [`ArpPacket`], and whether it is a claim.
//! - `socket`: one packet socket per subnet bridge in the lab's fabric namespace. It is
//!   bound to the bridge device itself, which receives a frame only after the fabric's
//!   nftables prerouting rules let it through: a claim the fabric drops (a VIP from a
//!   port that may not carry it) is never seen, so it never counts. A socket on a port
//!   would see every frame before nftables drops it (DATAPLANE.md).
//! - [`ArpWatcher`]: one thread per bridge (each enters the fabric namespace itself),
//!   stopped by a flag it checks between polls, delivering a [`Claim`] per claiming
//!   packet on a tokio channel. [`ArpWatcher::watch_bridges`] is given the whole set of
//!   bridges every round: it starts what is missing or has died (a bridge deleted and
//!   made again), stops what is no longer wanted, and leaves the rest alone.
//!
//! The bridge does not tell the ingress port; the fabric guarantees that a port sends
//! only its own MAC (`port_mac`), so a claim's `sender_mac` names the port.

pub mod parse;
mod socket;

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use havip_lab::Prefix;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

pub use parse::{format_mac, parse_frame, ArpOp, ArpPacket, ClaimKind, ParseError};

use socket::{ArpSocket, Received};

/// How often a capture thread looks at its stop flag.
const POLL: Duration = Duration::from_millis(100);
/// Where `ip netns` keeps its namespaces.
const NETNS_DIR: &str = "/run/netns";

/// A packet that passed the fabric and says its sender holds `vip`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub vip: Ipv4Addr,
    /// `aa:bb:cc:dd:ee:ff`, lower case.
    pub sender_mac: String,
    /// The bridge (subnet) it was seen on.
    pub bridge: String,
    pub kind: ClaimKind,
    /// When the watcher read it.
    pub at: SystemTime,
}

/// Why a bridge cannot be watched.
#[derive(Debug, thiserror::Error)]
pub enum ArpError {
    #[error("cannot enter the network namespace {path}: {source}")]
    Namespace {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot capture ARP on bridge {bridge} in {namespace}: {source}")]
    Socket {
        bridge: String,
        namespace: String,
        source: std::io::Error,
    },
    #[error("cannot start the capture thread of bridge {bridge}: {source}")]
    Thread {
        bridge: String,
        source: std::io::Error,
    },
    #[error("the capture thread of bridge {0} ended before it was ready")]
    Gone(String),
}

/// The claims seen on a fabric namespace's bridges.
pub struct ArpWatcher {
    namespace: String,
    tx: UnboundedSender<Claim>,
    /// `None`: every claim; otherwise only claims on these addresses.
    vips: Arc<RwLock<Option<BTreeSet<Ipv4Addr>>>>,
    captures: BTreeMap<String, Capture>,
}

struct Capture {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl ArpWatcher {
    /// A watcher of namespace `namespace` (watching nothing yet) and the receiving end
    /// of its claims.
    pub fn new(namespace: impl Into<String>) -> (ArpWatcher, UnboundedReceiver<Claim>) {
        let (tx, rx) = unbounded_channel();
        let watcher = ArpWatcher {
            namespace: namespace.into(),
            tx,
            vips: Arc::new(RwLock::new(None)),
            captures: BTreeMap::new(),
        };
        (watcher, rx)
    }

    /// A watcher of the fabric namespace of the lab with prefix `prefix`.
    pub fn for_lab(prefix: &Prefix) -> (ArpWatcher, UnboundedReceiver<Claim>) {
        ArpWatcher::new(havip_lab::fabric_ns(prefix))
    }

    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// Delivers only claims on `vips` from now on (`None`: every claim).
    pub fn only_vips(&self, vips: Option<BTreeSet<Ipv4Addr>>) {
        match self.vips.write() {
            Ok(mut guard) => *guard = vips,
            Err(poisoned) => *poisoned.into_inner() = vips,
        }
    }

    /// The bridges watched now (their threads running).
    pub fn watching(&self) -> Vec<String> {
        self.captures
            .iter()
            .filter(|(_, c)| !c.thread.is_finished())
            .map(|(b, _)| b.clone())
            .collect()
    }

    /// Watches exactly `bridges`: starts a capture for each one not watched (or whose
    /// capture ended), stops the others. When it returns, every started socket is
    /// bound. A bridge that cannot be watched (not there yet) is tried again on the
    /// next call; the first such error is returned after the others were started.
    pub fn watch_bridges(&mut self, bridges: &[String]) -> Result<(), ArpError> {
        let wanted: BTreeSet<&String> = bridges.iter().collect();
        let unwanted: Vec<String> = self
            .captures
            .iter()
            .filter(|(b, c)| !wanted.contains(b) || c.thread.is_finished())
            .map(|(b, _)| b.clone())
            .collect();
        for b in unwanted {
            if let Some(c) = self.captures.remove(&b) {
                c.stop();
            }
        }
        let mut first_error = None;
        for b in wanted {
            if self.captures.contains_key(b) {
                continue;
            }
            match self.start(b) {
                Ok(c) => {
                    self.captures.insert(b.clone(), c);
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Stops every capture.
    pub fn stop(&mut self) {
        for (_, c) in std::mem::take(&mut self.captures) {
            c.stop();
        }
    }

    fn start(&self, bridge: &str) -> Result<Capture, ArpError> {
        let stop = Arc::new(AtomicBool::new(false));
        let (ready_tx, ready_rx) = mpsc::channel();
        let job = Job {
            namespace: self.namespace.clone(),
            bridge: bridge.to_string(),
            tx: self.tx.clone(),
            vips: Arc::clone(&self.vips),
            stop: Arc::clone(&stop),
        };
        let thread = std::thread::Builder::new()
            .name(format!("arp-{bridge}"))
            .spawn(move || job.run(ready_tx))
            .map_err(|source| ArpError::Thread {
                bridge: bridge.to_string(),
                source,
            })?;
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(Capture { stop, thread }),
            Ok(Err(e)) => {
                let _ = thread.join();
                Err(e)
            }
            Err(_) => {
                let _ = thread.join();
                Err(ArpError::Gone(bridge.to_string()))
            }
        }
    }
}

impl Capture {
    fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        // The thread looks at the flag at least every POLL.
        let _ = self.thread.join();
    }
}

impl Drop for ArpWatcher {
    fn drop(&mut self) {
        self.stop();
    }
}

/// What one capture thread needs.
struct Job {
    namespace: String,
    bridge: String,
    tx: UnboundedSender<Claim>,
    vips: Arc<RwLock<Option<BTreeSet<Ipv4Addr>>>>,
    stop: Arc<AtomicBool>,
}

impl Job {
    fn open(&self) -> Result<ArpSocket, ArpError> {
        let path = Path::new(NETNS_DIR).join(&self.namespace);
        socket::enter_namespace(&path).map_err(|source| ArpError::Namespace {
            path: path.clone(),
            source,
        })?;
        ArpSocket::open(&self.bridge).map_err(|source| ArpError::Socket {
            bridge: self.bridge.clone(),
            namespace: self.namespace.clone(),
            source,
        })
    }

    fn run(self, ready: mpsc::Sender<Result<(), ArpError>>) {
        let socket = match self.open() {
            Ok(s) => s,
            Err(e) => {
                let _ = ready.send(Err(e));
                return;
            }
        };
        if ready.send(Ok(())).is_err() {
            return;
        }
        let mut buf = [0u8; 2048];
        while !self.stop.load(Ordering::Relaxed) {
            match socket.recv(&mut buf, POLL) {
                Ok(Received::Frame(n)) => {
                    if let Some(claim) = self.claim(buf.get(..n).unwrap_or_default()) {
                        if self.tx.send(claim).is_err() {
                            // Nobody listens any more.
                            return;
                        }
                    }
                }
                Ok(Received::Nothing) => {}
                Err(e) => {
                    tracing::warn!(bridge = %self.bridge, error = %e, "ARP capture ended");
                    return;
                }
            }
        }
    }

    fn claim(&self, frame: &[u8]) -> Option<Claim> {
        let packet = parse_frame(frame).ok()?;
        let kind = packet.claim()?;
        let wanted = match self.vips.read() {
            Ok(v) => v.as_ref().is_none_or(|s| s.contains(&packet.sender_ip)),
            Err(poisoned) => poisoned
                .into_inner()
                .as_ref()
                .is_none_or(|s| s.contains(&packet.sender_ip)),
        };
        wanted.then(|| Claim {
            vip: packet.sender_ip,
            sender_mac: format_mac(&packet.sender_mac),
            bridge: self.bridge.clone(),
            kind,
            at: SystemTime::now(),
        })
    }
}
