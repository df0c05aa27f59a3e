//! A small static file server for the built site: `GET` and `HEAD` only, files under one
//! folder only, the right content types (`.wasm` as `application/wasm`), no caching.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};

use crate::command::Failure;

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
    // Drain the headers; the server needs none of them.
    let mut header = String::new();
    while reader.read_line(&mut header)? > 2 {
        header.clear();
    }
    let response = respond(&request_line, dir);
    write_response(stream, &response)
}

/// What the server answers to one request line.
#[derive(Debug, PartialEq, Eq)]
struct Response {
    status: &'static str,
    content_type: &'static str,
    body: Vec<u8>,
    head_only: bool,
}

fn respond(request_line: &str, dir: &Path) -> Response {
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
    match std::fs::read(&path) {
        Ok(body) => Response {
            status: "200 OK",
            content_type: content_type(&path),
            body,
            head_only,
        },
        Err(_) => text("404 Not Found", "not found\n"),
    }
}

fn text(status: &'static str, body: &str) -> Response {
    Response {
        status,
        content_type: "text/plain; charset=utf-8",
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
    write!(
        stream,
        "HTTP/1.1 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\n\
         X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        response.status,
        response.content_type,
        response.body.len()
    )?;
    if !response.head_only {
        stream.write_all(&response.body)?;
    }
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

    #[test]
    fn serves_files_with_their_content_types() {
        let dir = site("types");
        let index = respond("GET / HTTP/1.1", &dir);
        assert_eq!(index.status, "200 OK");
        assert_eq!(index.content_type, "text/html; charset=utf-8");
        assert_eq!(index.body, b"<h1>hi</h1>");
        let wasm = respond("GET /pkg/app_bg.wasm?v=1 HTTP/1.1", &dir);
        assert_eq!(wasm.content_type, "application/wasm");
        assert_eq!(wasm.body, b"\0asm");
        assert!(respond("HEAD /index.html HTTP/1.1", &dir).head_only);
    }

    #[test]
    fn refuses_paths_outside_the_site_and_other_methods() {
        let dir = site("refuse");
        assert_eq!(
            respond("GET /../Cargo.toml HTTP/1.1", &dir).status,
            "404 Not Found"
        );
        assert_eq!(
            respond("GET /%2e%2e/x HTTP/1.1", &dir).status,
            "404 Not Found"
        );
        assert_eq!(
            respond("GET /missing.js HTTP/1.1", &dir).status,
            "404 Not Found"
        );
        assert_eq!(
            respond("POST / HTTP/1.1", &dir).status,
            "405 Method Not Allowed"
        );
        assert_eq!(respond("", &dir).status, "400 Bad Request");
    }

    #[test]
    fn answers_over_a_real_socket() {
        let url = serve_in_background(site("socket")).unwrap();
        let address = url.trim_start_matches("http://").trim_end_matches('/');
        let mut stream = TcpStream::connect(address).unwrap();
        stream
            .write_all(b"GET /pkg/app_bg.wasm HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let mut reply = String::new();
        stream.read_to_string(&mut reply).unwrap();
        assert!(reply.starts_with("HTTP/1.1 200 OK\r\n"), "{reply}");
        assert!(
            reply.contains("Content-Type: application/wasm\r\n"),
            "{reply}"
        );
    }
}
