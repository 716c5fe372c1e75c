//! `havip serve --tls-cert --tls-key`: HTTPS only, with a CA and a server certificate for
//! 127.0.0.1 made for each test. A client trusting the CA gets /healthz; one that does not
//! is refused; plain HTTP gets a plain 400; a connection that never handshakes holds a
//! connection slot only until the header-read timeout; a file that cannot serve is refused
//! at start with its name.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, Ipv4Addr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose, SanType};

const BIN: &str = env!("CARGO_BIN_EXE_havip");
const TOKEN: &str = "0123456789abcdef0123456789abcdef01234567";

/// A throwaway CA, a server certificate it signed for 127.0.0.1, and their files.
struct Pki {
    dir: tempfile::TempDir,
    ca_pem: String,
}

impl Pki {
    fn new() -> Self {
        let ca_key = KeyPair::generate().expect("CA key");
        let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "havip test CA");
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_cert = ca.self_signed(&ca_key).expect("CA certificate");

        let key = KeyPair::generate().expect("server key");
        let mut params =
            CertificateParams::new(vec!["localhost".to_string()]).expect("server params");
        params
            .subject_alt_names
            .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        params
            .distinguished_name
            .push(DnType::CommonName, "havip test server");
        let cert = params
            .signed_by(&key, &ca_cert, &ca_key)
            .expect("server certificate");

        // A second key, not the certificate's.
        let other = KeyPair::generate().expect("other key");

