//! A small static file server for the built site: `GET` and `HEAD` only, files under one
//! folder only, the right content types (`.wasm` as `application/wasm`), no caching.
//!
//! Content negotiation: a file with precompressed twins beside it (`NAME.br`, `NAME.gz`, laid
//! by [`crate::compress`]) is sent as the twin the request's `Accept-Encoding` ranks highest
//! (brotli before gzip at equal rank), with `Content-Encoding`, `Vary: Accept-Encoding` and
//! the file's own content type, so `.wasm` stays `application/wasm` and the browser can
//! compile it while it streams in. Without the header, or when the client refuses both
//! (`q=0`), the file goes as it is. A twin requested by its own name (`/x.js.br`) is sent as
//! bytes (`application/octet-stream`), never decoded or relabelled.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};

use crate::command::Failure;
use crate::compress::{self, Coding};

/// The port `cargo xtask serve` uses unless `--port` says otherwise.
pub(crate) const DEFAULT_PORT: u16 = 8080;

/// Binds the loopback address on `port` (0 picks a free port).
pub(crate) fn bind(port: u16) -> Result<TcpListener, Failure> {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    TcpListener::bind(address).map_err(|error| {
        Failure::new(
            "serve",
            format!("cannot listen on http://{address}/: {error}"),
        )
        .hint("another server may be using the port; pick one with `--port N`")
    })
}

/// Serves `dir` until the process ends, one thread per connection.
pub(crate) fn serve_forever(listener: TcpListener, dir: PathBuf) {
    for stream in listener.incoming().flatten() {
        let dir = dir.clone();
        std::thread::spawn(move || {
            // A client that hangs up mid-request is not the server's problem.
            let _ = handle(stream, &dir);
        });
    }
}

/// Starts serving `dir` on a free loopback port in a background thread; returns its URL.
pub(crate) fn serve_in_background(dir: PathBuf) -> Result<String, Failure> {
    let listener = bind(0)?;
    let address = listener.local_addr().map_err(|error| {
        Failure::new("serve", format!("cannot read the bound address: {error}"))
    })?;
    std::thread::spawn(move || serve_forever(listener, dir));
    Ok(format!("http://{address}/"))
}

fn handle(stream: TcpStream, dir: &Path) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Read the headers up to the blank line; only `Accept-Encoding` matters (repeated
    // headers are one comma-separated list).
    let mut accept_encoding: Option<String> = None;
    let mut header = String::new();
    while reader.read_line(&mut header)? > 2 {
        if let Some((name, value)) = header.split_once(':')
            && name.trim().eq_ignore_ascii_case("accept-encoding")
        {
            let value = value.trim();
            accept_encoding = Some(match accept_encoding {
                Some(before) => format!("{before}, {value}"),
                None => value.to_owned(),
            });
        }
        header.clear();
    }
    let response = respond(&request_line, accept_encoding.as_deref(), dir);
    write_response(stream, &response)
}

/// What the server answers to one request.
#[derive(Debug, PartialEq, Eq)]
struct Response {
    status: &'static str,
    content_type: &'static str,
    /// The `Content-Encoding` of the body, when it is a compressed twin.
    content_encoding: Option<&'static str>,
    /// Whether the answer depends on `Accept-Encoding` (the file has a twin).
    vary: bool,
    body: Vec<u8>,
    head_only: bool,
}

/// The answer to a request line with the request's `Accept-Encoding` (if it had one).
fn respond(request_line: &str, accept_encoding: Option<&str>, dir: &Path) -> Response {
    let mut parts = request_line.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return text("400 Bad Request", "bad request\n");
    };
    let head_only = match method {
        "GET" => false,
        "HEAD" => true,
        _ => return text("405 Method Not Allowed", "only GET and HEAD\n"),
    };
    let Some(path) = resolve(dir, target) else {
        return text("404 Not Found", "not found\n");
    };
    let twins: Vec<Coding> = if compress::is_compressible(&path) {
        Coding::ALL
            .into_iter()
            .filter(|coding| coding.twin(&path).is_file())
            .collect()
    } else {
        Vec::new()
    };
    let chosen = negotiate(accept_encoding, &twins)
        .and_then(|coding| Some((coding, std::fs::read(coding.twin(&path)).ok()?)));
    let (content_encoding, body) = match chosen {
        Some((coding, body)) => (Some(coding.token()), body),
        None => match std::fs::read(&path) {
            Ok(body) => (None, body),
            Err(_) => return text("404 Not Found", "not found\n"),
        },
    };
    Response {
        status: "200 OK",
        content_type: content_type(&path),
        content_encoding,
        vary: !twins.is_empty(),
        body,
        head_only,
    }
}

