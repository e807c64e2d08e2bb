//! Child processes that cannot outlive the test binary, and the small probes tests wait with.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Waits until something accepts connections on 127.0.0.1:`port`.
pub fn wait_for_port(port: u16, timeout: Duration) -> Result<()> {
    let deadline = Instant::now() + timeout;
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            bail!("nothing listens on port {port} after {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(())
}

/// Waits until `f` returns true, polling every 100 ms; returns its last answer.
pub fn wait_until(timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    f()
}

/// The status code of `GET path` on 127.0.0.1:`port`, or `None` when nothing answers.
///
/// A readiness probe only (one request, `Connection: close`); tests talk to the REST API
/// with a real HTTP client.
pub fn http_status(port: u16, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).ok()?;
    // "HTTP/1.1 200"
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}

/// A child process in a process group of its own, killed with its whole group (a launcher
/// script and the JVM it started, say) when dropped, or when the test binary exits first.
pub struct Watched {
    child: Child,
    watcher: Option<Child>,
    cleanup: Option<PathBuf>,
    what: String,
}

impl Watched {
    /// Spawns `cmd` in a new process group. `cleanup` is a directory removed once it stopped.
    pub fn spawn(mut cmd: Command, what: &str, cleanup: Option<PathBuf>) -> Result<Watched> {
        cmd.process_group(0);
        let child = cmd.spawn().with_context(|| format!("starting {what}"))?;
        let group = child.id().to_string();
        let parent = std::process::id().to_string();
        let dir = cleanup
            .as_ref()
            .map(|d| d.display().to_string())
            .unwrap_or_default();
        // Statics (a broker shared by a test binary) are never dropped: this loop is what stops
        // them when the binary exits, however it exits.
        let watcher = Command::new("sh")
            .args([
                "-c",
                r#"while kill -0 "$0" 2>/dev/null && kill -0 "$1" 2>/dev/null; do sleep 1; done
                   kill -9 -"$1" 2>/dev/null; [ -n "$2" ] && rm -rf "$2"; exit 0"#,
                &parent,
                &group,
                &dir,
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok();
        Ok(Watched {
            child,
            watcher,
            cleanup,
            what: what.to_owned(),
        })
    }

    /// The leader's process id (also the group's id).
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Whether the leader has exited; its exit status if so.
    pub fn try_wait(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Fails with `what`'s name when the leader has already exited.
    pub fn check_running(&mut self) -> Result<()> {
        if let Some(status) = self.try_wait() {
            bail!("{} exited early ({status})", self.what);
        }
        Ok(())
    }

    /// Sends `signal` (such as `TERM` or `KILL`) to the whole group.
    pub fn signal(&self, signal: &str) {
        let _ = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg("--")
            .arg(format!("-{}", self.child.id()))
            .stderr(Stdio::null())
            .status();
    }

    /// SIGTERM to the group, then waits up to `grace` before SIGKILL; the leader's exit code.
    pub fn terminate(&mut self, grace: Duration) -> Option<i32> {
        self.signal("TERM");
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            if let Some(status) = self.try_wait() {
                self.signal("KILL");
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.kill9();
        None
    }

    /// SIGKILL to the whole group, and reaps the leader.
    pub fn kill9(&mut self) {
        self.signal("KILL");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        self.kill9();
        if let Some(mut w) = self.watcher.take() {
            let _ = w.kill();
            let _ = w.wait();
        }
        if let Some(dir) = &self.cleanup {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
