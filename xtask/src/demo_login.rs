//! The demo's stand-in for a host's own sign-in: `GET /session` answers the member session
//! the demo minted, as a portal's login would hand its signed-in member a session token.
//! trunk serves it on the page's origin at `/login/` (Trunk.toml), so the page's
//! `getToken` can ask for it; the token lives only in the page's memory.
//!
//! A real host's login checks who the member is; this one is for the demo's one seeded
//! member on loopback, and answers nothing else.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::thread;

use crate::run::XResult;

/// Where the stand-in login listens.
pub const DEMO_LOGIN_ADDR: &str = "127.0.0.1:8791";

/// Serves `session` at `GET /session` on [`DEMO_LOGIN_ADDR`] from a background thread,
/// for as long as the demo runs.
pub fn serve(session: String) -> XResult {
    let listener = TcpListener::bind(DEMO_LOGIN_ADDR)
        .map_err(|e| format!("could not listen on {DEMO_LOGIN_ADDR} for the demo login: {e}"))?;
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut request_line = String::new();
            let mut reader = BufReader::new(&stream);
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            let answer = if request_line.starts_with("GET /session ") {
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nCache-Control: no-store\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{session}",
                    session.len()
                )
            } else {
                "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".into()
            };
            let mut stream = &stream;
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    Ok(())
}
