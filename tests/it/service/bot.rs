//! `creator-bot run` as a child process: its config, its stdout (what the console sent) and
//! stderr (its logs) collected as it runs, its HTTP endpoints, and stopping it.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::lifecycle::templates_dir;

/// Long enough for a debug build on a busy two-core machine; only a failing test waits it out.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// The knobs the service tests turn; everything else is the default config.
#[derive(Debug, Clone)]
pub struct Knobs {
    pub console_per_second: u32,
    pub lease_seconds: u32,
    /// Every job runs every minute (else jobs never run: no instant is within a catch-up of 0).
    pub jobs_every_minute: bool,
    pub shutdown_grace_seconds: u32,
}

impl Default for Knobs {
    fn default() -> Self {
        Knobs {
            console_per_second: 0,
            lease_seconds: 60,
            jobs_every_minute: false,
            shutdown_grace_seconds: 10,
        }
    }
}

/// Writes the config of program `glow` (New York) with `knobs` into `dir`.
pub fn config(dir: &Path, knobs: &Knobs) -> PathBuf {
    let cadences = if knobs.jobs_every_minute {
        let every = "\"* * * * *\"";
        format!(
            "catch_up_hours = 1\nsequences = {every}\ntiers = {every}\nall_stars_checkin = {every}\n\
             weekly_pulse = {every}\ncompetition_winners = {every}\n"
        )
    } else {
        "catch_up_hours = 0\n".to_string()
    };
    let text = format!(
        "default_program = \"glow\"\n\n[[programs]]\nslug = \"glow\"\nname = \"Glow\"\n\
         timezone = \"America/New_York\"\ncurrency = \"USD\"\n\n[lifecycle]\ntemplates_dir = {:?}\n\n\
         [run]\nlisten = \"127.0.0.1:0\"\ntick_seconds = 1\nshutdown_grace_seconds = {}\n\n\
         [dispatch]\nglobal_per_second = 0\nconsole_per_second = {}\nlease_seconds = {}\n\
         poll_interval_ms = 100\nbackoff_base_seconds = 1\n\n[cadences]\n{cadences}",
        templates_dir(),
        knobs.shutdown_grace_seconds,
        knobs.console_per_second,
        knobs.lease_seconds,
    );
    let path = dir.join("creator-bot.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// A running `creator-bot run --console`.
pub struct Bot {
    child: Child,
    stdin: Option<std::process::ChildStdin>,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
    /// `127.0.0.1:PORT`.
    pub address: String,
    /// The name its dispatcher's workers claim under (`{worker}-{n}`).
    pub worker: String,
}

fn collect(mut from: impl Read + Send + 'static) -> Arc<Mutex<String>> {
    let text = Arc::new(Mutex::new(String::new()));
    let into = text.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = from.read(&mut buf) {
            if n == 0 {
                break;
            }
            into.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    text
}

/// The value of a string field in a log line: `name="value"` (text) or `"name":"value"` (JSON).
fn field(text: &str, name: &str) -> Option<String> {
    let (at, tag) = [format!("{name}=\""), format!("\"{name}\":\"")]
        .into_iter()
        .find_map(|tag| text.find(&tag).map(|at| (at, tag)))?;
    let start = at + tag.len();
    let len = text[start..].find('"')?;
    Some(text[start..start + len].to_string())
}

impl Bot {
    /// Starts the bot (`run --console`) on `database_url` and waits until it listens.
    pub fn start(config: &Path, database_url: &str, args: &[&str]) -> Bot {
        Bot::start_with(config, database_url, args, &["run", "--console"], &[])
    }

    /// Starts `creator-bot {args} {command}` with `env` added, and waits until it listens and
    /// sends.
    pub fn start_with(
        config: &Path,
        database_url: &str,
        args: &[&str],
        command: &[&str],
        env: &[(&str, &str)],
    ) -> Bot {
        let mut child = Command::new(env!("CARGO_BIN_EXE_creator-bot"))
            .arg("--config")
            .arg(config)
            .args(args)
            .args(command)
            .envs(env.iter().copied())
            .env("DATABASE_URL", database_url)
            .env_remove("CREATOR_BOT_CONFIG")
            .env_remove("CREATOR_BOT_LOG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take();
        let stdout = collect(child.stdout.take().unwrap());
        let stderr = collect(child.stderr.take().unwrap());
        let mut bot = Bot {
            child,
            stdin,
            stdout,
            stderr,
            address: String::new(),
            worker: String::new(),
        };
        let started = Instant::now();
        loop {
            let logs = bot.logs();
            let listening = logs
                .find("listening on http://")
                .map(|i| &logs[i + "listening on http://".len()..]);
            let address = listening.map(|rest| {
                rest.chars()
                    .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ':')
                    .collect::<String>()
            });
            if let (Some(address), Some(worker)) = (address, field(&logs, "worker")) {
                bot.address = address;
                bot.worker = worker;
                return bot;
            }
            if let Ok(Some(status)) = bot.child.try_wait() {
                panic!("the bot exited ({status}) before listening:\n{logs}");
            }
            assert!(
                started.elapsed() < PATIENCE,
                "the bot did not start:\n{logs}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// Everything it logged so far.
    pub fn logs(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Everything the console printed so far.
    pub fn printed(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    /// The test messages it sent so far (`message 0042`), in order.
    pub fn sent(&self) -> Vec<String> {
        test_messages(&self.printed())
    }

    /// Types a line on the console.
    pub fn type_line(&mut self, line: &str) {
        use std::io::Write;
        let stdin = self.stdin.as_mut().unwrap();
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
    }

    /// Waits until it sent at least `n` test messages.
    pub async fn wait_sent(&self, n: usize) {
        let started = Instant::now();
        while self.sent().len() < n {
            assert!(
                started.elapsed() < PATIENCE,
                "sent {} of {n}:\n{}",
                self.sent().len(),
                self.logs()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    pub fn terminate(&self) {
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(self.pid()),
            nix::sys::signal::Signal::SIGTERM,
        )
        .unwrap();
    }

    /// kill -9, and waits for the process to be gone.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Waits for it to exit; its exit code (`None`: killed by a signal).
    pub async fn exit_code(&mut self) -> Option<i32> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Let the reader threads take the last output.
                tokio::time::sleep(Duration::from_millis(50)).await;
                return status.code();
            }
            assert!(
                started.elapsed() < PATIENCE,
                "the bot did not exit:\n{}",
                self.logs()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        get(&self.address, path).await
    }
}

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `message NNNN` of every test message in a console transcript, in order.
pub fn test_messages(printed: &str) -> Vec<String> {
    printed
        .lines()
        .filter_map(|l| l.split_once("#staff: message ").map(|(_, n)| n))
        .map(|n| format!("message {n}"))
        .collect()
}

/// A plain HTTP/1.1 GET: status and body.
pub async fn get(address: &str, path: &str) -> (u16, String) {
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(address).await?;
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await?;
        Ok::<_, std::io::Error>(String::from_utf8_lossy(&response).into_owned())
    };
    let response = tokio::time::timeout(PATIENCE, exchange)
        .await
        .expect("the HTTP request timed out")
        .expect("the HTTP request failed");
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {response:?}"));
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// Asks `path` until it answers `status`; returns the body.
pub async fn wait_status(address: &str, path: &str, status: u16) -> String {
    let started = Instant::now();
    loop {
        let (got, body) = get(address, path).await;
        if got == status {
            return body;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "{path} answered {got} {body}, not {status}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
