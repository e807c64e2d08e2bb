//! REST robustness: thousands of randomized malformed requests (bad JSON, wrong types, huge
//! bodies, odd paths and methods, unicode names) against a running worker. Every answer must
//! be a 4xx/5xx `{"error_code", "message"}` JSON error, and the worker must still serve
//! afterwards.

#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};

/// A small deterministic PRNG (xorshift64*), so failures can be replayed from the seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const ODD_NAMES: &[&str] = &[
    "ünïcödé",
    "名前",
    "😀",
    "a b",
    "..",
    "%00",
    "x%2Fy",
    "-1",
    "\u{7f}",
    "名前%20😀",
    "a?b",
    "a#b",
    "",
];

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn random_name(rng: &mut Rng) -> String {
    let name = random_name_raw(rng);
    // `.` and `..` segments are resolved by the client's URL parser (even percent-encoded, as
    // the URL standard says), so the request would not reach the path under test.
    if name.trim_matches(|c| c == '.').is_empty()
        || name.replace("%2E", ".").trim_matches('.').is_empty()
    {
        return format!("{name}x");
    }
    name
}

fn random_name_raw(rng: &mut Rng) -> String {
    match rng.below(3) {
        0 => encode(ODD_NAMES[rng.below(ODD_NAMES.len())]),
        1 => {
            let n = 1 + rng.below(20);
            let s: String = (0..n)
                .map(|_| char::from_u32(0x20 + (rng.next() % 0x2FF) as u32).unwrap_or('x'))
                .collect();
            encode(&s)
        }
        _ => format!("nope-{}", rng.next() % 1000),
    }
}

