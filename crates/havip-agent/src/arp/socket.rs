//! The packet socket of one bridge, through libc: the calling thread enters the fabric
//! namespace (`setns` changes the calling thread's namespace only, so each capture has
//! a thread of its own), opens `socket(AF_PACKET, SOCK_RAW, ETH_P_ARP)`, binds it to the
//! bridge device and puts the device in promiscuous mode for as long as the socket is
//! open (a membership, undone by the kernel when the socket closes).
//!
//! Why the bridge device: the bridge hands a frame to its own device only after the
//! bridge family's prerouting hook let it through, so a socket bound there never sees a
//! frame the fabric dropped, while a socket on a port (or on the instance's veth) sees
//! every frame before nftables does. Without promiscuous mode the bridge device gets only
//! the frames addressed to it and the broadcasts (gratuitous ARP); with it, unicast ARP
//! replies between ports as well. Both were checked on this kind of machine (tcpdump
//! with and without `-p`, and the root test of this module).

use std::ffi::CString;
use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::Path;
use std::time::Duration;

const ETH_P_ARP: u16 = 0x0806;

/// Moves the calling thread into the network namespace at `path` (`/run/netns/NAME`).
pub fn enter_namespace(path: &Path) -> io::Result<()> {
    let file = File::open(path)?;
    // SAFETY: `file` is an open descriptor for the duration of the call.
    let rc = unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// A packet socket for ARP bound to one device of the calling thread's namespace.
#[derive(Debug)]
pub struct ArpSocket {
    fd: OwnedFd,
}

/// What one [`ArpSocket::recv`] gave.
pub enum Received {
    /// A frame that arrived on the device (frames the device sent itself are skipped).
    Frame(usize),
    /// Nothing within the timeout (or a frame that is not of interest).
    Nothing,
}

impl ArpSocket {
    /// Opens the socket on device `ifname`; fails if there is no such device.
    pub fn open(ifname: &str) -> io::Result<ArpSocket> {
        let name = CString::new(ifname)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "NUL in device name"))?;
        let protocol = ETH_P_ARP.to_be();
        // SAFETY: plain system call, the result is checked.
        let raw = unsafe {
            libc::socket(
                libc::AF_PACKET,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                i32::from(protocol),
            )
        };
        if raw < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `raw` is a new descriptor that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        // SAFETY: `name` is a NUL-terminated string.
        let index = unsafe { libc::if_nametoindex(name.as_ptr()) };
        if index == 0 {
            return Err(io::Error::last_os_error());
        }
        let index = i32::try_from(index)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "interface index"))?;
        // SAFETY: sockaddr_ll is plain data; all-zero is a valid value.
        let mut addr: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
        addr.sll_family = libc::AF_PACKET as u16;
        addr.sll_protocol = protocol;
        addr.sll_ifindex = index;
        // SAFETY: `addr` is a sockaddr_ll of the size passed.
        let rc = unsafe {
            libc::bind(
                fd.as_raw_fd(),
                std::ptr::addr_of!(addr).cast(),
                size_of::<libc::sockaddr_ll>() as libc::socklen_t,
            )
        };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: packet_mreq is plain data; all-zero is a valid value.
        let mut mreq: libc::packet_mreq = unsafe { std::mem::zeroed() };
        mreq.mr_ifindex = index;
        mreq.mr_type = libc::PACKET_MR_PROMISC as u16;
        // SAFETY: `mreq` is a packet_mreq of the size passed.
        let rc = unsafe {
            libc::setsockopt(
                fd.as_raw_fd(),
                libc::SOL_PACKET,
                libc::PACKET_ADD_MEMBERSHIP,
                std::ptr::addr_of!(mreq).cast(),
                size_of::<libc::packet_mreq>() as libc::socklen_t,
            )
        };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(ArpSocket { fd })
    }

    /// Waits up to `timeout` for a frame and copies it into `buf`. An error means the
    /// socket is of no further use (the device went away: `ENETDOWN`).
    pub fn recv(&self, buf: &mut [u8], timeout: Duration) -> io::Result<Received> {
        let mut pfd = libc::pollfd {
            fd: self.fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
        // SAFETY: one valid pollfd.
        let n = unsafe { libc::poll(&mut pfd, 1, ms) };
        if n < 0 {
            let e = io::Error::last_os_error();
            return match e.kind() {
                io::ErrorKind::Interrupted => Ok(Received::Nothing),
                _ => Err(e),
            };
        }
        if n == 0 {
            return Ok(Received::Nothing);
        }
        // SAFETY: sockaddr_ll is plain data; all-zero is a valid value.
        let mut from: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
        let mut len = size_of::<libc::sockaddr_ll>() as libc::socklen_t;
        // SAFETY: `buf` and `from` are valid for the sizes passed; MSG_DONTWAIT so a
        // spurious wake-up does not block.
        let got = unsafe {
            libc::recvfrom(
                self.fd.as_raw_fd(),
                buf.as_mut_ptr().cast(),
                buf.len(),
                libc::MSG_DONTWAIT,
                std::ptr::addr_of_mut!(from).cast(),
                &mut len,
            )
        };
        if got < 0 {
            let e = io::Error::last_os_error();
            return match e.kind() {
                io::ErrorKind::Interrupted | io::ErrorKind::WouldBlock => Ok(Received::Nothing),
                _ => Err(e),
            };
        }
        if from.sll_pkttype == libc::PACKET_OUTGOING {
            return Ok(Received::Nothing);
        }
        Ok(Received::Frame(usize::try_from(got).unwrap_or(0)))
    }
}