/// The coding of `available` to send for the header `Accept-Encoding: accept`, or `None` for
/// the file as it is. The highest `q` wins, brotli before gzip at equal `q`; a coding needs
/// `q` above 0, and at least the `q` of an `identity` entry if the header has one (an
/// `identity` ranked above every coding is a wish for the file as it is). No header: the
/// file as it is (what clients that say nothing expect).
fn negotiate(accept: Option<&str>, available: &[Coding]) -> Option<Coding> {
    let accept = accept?;
    let identity = own_quality(accept, "identity").unwrap_or(0);
    let mut best: Option<(Coding, u16)> = None;
    for coding in Coding::ALL {
        if !available.contains(&coding) {
            continue;
        }
        let q = quality(accept, coding.token()).unwrap_or(0);
        if q > 0 && q >= identity && best.is_none_or(|(_, best_q)| q > best_q) {
            best = Some((coding, q));
        }
    }
    best.map(|(coding, _)| coding)
}

/// The `q` (in thousandths) that the `Accept-Encoding` value `accept` gives `token`: its own
/// entry's, else the `*` entry's, else `None`.
fn quality(accept: &str, token: &str) -> Option<u16> {
    own_quality(accept, token).or_else(|| own_quality(accept, "*"))
}

/// The `q` (in thousandths) of the entry for `token` in the `Accept-Encoding` value `accept`
/// (the last one, if repeated), or `None` without one. `x-gzip` counts as `gzip`; an entry
/// with an unreadable `q` counts as refused (`q=0`), the safe reading.
fn own_quality(accept: &str, token: &str) -> Option<u16> {
    let mut found = None;
    for entry in accept.split(',') {
        let mut parts = entry.split(';');
        let name = parts.next().unwrap_or("").trim();
        let name = if name.eq_ignore_ascii_case("x-gzip") {
            "gzip"
        } else {
            name
        };
        if !name.eq_ignore_ascii_case(token) {
            continue;
        }
        let mut q = 1000;
        for parameter in parts {
            if let Some((key, value)) = parameter.split_once('=')
                && key.trim().eq_ignore_ascii_case("q")
            {
                q = parse_qvalue(value.trim()).unwrap_or(0);
            }
        }
        found = Some(q);
    }
    found
}

/// An HTTP qvalue (`0`, `0.5`, `1.000`; at most three decimals, at most 1) in thousandths.
fn parse_qvalue(text: &str) -> Option<u16> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths: u16 = format!("{fraction:0<3}").parse().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

fn text(status: &'static str, body: &str) -> Response {
    Response {
        status,
        content_type: "text/plain; charset=utf-8",
        content_encoding: None,
        vary: false,
        body: body.as_bytes().to_vec(),
        head_only: false,
    }
}