fn malformed_body(rng: &mut Rng) -> String {
    match rng.below(12) {
        0 => "{".to_owned(),
        1 => "[]".to_owned(),
        2 => "null".to_owned(),
        3 => "\"string\"".to_owned(),
        4 => "{\"name\": 5, \"config\": \"x\"}".to_owned(),
        5 => "{\"config\": {\"a\": {\"nested\": 1}}}".to_owned(),
        6 => "{\"offsets\": {}}".to_owned(),
        7 => "{\"level\": [1,2]}".to_owned(),
        8 => {
            let n = rng.below(200);
            (0..n).map(|_| (rng.next() % 256) as u8 as char).collect()
        }
        9 => "{\"a\": \"\u{0}\", ".to_owned(),
        10 => format!(
            "{{\"name\": \"{}\", \"config\": [1]}}",
            "x".repeat(rng.below(5000))
        ),
        _ => "{\"initial_state\": \"SIDEWAYS\", \"name\": \"z\", \"config\": {}}".to_owned(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_requests_get_json_errors_and_the_worker_survives() {
    let broker = Broker::start();
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let worker = worker_properties(dir.path(), &broker.bootstrap, port, &[]);
    let mut connect = ConnectProcess::start(&worker, &[], port, &dir.path().join("connect.log"));
    let base = connect.rest.clone();
    // A fresh connection per request: after an oversized body the server answers and closes
    // the connection, and a pooled connection could be reused just as it is being closed,
    // which is a client-side race, not a server failure.
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();

    let seed = std::env::var("REST_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5EED_1234_ABCD_u64);
    let mut rng = Rng(seed);
    let body_paths = [
        ("POST", "/connectors".to_owned()),
        ("PUT", "/connectors/{n}/config".to_owned()),
        ("PATCH", "/connectors/{n}/config".to_owned()),
        ("PATCH", "/connectors/{n}/offsets".to_owned()),
        ("PUT", "/connector-plugins/{n}/config/validate".to_owned()),
        (
            "PUT",
            "/connector-plugins/FileStreamSink/config/validate".to_owned(),
        ),
        ("PUT", "/admin/loggers/{n}".to_owned()),
    ];
    let name_paths = [
        ("GET", "/connectors/{n}"),
        ("DELETE", "/connectors/{n}"),
        ("GET", "/connectors/{n}/config"),
        ("GET", "/connectors/{n}/status"),
        ("GET", "/connectors/{n}/tasks"),
        ("GET", "/connectors/{n}/tasks-config"),
        ("GET", "/connectors/{n}/tasks/{n}/status"),
        ("POST", "/connectors/{n}/tasks/{n}/restart"),
        ("POST", "/connectors/{n}/restart?includeTasks=true"),
        ("POST", "/connectors/{n}/restart"),
        ("PUT", "/connectors/{n}/pause"),
        ("PUT", "/connectors/{n}/resume"),
        ("PUT", "/connectors/{n}/stop"),
        ("GET", "/connectors/{n}/offsets"),
        ("DELETE", "/connectors/{n}/offsets"),
        ("GET", "/connector-plugins/{n}/config"),
        ("GET", "/admin/loggers/{n}"),
        ("GET", "/{n}/{n}/{n}"),
        ("GET", "/connectors/{n}/{n}/{n}/{n}"),
    ];
    let odd_methods = ["PROPFIND", "FOO", "TRACE", "DELETE", "PATCH", "POST"];
    let odd_method_paths = [
        "/",
        "/health",
        "/connector-plugins",
        "/admin/loggers",
        "/openapi.json",
    ];

    let total = 1200;
    let mut counts = [0usize; 6];
    for i in 0..total {
        let kind = rng.below(4);
        let (method, path, body, content_type): (String, String, Option<String>, &str) = match kind
        {
            0 => {
                let (m, p) = rng.pick(&body_paths).clone();
                let p = p.replace("{n}", &random_name(&mut rng));
                let ct = *rng.pick(&[
                    "application/json",
                    "application/json",
                    "text/plain",
                    "application/x-www-form-urlencoded",
                ]);
                (m.to_owned(), p, Some(malformed_body(&mut rng)), ct)
            }
            1 => {
                let (m, p) = *rng.pick(&name_paths);
                let mut p = p.to_owned();
                while p.contains("{n}") {
                    let n = random_name(&mut rng);
                    p = p.replacen("{n}", &n, 1);
                }
                (m.to_owned(), p, None, "application/json")
            }
            2 => {
                let m = *rng.pick(&odd_methods);
                let p = *rng.pick(&odd_method_paths);
                (
                    m.to_owned(),
                    p.to_owned(),
                    Some("{}".to_owned()),
                    "application/json",
                )
            }
            _ => {
                // Huge bodies (beyond the 2 MiB limit now and then) and deep nesting.
                let (m, p) = rng.pick(&body_paths).clone();
                let p = p.replace("{n}", "huge");
                let body = if rng.below(2) == 0 {
                    format!(
                        "{{\"a\": \"{}\"",
                        "x".repeat(100_000 + rng.below(3_000_000))
                    )
                } else {
                    format!("{}{}", "[".repeat(200_000), "]".repeat(rng.below(10)))
                };
                (m.to_owned(), p, Some(body), "application/json")
            }
        };
        let url = format!("{base}{path}");
        let mut req = client.request(
            reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
            &url,
        );
        if let Some(b) = body {
            req = req.header("Content-Type", content_type).body(b);
        }
        let resp = match req.send().await {
            Ok(r) => r,
            // The server may close the connection on an oversized body before reading it.
            Err(e) if kind == 3 => {
                counts[5] += 1;
                let _ = e;
                continue;
            }
            Err(e) => panic!("request {i} {method} {path}: {e}"),
        };
        let status = resp.status().as_u16();
        let ctype = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let text = resp.text().await.unwrap_or_default();
        if method == "TRACE" || method == "HEAD" {
            // No body to check beyond the status.
        }
        assert!(
            status >= 400,
            "request {i} {method} {path} succeeded with {status}: {text}"
        );
        assert!(
            ctype.starts_with("application/json"),
            "request {i} {method} {path} answered {status} with content type {ctype:?}: {text}"
        );
        let v: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("request {i} {method} {path}: not JSON ({e}): {text}"));
        assert_eq!(
            v["error_code"],
            json!(status),
            "request {i} {method} {path}: {v}"
        );
        assert!(v["message"].is_string(), "request {i}: {v}");
        counts[kind] += 1;
        if status >= 500 {
            counts[4] += 1;
        }
    }
    eprintln!(
        "sent {total} requests (bodies {}, names {}, methods {}, huge {}; 5xx {}; dropped huge {})",
        counts[0], counts[1], counts[2], counts[3], counts[4], counts[5]
    );
    assert!(counts[..4].iter().sum::<usize>() >= 1000);

    // Still serving, and nothing was created.
    let r = client.get(format!("{base}/")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let r = client
        .get(format!("{base}/connectors"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap(), json!([]));
    assert!(
        connect.child.try_wait().unwrap().is_none(),
        "the worker exited"
    );
    let _ = connect.terminate();
}
