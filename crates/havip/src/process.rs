//! Process-wide settings made once at start. Large freed buffers (request bodies) go back
//! to the system at once, so that the resident size follows the bodies in flight (glibc
//! otherwise raises its mmap threshold after the first large free and keeps such memory);
//! and the open-file limit is raised to its hard limit, so that `--max-connections`, not
//! the descriptor table, is what bounds connections.

/// File descriptors kept for the store, the listener and logs, beyond connections.
const RESERVED_FILES: u64 = 64;

/// Applies the settings; returns how many connections the open-file limit leaves room for.
pub fn prepare() -> u64 {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes the allocator's tunables, under the allocator's own
    // lock; memory already allocated is unaffected.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
    raise_open_file_limit().saturating_sub(RESERVED_FILES)
}

#[cfg(unix)]
fn raise_open_file_limit() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit read and write the struct given, nothing else.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return u64::MAX;
        }
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: limit.rlim_max,
                rlim_max: limit.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit = raised;
            }
        }
    }
    if limit.rlim_cur == libc::RLIM_INFINITY {
        u64::MAX
    } else {
        limit.rlim_cur
    }
}

#[cfg(not(unix))]
fn raise_open_file_limit() -> u64 {
    u64::MAX
}
