//! Headless Chromium for tests: Debian's `chromium` driven through `chromedriver` with the
//! fantoccini WebDriver client, plus Chrome DevTools Protocol commands sent through
//! chromedriver's `goog/cdp/execute` endpoint (dark scheme, scripts off, init scripts).
//!
//! [`Chromedriver`] owns the driver process: started on a port it picks itself (`--port=0`,
//! local connections only), killed through its child handle on drop. Each session gets a fresh
//! profile folder, so no state leaks between sessions or runs.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};

pub const CHROMIUM: &str = "/usr/bin/chromium";

/// What `GUIDESMITH_REQUIRE_BROWSER=1` turns from a skip into a failure.
pub fn find_browser() -> Result<(PathBuf, PathBuf), String> {
    let chromium = PathBuf::from(CHROMIUM);
    if !chromium.is_file() {
        return Err(format!(
            "{CHROMIUM} not found (apt-get install chromium chromium-driver)"
        ));
    }
    let driver = find_on_path("chromedriver")
        .ok_or("chromedriver not found on PATH (apt-get install chromium-driver)")?;
    Ok((chromium, driver))
}

/// `found`, or `None` after a visible skip message naming `what` could not run; with
/// `GUIDESMITH_REQUIRE_BROWSER=1` (set by scripts/test.sh, so by CI) a missing browser fails
/// the test instead of skipping it.
pub fn or_skip<T>(found: Result<T, String>, what: &str) -> Option<T> {
    match found {
        Ok(tools) => Some(tools),
        Err(why) if std::env::var("GUIDESMITH_REQUIRE_BROWSER").as_deref() == Ok("1") => {
            panic!("GUIDESMITH_REQUIRE_BROWSER=1 but {what} cannot run: {why}")
        }
        Err(why) => {
            use std::io::Write;
            // Straight to the stderr handle: libtest hides `eprintln!` of passing tests.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED {what}: {why}. Set GUIDESMITH_REQUIRE_BROWSER=1 to make this a failure."
            );
            None
        }
    }
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

pub struct Chromedriver {
    child: Child,
    pub url: String,
    chromium: PathBuf,
    profiles: Vec<tempfile::TempDir>,
    /// Sessions opened, ended on drop so no browser outlives a failed test.
    sessions: Vec<String>,
}

impl Chromedriver {
    pub fn start(driver: &Path, chromium: &Path) -> Result<Chromedriver, String> {
        let mut child = Command::new(driver)
            .arg("--port=0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("starting {}: {e}", driver.display()))?;
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        // Read the port from the banner, then keep draining so the driver never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if !sent && let Some(port) = line.split("successfully on port ").nth(1) {
                    let _ = tx.send(port.trim_end_matches('.').trim().to_string());
                    sent = true;
                }
            }
        });
        let mut driver = Chromedriver {
            child,
            url: String::new(),
            chromium: chromium.to_path_buf(),
            profiles: Vec::new(),
            sessions: Vec::new(),
        };
        match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(port) => driver.url = format!("http://127.0.0.1:{port}/"),
            Err(_) => return Err("chromedriver did not report its port within 20 s".into()),
        }
        Ok(driver)
    }

    /// A new browser session (its own profile) with a window of `width` × `height` CSS pixels.
    pub async fn session(&mut self, width: u32, height: u32) -> Result<Client, String> {
        let profile = tempfile::tempdir().map_err(|e| e.to_string())?;
        let args = vec![
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-background-networking".into(),
            "--disable-dev-shm-usage".into(),
            "--no-first-run".into(),
            "--force-device-scale-factor=1".into(),
            format!("--window-size={width},{height}"),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        self.profiles.push(profile);
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert(
            "goog:chromeOptions".into(),
            json!({ "binary": self.chromium, "args": args }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&self.url)
            .await
            .map_err(|e| format!("opening a chromium session: {e}"))?;
        if let Ok(Some(id)) = client.session_id().await {
            self.sessions.push(id);
        }
        Ok(client)
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // Ending a session makes chromedriver quit its browser; one already closed just errors.
        for id in &self.sessions {
            let _ = delete_session(&self.url, id);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `DELETE /session/{id}` over plain std::net, usable from `Drop` (no async runtime needed).
fn delete_session(driver_url: &str, id: &str) -> std::io::Result<()> {
    use std::io::{Read, Write};
    let address = driver_url
        .trim_start_matches("http://")
        .trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "DELETE /session/{id} HTTP/1.1\r\nHost: {address}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    Ok(())
}

/// One Chrome DevTools Protocol command, sent through chromedriver.
#[derive(Debug)]
struct Cdp {
    cmd: String,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({ "cmd": self.cmd, "params": self.params }).to_string()),
        )
    }
}

/// Runs a DevTools command on the session's current tab and returns its result.
pub async fn cdp(client: &Client, cmd: &str, params: Value) -> Result<Value, String> {
    client
        .issue_cmd(Cdp {
            cmd: cmd.into(),
            params,
        })
        .await
        .map_err(|e| format!("CDP {cmd}: {e}"))
}

/// Runs axe-core over the page; each violation's rule and the nodes it names.
const AXE_RUN: &str = "var done = arguments[0];
 axe.run(document).then(function (r) {
   done(r.violations.map(function (v) { return v.id + ': ' + v.nodes.map(function (n) { return n.target.join(' '); }).join(', '); }));
 }, function (e) { done(['ERROR ' + e]); });";

/// Injects axe-core (`axe`: the text of axe.min.js) into the current page and runs it: one
/// line per violation, `rule: the nodes it names`.
#[allow(dead_code)]
pub async fn axe_violations(client: &Client, axe: &str) -> Result<Vec<String>, String> {
    client
        .execute(axe, vec![])
        .await
        .map_err(|e| format!("injecting axe-core: {e}"))?;
    let found = client
        .execute_async(AXE_RUN, vec![])
        .await
        .map_err(|e| format!("running axe-core: {e}"))?;
    let lines = found
        .as_array()
        .ok_or_else(|| format!("axe-core did not run: {found}"))?;
    Ok(lines
        .iter()
        .map(|l| l.as_str().unwrap_or_default().to_string())
        .collect())
}