/// Maps a request target to a file under `dir`, refusing anything that leaves it.
fn resolve(dir: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let decoded = percent_decode(path)?;
    let relative = Path::new(decoded.trim_start_matches('/'));
    if relative
        .components()
        .any(|component| !matches!(component, Component::Normal(_)))
    {
        return None;
    }
    let mut full = dir.join(relative);
    if full.is_dir() {
        full.push("index.html");
    }
    full.is_file().then_some(full)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = text.get(index + 1..index + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|ext| ext.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("txt" | "md") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn write_response(mut stream: TcpStream, response: &Response) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n",
        response.status,
        response.content_type,
        response.body.len()
    );
    if let Some(coding) = response.content_encoding {
        head.push_str(&format!("Content-Encoding: {coding}\r\n"));
    }
    if response.vary {
        head.push_str("Vary: Accept-Encoding\r\n");
    }
    head.push_str(
        "Cache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
    );
    // One write for the head, so it does not go out as a packet of its own.
    let mut bytes = head.into_bytes();
    if !response.head_only {
        bytes.extend_from_slice(&response.body);
    }
    stream.write_all(&bytes)?;
    stream.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// A small site in a temporary folder of its own (tests run in parallel).
    fn site(test: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-http-{}-{test}", std::process::id()));
        std::fs::create_dir_all(dir.join("pkg")).unwrap();
        std::fs::write(dir.join("index.html"), "<h1>hi</h1>").unwrap();
        std::fs::write(dir.join("pkg").join("app_bg.wasm"), b"\0asm").unwrap();
        dir
    }

    /// [`site`] with compressed twins: `app_bg.wasm.br` and `.gz`, `index.html.gz` only.
    /// Their bodies are stand-ins: the server never looks inside.
    fn site_with_twins(test: &str) -> PathBuf {
        let dir = site(test);
        std::fs::write(dir.join("pkg").join("app_bg.wasm.br"), b"BR").unwrap();
        std::fs::write(dir.join("pkg").join("app_bg.wasm.gz"), b"GZIP").unwrap();
        std::fs::write(dir.join("index.html.gz"), b"GZ-HTML").unwrap();
        dir
    }

    const CHROMIUM: &str = "gzip, deflate, br, zstd";
    const BOTH: [Coding; 2] = Coding::ALL;
    const GZIP_ONLY: [Coding; 1] = [Coding::Gzip];

    #[test]
    fn negotiates_brotli_then_gzip_by_rank() {
        assert_eq!(negotiate(Some(CHROMIUM), &BOTH), Some(Coding::Brotli));
        assert_eq!(negotiate(Some("gzip, br"), &BOTH), Some(Coding::Brotli));
        assert_eq!(negotiate(Some("gzip"), &BOTH), Some(Coding::Gzip));
        assert_eq!(negotiate(Some("x-gzip"), &BOTH), Some(Coding::Gzip));
        assert_eq!(negotiate(Some("BR;Q=1.0"), &BOTH), Some(Coding::Brotli));
        assert_eq!(
            negotiate(Some("br;q=0.5, gzip;q=0.8"), &BOTH),
            Some(Coding::Gzip)
        );
        assert_eq!(negotiate(Some("*"), &BOTH), Some(Coding::Brotli));
        assert_eq!(negotiate(Some("deflate, zstd"), &BOTH), None);
    }

    #[test]
    fn a_coding_at_q_0_is_refused() {
        assert_eq!(negotiate(Some("br;q=0, gzip"), &BOTH), Some(Coding::Gzip));
        assert_eq!(negotiate(Some("br;q=0.000, gzip;q=0"), &BOTH), None);
        assert_eq!(negotiate(Some("*;q=0"), &BOTH), None);
        assert_eq!(negotiate(Some("gzip, *;q=0"), &BOTH), Some(Coding::Gzip));
        assert_eq!(negotiate(Some("br;q=0 , *"), &BOTH), Some(Coding::Gzip));
        // An unreadable q is taken as a refusal.
        assert_eq!(negotiate(Some("br;q=high, gzip;q=2"), &BOTH), None);
        // Identity ranked above every coding wins.
        assert_eq!(negotiate(Some("br;q=0.5, identity"), &BOTH), None);
        assert_eq!(
            negotiate(Some("br, identity;q=0.5"), &BOTH),
            Some(Coding::Brotli)
        );
    }

    #[test]
    fn without_a_header_or_a_twin_the_file_goes_as_it_is() {
        assert_eq!(negotiate(None, &BOTH), None);
        assert_eq!(negotiate(Some(""), &BOTH), None);
        assert_eq!(negotiate(Some("identity"), &BOTH), None);
        assert_eq!(negotiate(Some(CHROMIUM), &[]), None);
        assert_eq!(negotiate(Some("br"), &GZIP_ONLY), None);
        assert_eq!(negotiate(Some(CHROMIUM), &GZIP_ONLY), Some(Coding::Gzip));
    }

    #[test]
    fn reads_qvalues() {
        assert_eq!(parse_qvalue("1"), Some(1000));
        assert_eq!(parse_qvalue("1.000"), Some(1000));
        assert_eq!(parse_qvalue("0"), Some(0));
        assert_eq!(parse_qvalue("0.5"), Some(500));
        assert_eq!(parse_qvalue("0.125"), Some(125));
        for bad in ["1.5", "2", "0.1234", "-0", ".5", "0.x", "", "inf"] {
            assert_eq!(parse_qvalue(bad), None, "{bad}");
        }
    }

    #[test]
    fn serves_the_twin_the_client_accepts_with_the_file_type() {
        let dir = site_with_twins("twins");
        let br = respond("GET /pkg/app_bg.wasm HTTP/1.1", Some(CHROMIUM), &dir);
        assert_eq!(br.content_type, "application/wasm");
        assert_eq!(br.content_encoding, Some("br"));
        assert!(br.vary);
        assert_eq!(br.body, b"BR");
        let gz = respond("GET /pkg/app_bg.wasm HTTP/1.1", Some("gzip"), &dir);
        assert_eq!(
            (gz.content_encoding, gz.body.as_slice()),
            (Some("gzip"), &b"GZIP"[..])
        );
        let plain = respond("GET /pkg/app_bg.wasm HTTP/1.1", None, &dir);
        assert_eq!(plain.content_encoding, None);
        assert!(plain.vary, "the answer still depends on the header");
        assert_eq!(plain.body, b"\0asm");
        // Only a .gz beside index.html: a brotli-only client gets the file itself.
        let index = respond("GET / HTTP/1.1", Some("br"), &dir);
        assert_eq!(index.content_encoding, None);
        assert_eq!(index.body, b"<h1>hi</h1>");
        let index = respond("GET / HTTP/1.1", Some(CHROMIUM), &dir);
        assert_eq!(index.content_type, "text/html; charset=utf-8");
        assert_eq!(index.content_encoding, Some("gzip"));
        // A twin asked for by name is bytes, not a page.
        let raw = respond("GET /index.html.gz HTTP/1.1", Some(CHROMIUM), &dir);
        assert_eq!(raw.content_type, "application/octet-stream");
        assert_eq!((raw.content_encoding, raw.vary), (None, false));
        assert_eq!(raw.body, b"GZ-HTML");
    }

    #[test]
    fn serves_files_with_their_content_types() {
        let dir = site("types");
        let index = respond("GET / HTTP/1.1", None, &dir);
        assert_eq!(index.status, "200 OK");
        assert_eq!(index.content_type, "text/html; charset=utf-8");
        assert_eq!(index.body, b"<h1>hi</h1>");
        let wasm = respond("GET /pkg/app_bg.wasm?v=1 HTTP/1.1", None, &dir);
        assert_eq!(wasm.content_type, "application/wasm");
        assert_eq!(wasm.body, b"\0asm");
        assert!(respond("HEAD /index.html HTTP/1.1", None, &dir).head_only);
    }

    #[test]
    fn refuses_paths_outside_the_site_and_other_methods() {
        let dir = site("refuse");
        assert_eq!(
            respond("GET /../Cargo.toml HTTP/1.1", None, &dir).status,
            "404 Not Found"
        );
        assert_eq!(
            respond("GET /%2e%2e/x HTTP/1.1", None, &dir).status,
            "404 Not Found"
        );
        assert_eq!(
            respond("GET /missing.js HTTP/1.1", None, &dir).status,
            "404 Not Found"
        );
        assert_eq!(
            respond("POST / HTTP/1.1", None, &dir).status,
            "405 Method Not Allowed"
        );
        assert_eq!(respond("", None, &dir).status, "400 Bad Request");
    }

    /// Sends `request` to a server on `url` and returns the whole reply.
    fn exchange(url: &str, request: &str) -> String {
        let address = url.trim_start_matches("http://").trim_end_matches('/');
        let mut stream = TcpStream::connect(address).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut reply = String::new();
        stream.read_to_string(&mut reply).unwrap();
        reply
    }

    #[test]
    fn answers_over_a_real_socket() {
        let url = serve_in_background(site_with_twins("socket")).unwrap();
        let reply = exchange(&url, "GET /pkg/app_bg.wasm HTTP/1.1\r\nHost: x\r\n\r\n");
        assert!(reply.starts_with("HTTP/1.1 200 OK\r\n"), "{reply}");
        assert!(
            reply.contains("Content-Type: application/wasm\r\n"),
            "{reply}"
        );
        assert!(reply.contains("Content-Length: 4\r\n"), "{reply}");
        assert!(!reply.contains("Content-Encoding"), "{reply}");
        assert!(reply.contains("Vary: Accept-Encoding\r\n"), "{reply}");

        // The header is read whatever its case, and repeated headers add up.
        let reply = exchange(
            &url,
            "GET /pkg/app_bg.wasm HTTP/1.1\r\nHost: x\r\naccept-encoding: deflate\r\n\
             Accept-Encoding: br;q=0.9\r\n\r\n",
        );
        assert!(reply.contains("Content-Encoding: br\r\n"), "{reply}");
        assert!(
            reply.contains("Content-Type: application/wasm\r\n"),
            "{reply}"
        );
        assert!(reply.contains("Content-Length: 2\r\n"), "{reply}");
        assert!(reply.ends_with("\r\n\r\nBR"), "{reply}");

        let head = exchange(
            &url,
            "HEAD /pkg/app_bg.wasm HTTP/1.1\r\nAccept-Encoding: gzip\r\n\r\n",
        );
        assert!(head.contains("Content-Encoding: gzip\r\n"), "{head}");
        assert!(head.contains("Content-Length: 4\r\n"), "{head}");
        assert!(head.ends_with("\r\n\r\n"), "{head}");
    }
}
