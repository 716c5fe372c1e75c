//! The fuzz inputs of the request-shaped targets: an HTTP/1.1 request as text (request
//! line, header lines, a blank line, the body), read leniently into an [`OwnedRequest`]
//! so that the corpus holds real requests a person can read and edit.

use havip_signature::OwnedRequest;
use http::header::{HeaderName, HeaderValue};
use http::HeaderMap;

/// Reads `METHOD TARGET [VERSION]`, then `Name: value` lines up to the first empty line;
/// the rest is the body. Lines that are not valid HTTP headers are skipped; bytes that
/// are not UTF-8 in the head are replaced (the HTTP layer never hands over such a head).
pub fn parse(data: &[u8]) -> OwnedRequest {
    let (head, body) = split_head(data);
    let head = String::from_utf8_lossy(head);
    let mut lines = head.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let mut words = lines.next().unwrap_or_default().split(' ');
    let method = words.next().unwrap_or_default().to_string();
    let target = words.next().unwrap_or_default();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut headers = HeaderMap::new();
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.trim().as_bytes()),
            HeaderValue::from_bytes(value.trim().as_bytes()),
        ) {
            headers.append(n, v);
        }
    }
    OwnedRequest {
        method,
        path: path.to_string(),
        query: query.to_string(),
        headers,
        body: body.to_vec(),
    }
}

/// The text form of a request, as [`parse`] reads it back.
pub fn to_bytes(req: &OwnedRequest) -> Vec<u8> {
    let mut out = format!("{} {} HTTP/1.1\r\n", req.method, req.target()).into_bytes();
    for (name, value) in &req.headers {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&req.body);
    out
}

/// Splits at the first blank line (`\r\n\r\n` or `\n\n`); no blank line means no body.
fn split_head(data: &[u8]) -> (&[u8], &[u8]) {
    let crlf = find(data, b"\r\n\r\n").map(|i| (i, 4));
    let lf = find(data, b"\n\n").map(|i| (i, 2));
    let cut = match (crlf, lf) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    };
    match cut {
        Some((i, len)) => (&data[..i], &data[i + len..]),
        None => (data, &[]),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_it_writes() {
        let text = b"POST /a%20b?x=1&y=2 HTTP/1.1\r\nhost: h\r\nX-Two: a\r\nx-two: b\r\nnot a header\r\n\r\nbody\r\n\r\nmore";
        let req = parse(text);
        assert_eq!(req.method, "POST");
        assert_eq!(req.path, "/a%20b");
        assert_eq!(req.query, "x=1&y=2");
        assert_eq!(req.headers.get_all("x-two").iter().count(), 2);
        assert_eq!(req.body, b"body\r\n\r\nmore");
        let again = parse(&to_bytes(&req));
        assert_eq!(again.target(), req.target());
        assert_eq!(again.headers, req.headers);
        assert_eq!(again.body, req.body);
    }

    #[test]
    fn anything_reads_as_some_request() {
        for data in [
            &b""[..],
            b"\n\n",
            b"GET",
            b"\xff\xfe \xff?\xff\r\n\xff: \xff\r\n\r\n\xff",
        ] {
            let _ = parse(data);
        }
        assert_eq!(parse(b"GET /?q HTTP/1.1\n\nbody").body, b"body");
    }
}
