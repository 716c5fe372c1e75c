//! Check of all faces at once, end to end: a request goes through the router `havip serve`
//! runs (dispatch, every face, the service, an embedded store holding the example seed),
//! and whatever it is, the answer is never a 5xx. Unsigned cloud requests are served as
//! the seed's first account (`--insecure-no-auth`), so that the fuzzer reaches the
//! operations; the native API takes [`ADMIN_TOKEN`].

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::Router;
use havip_api::AppState;
use havip_service::{SeededIds, Service, ServiceConfig, SystemClock};
use havip_store::sqlite::SqliteStore;
use tower::ServiceExt;

use crate::request;

/// The bearer token the native API accepts here.
pub const ADMIN_TOKEN: &str = "fuzz-admin-token-0123456789abcdef0123";

const SEED: &str = include_str!("../../../../examples/seed.toml");

struct World {
    runtime: tokio::runtime::Runtime,
    app: Router,
}

/// Names the store directory of each process: this prefix, then the process id.
const DIR_PREFIX: &str = "havip-fuzzing-faces-";

/// The server, made once per process; a store that cannot be made is a broken harness.
fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| match make_world() {
        Ok(w) => w,
        Err(e) => panic!("the faces harness cannot start: {e}"),
    })
}

fn make_world() -> Result<World, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let dir = store_dir().map_err(|e| e.to_string())?;
    let seed = havip_seed::parse_seed(SEED).map_err(|e| e.to_string())?;
    let (faces, operator) =
        havip::dispatch::Faces::standard(Some(&seed)).map_err(|e| e.to_string())?;
    let app = runtime.block_on(async {
        let store = SqliteStore::open(&dir).await.map_err(|e| e.to_string())?;
        let service = Service::new(
            Arc::new(store),
            ServiceConfig {
                operator: Arc::new(operator),
                ..ServiceConfig::default()
            },
            Arc::new(SystemClock),
            Arc::new(SeededIds::new(0)),
        );
        service.load_seed(&seed).await.map_err(|e| e.to_string())?;
        let state = Arc::new(AppState {
            service: Arc::new(service),
            admin_tokens: vec![ADMIN_TOKEN.to_string()],
            insecure_account: seed.accounts.first().map(|a| a.id.clone()),
            bodies: Default::default(),
        });
        Ok::<_, String>(havip::serve::app(state, Arc::new(faces), false))
    })?;
    Ok(World { runtime, app })
}

/// The store's directory, one per process: the server lives in a static, which is never
/// dropped, so a process removes the directories of processes that are gone instead.
/// Memory-backed (`/dev/shm`) when the machine has it: every write of the store is fsynced.
fn store_dir() -> std::io::Result<PathBuf> {
    let shm = Path::new("/dev/shm");
    let base = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    let proc_fs = Path::new("/proc/self").exists();
    for entry in std::fs::read_dir(&base)?.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix(DIR_PREFIX)) else {
            continue;
        };
        if proc_fs && !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
    let dir = base.join(format!("{DIR_PREFIX}{}", std::process::id()));
    // Left by an earlier process with this same id: this process makes its store once.
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

pub fn faces(data: &[u8]) {
    let Some((what, status)) = answer(data) else {
        return;
    };
    assert!(!status.is_server_error(), "{what} answered {status}");
}

/// The request line and the status the server answers, or `None` for a request the
/// HTTP layer would not have handed over (a bad method or target).
fn answer(data: &[u8]) -> Option<(String, http::StatusCode)> {
    let req = request::parse(data);
    let what = format!("{} {}", req.method, req.target());
    let mut builder = http::Request::builder()
        .method(req.method.as_str())
        .uri(req.target());
    for (name, value) in &req.headers {
        builder = builder.header(name, value);
    }
    let http_req = builder.body(Body::from(req.body)).ok()?;
    let world = world();
    let Ok(response) = world.runtime.block_on(world.app.clone().oneshot(http_req));
    Some((what, response.status()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(text: &str) -> Option<u16> {
        answer(text.as_bytes()).map(|(_, s)| s.as_u16())
    }

    #[test]
    fn the_harness_reaches_the_operations() {
        let native =
            format!("GET /v1/havips HTTP/1.1\r\nauthorization: Bearer {ADMIN_TOKEN}\r\n\r\n");
        assert_eq!(status(&native), Some(200));
        let aliyun =
            "POST /?Action=DescribeHaVips&Version=2016-04-28&RegionId=cn-shanghai HTTP/1.1\r\n\r\n";
        assert_eq!(status(aliyun), Some(200));
        assert_eq!(status("GET /v1/havips HTTP/1.1\r\n\r\n"), Some(401));
        assert_eq!(status("B@D / HTTP/1.1\r\n\r\n"), None);
    }
}