        let dir = tempfile::tempdir().expect("tempdir");
        let write = |name: &str, text: &str| {
            std::fs::write(dir.path().join(name), text).expect("write");
        };
        // The chain: the server's certificate, then the CA's.
        write("server.crt", &format!("{}{}", cert.pem(), ca_cert.pem()));
        write("server.key", &key.serialize_pem());
        write("other.key", &other.serialize_pem());
        write("empty.pem", "no PEM here\n");
        Pki {
            ca_pem: ca_cert.pem(),
            dir,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

fn serve(data_dir: &Path, cert: &Path, key: &Path, extra: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .arg("--tls-cert")
        .arg(cert)
        .arg("--tls-key")
        .arg(key)
        .args(extra)
        .env_remove("HAVIP_DATABASE_URL")
        .env("HAVIP_ADMIN_TOKEN", TOKEN)
        .env("HAVIP_LOG", "warn")
        .stdin(Stdio::null());
    cmd
}

/// Kills the server when the test ends, however it ends.
struct Running {
    child: Child,
    port: u16,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(pki: &Pki, data_dir: &Path, extra: &[&str]) -> Running {
    let mut child = serve(
        data_dir,
        &pki.path("server.crt"),
        &pki.path("server.key"),
        extra,
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::null())
    .spawn()
    .expect("spawn havip");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("read");
    let mut running = Running { child, port: 0 };
    running.port = line
        .trim()
        .strip_prefix("listening on https://127.0.0.1:")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("first line {line:?}"));
    running
}

fn client(ca_pem: Option<&str>) -> reqwest::Client {
    let mut builder = reqwest::Client::builder().timeout(Duration::from_secs(10));
    if let Some(pem) = ca_pem {
        builder = builder.add_root_certificate(
            reqwest::Certificate::from_pem(pem.as_bytes()).expect("CA certificate"),
        );
    }
    builder.build().expect("client")
}

async fn healthz(server: &Running, ca_pem: Option<&str>) -> reqwest::Result<reqwest::StatusCode> {
    let url = format!("https://127.0.0.1:{}/healthz", server.port);
    Ok(client(ca_pem).get(url).send().await?.status())
}

/// What the server writes back to `request` sent in plain text, up to its close.
fn plain_exchange(port: u16, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    stream.write_all(request).expect("write");
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn healthz_over_https_with_the_test_ca() {
    let pki = Pki::new();
    let data = tempfile::tempdir().expect("tempdir");
    let server = start(&pki, data.path(), &[]);
    let status = healthz(&server, Some(&pki.ca_pem))
        .await
        .expect("https GET /healthz");
    assert_eq!(status, reqwest::StatusCode::OK);
}

#[tokio::test]
async fn a_client_without_the_ca_is_refused_and_plain_http_gets_400() {
    let pki = Pki::new();
    let data = tempfile::tempdir().expect("tempdir");
    let server = start(&pki, data.path(), &[]);

    let untrusted = healthz(&server, None).await;
    assert!(untrusted.is_err(), "{untrusted:?}");

    let port = server.port;
    let answer = tokio::task::spawn_blocking(move || {
        plain_exchange(port, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    })
    .await
    .expect("plain exchange");
    assert!(answer.starts_with("HTTP/1.1 400 "), "{answer:?}");
    assert!(answer.contains("HTTPS"), "{answer:?}");

    // Still serving.
    let status = healthz(&server, Some(&pki.ca_pem))
        .await
        .expect("https GET /healthz");
    assert_eq!(status, reqwest::StatusCode::OK);
}

#[tokio::test]
async fn a_connection_that_never_handshakes_holds_a_slot_only_until_the_header_timeout() {
    let pki = Pki::new();
    let data = tempfile::tempdir().expect("tempdir");
    let server = start(
        &pki,
        data.path(),
        &["--max-connections", "1", "--header-read-timeout", "1s"],
    );
    let port = server.port;
    let outcome = tokio::task::spawn_blocking(move || {
        let mut silent = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        silent
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        // Let the server take the connection before the next one comes.
        std::thread::sleep(Duration::from_millis(200));
        // The one slot is taken: the next connection is turned away.
        let busy = plain_exchange(port, b"");
        // The silent connection is closed by the server after the header-read timeout.
        let started = Instant::now();
        let mut buf = [0u8; 64];
        let closed = matches!(silent.read(&mut buf), Ok(0) | Err(_));
        (busy, closed, started.elapsed())
    })
    .await
    .expect("silent client");
    let (busy, closed, waited) = outcome;
    assert!(busy.starts_with("HTTP/1.1 503 "), "{busy:?}");
    assert!(closed);
    assert!(waited < Duration::from_secs(5), "closed after {waited:?}");

    // The slot is free again.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match healthz(&server, Some(&pki.ca_pem)).await {
            Ok(status) if status == reqwest::StatusCode::OK => break,
            other => assert!(Instant::now() < deadline, "{other:?}"),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Runs a server that must refuse to start; its stderr.
fn refused(cert: &Path, key: &Path) -> String {
    let data = tempfile::tempdir().expect("tempdir");
    let out = serve(data.path(), cert, key, &[])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("run havip");
    assert!(!out.status.success());
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn files_that_cannot_serve_are_refused_at_start_by_name() {
    let pki = Pki::new();
    let (cert, key) = (pki.path("server.crt"), pki.path("server.key"));

    let missing = pki.path("missing.crt");
    let stderr = refused(&missing, &key);
    assert!(
        stderr.contains(&*missing.to_string_lossy()) && stderr.contains("cannot be read"),
        "{stderr}"
    );

    let empty = pki.path("empty.pem");
    let stderr = refused(&empty, &key);
    assert!(
        stderr.contains(&*empty.to_string_lossy()) && stderr.contains("no PEM certificate"),
        "{stderr}"
    );

    let stderr = refused(&cert, &empty);
    assert!(
        stderr.contains(&*empty.to_string_lossy()) && stderr.contains("no PEM private key"),
        "{stderr}"
    );

    let other = pki.path("other.key");
    let stderr = refused(&cert, &other);
    assert!(
        stderr.contains(&*other.to_string_lossy())
            && stderr.contains(&*cert.to_string_lossy())
            && stderr.contains("does not match"),
        "{stderr}"
    );
}

#[test]
fn cert_and_key_go_together() {
    let pki = Pki::new();
    let data = tempfile::tempdir().expect("tempdir");
    let out = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data.path())
        .arg("--tls-cert")
        .arg(pki.path("server.crt"))
        .env_remove("HAVIP_TLS_KEY")
        .stdin(Stdio::null())
        .output()
        .expect("run havip");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--tls-key"), "{stderr}");
}

#[test]
fn a_shutdown_does_not_wait_for_a_handshake() {
    let pki = Pki::new();
    let data = tempfile::tempdir().expect("tempdir");
    let mut server = start(
        &pki,
        data.path(),
        &["--header-read-timeout", "60s", "--shutdown-timeout", "60s"],
    );
    let _silent = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
    std::thread::sleep(Duration::from_millis(200));
    let pid = i32::try_from(server.child.id()).expect("pid");
    // SAFETY: kill(2) with a pid this test started; no memory is involved.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let started = Instant::now();
    loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            assert!(status.success(), "{status:?}");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "still running after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
