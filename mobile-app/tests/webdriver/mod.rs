//! A small W3C WebDriver client over reqwest (keep-alive connections: WebKitWebDriver and
//! tauri-driver misbehave with `Connection: close` clients), plus the display and driver
//! processes the window tests need: Xvfb on a free display and WebKitWebDriver on a free
//! port, started with `TAURI_WEBVIEW_AUTOMATION=true` so it can drive a Tauri webview.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The W3C element reference key.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A child process killed on drop.
pub(crate) struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Starts Xvfb on the first free display from :90 (1280×800×24). Fails loudly when Xvfb is
/// missing: these tests never skip.
pub(crate) fn xvfb() -> (Proc, String) {
    for n in 90..140 {
        if Path::new(&format!("/tmp/.X{n}-lock")).exists() || Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() {
            continue;
        }
        let display = format!(":{n}");
        let child = Proc(
            Command::new("Xvfb")
                .args([display.as_str(), "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("Xvfb not found: apt-get install xvfb (scripts/test installs it)"),
        );
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() {
                return (child, display);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("Xvfb {display} did not start");
    }
    panic!("no free X display in :90..:139");
}

/// Starts WebKitWebDriver for `display` with the app's environment.
pub(crate) fn webkit_driver(display: &str, env: &[(&str, &str)]) -> (Proc, String) {
    let port = free_port();
    let mut cmd = Command::new("WebKitWebDriver");
    cmd.arg(format!("--port={port}"))
        .env("DISPLAY", display)
        .env("TAURI_WEBVIEW_AUTOMATION", "true")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let child = cmd.spawn().expect("WebKitWebDriver not found: apt-get install webkit2gtk-driver");
    (Proc(child), format!("http://127.0.0.1:{port}"))
}

/// A WebDriver session.
pub(crate) struct Session {
    http: reqwest::Client,
    base: String,
    id: String,
}

/// A found element.
#[derive(Debug, Clone)]
pub(crate) struct El(pub String);

impl Session {
    /// Opens a session that launches `app` (waits for the driver to listen).
    pub(crate) async fn start(driver: &str, app: &str) -> Self {
        zhifa_sync_client::install_crypto_provider();
        let http = reqwest::Client::builder().timeout(Duration::from_secs(90)).build().unwrap();
        let start = Instant::now();
        loop {
            match http.get(format!("{driver}/status")).send().await {
                Ok(r) if r.status().is_success() => break,
                _ if start.elapsed() > Duration::from_secs(20) => panic!("WebKitWebDriver did not answer at {driver}"),
                _ => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        let caps = json!({"capabilities": {"alwaysMatch": {"webkitgtk:browserOptions": {"binary": app, "args": []}}}});
        let v: Value = http.post(format!("{driver}/session")).json(&caps).send().await.unwrap().json().await.unwrap();
        let id = v["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("new session failed: {v}")).to_owned();
        Self { http, base: format!("{driver}/session/{id}"), id }
    }

    async fn cmd(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let v: Value = req.send().await.unwrap().json().await.unwrap();
        v["value"].clone()
    }

    async fn try_find(&self, css: &str) -> Option<El> {
        let v = self.cmd(reqwest::Method::POST, "/element", Some(json!({"using": "css selector", "value": css}))).await;
        v.get(ELEMENT).and_then(Value::as_str).map(|s| El(s.to_owned()))
    }

    /// Waits up to `secs` for an element matching `css`.
    pub(crate) async fn wait(&self, css: &str, secs: u64) -> El {
        let start = Instant::now();
        loop {
            if let Some(e) = self.try_find(css).await {
                return e;
            }
            if start.elapsed() > Duration::from_secs(secs) {
                let body = self.text_of("body").await;
                panic!("no element {css} after {secs} s; page text: {body}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// All elements matching `css`.
    pub(crate) async fn all(&self, css: &str) -> Vec<El> {
        let v =
            self.cmd(reqwest::Method::POST, "/elements", Some(json!({"using": "css selector", "value": css}))).await;
        v.as_array()
            .map(|a| {
                a.iter().filter_map(|e| e.get(ELEMENT).and_then(Value::as_str)).map(|s| El(s.to_owned())).collect()
            })
            .unwrap_or_default()
    }

    /// Clicks (scrolled into view first).
    pub(crate) async fn click(&self, e: &El) {
        let v = self.try_click(e).await;
        assert!(v.is_null(), "click failed: {v}");
    }

    async fn try_click(&self, e: &El) -> Value {
        self.exec("arguments[0].scrollIntoView({block: 'center'});", vec![json!({ELEMENT: e.0})]).await;
        self.cmd(reqwest::Method::POST, &format!("/element/{}/click", e.0), Some(json!({}))).await
    }

    /// Waits for `css` and clicks it. The page re-renders parts after every saved answer, so
    /// an element found a moment ago may be replaced: then it is found again and clicked.
    pub(crate) async fn tap(&self, css: &str) {
        for _ in 0..50 {
            let e = self.wait(css, 30).await;
            let v = self.try_click(&e).await;
            if v.is_null() {
                return;
            }
            let stale = v.get("error").and_then(Value::as_str).is_some_and(|x| x.contains("stale"));
            assert!(stale, "click on {css} failed: {v}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{css} kept being replaced");
    }

    /// Types into an element.
    pub(crate) async fn type_into(&self, e: &El, text: &str) {
        let v = self.cmd(reqwest::Method::POST, &format!("/element/{}/value", e.0), Some(json!({"text": text}))).await;
        assert!(v.is_null(), "send keys failed: {v}");
    }

    /// Clears a field.
    pub(crate) async fn clear(&self, e: &El) {
        self.cmd(reqwest::Method::POST, &format!("/element/{}/clear", e.0), Some(json!({}))).await;
    }

    /// Visible text of an element.
    pub(crate) async fn text(&self, e: &El) -> String {
        self.cmd(reqwest::Method::GET, &format!("/element/{}/text", e.0), None).await.as_str().unwrap_or("").to_owned()
    }

    /// Text of the first element matching `css` (empty when none).
    pub(crate) async fn text_of(&self, css: &str) -> String {
        match self.try_find(css).await {
            Some(e) => self.text(&e).await,
            None => String::new(),
        }
    }

    /// Waits until the text of `css` satisfies `ok`.
    pub(crate) async fn wait_text(&self, css: &str, secs: u64, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let t = self.text_of(css).await;
            if ok(&t) {
                return t;
            }
            if start.elapsed() > Duration::from_secs(secs) {
                let body = self.text_of("body").await;
                panic!("text of {css} never matched; last {t:?}; page: {body}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Runs a script.
    pub(crate) async fn exec(&self, script: &str, args: Vec<Value>) -> Value {
        self.cmd(reqwest::Method::POST, "/execute/sync", Some(json!({"script": script, "args": args}))).await
    }

    /// A screenshot (PNG) after two animation frames, so it shows the current state.
    pub(crate) async fn screenshot(&self) -> Vec<u8> {
        let frames = "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));";
        self.cmd(reqwest::Method::POST, "/execute/async", Some(json!({"script": frames, "args": []}))).await;
        let v = self.cmd(reqwest::Method::GET, "/screenshot", None).await;
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.decode(v.as_str().unwrap()).unwrap()
    }

    /// Runs `action` (a JS statement) in the page and resolves, in milliseconds measured by the
    /// page's own clock, when an element matching `done_css` exists and a frame was painted.
    /// For benchmarks: no WebDriver polling in the figure.
    pub(crate) async fn timed(&self, action: &str, done_css: &str) -> f64 {
        let script = format!(
            "const done = arguments[arguments.length - 1]; const t0 = performance.now(); {action}; \
             const check = () => document.querySelector({sel}) \
               ? requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t0))) \
               : setTimeout(check, 1); check();",
            sel = serde_json::to_string(done_css).unwrap()
        );
        let v = self.cmd(reqwest::Method::POST, "/execute/async", Some(json!({"script": script, "args": []}))).await;
        v.as_f64().unwrap_or_else(|| panic!("timed {action}: {v}"))
    }

    /// Ends the session (the app closes).
    pub(crate) async fn close(self) {
        let _ = self.http.delete(&self.base).send().await;
    }

    /// Session id.
    pub(crate) fn id(&self) -> &str {
        &self.id
    }
}
