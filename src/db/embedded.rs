//! The private PostgreSQL cluster used when no `DATABASE_URL` is given: created with the installed
//! PostgreSQL's `initdb`, started with `pg_ctl`, listening only on a Unix socket inside its own data
//! directory (so it never clashes with another server's port), and reused by later runs. PostgreSQL
//! refuses to run as root, so as root the cluster belongs to the `postgres` user and every command
//! runs through `runuser -u postgres`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// Port number only names the socket file (`.s.PGSQL.<port>`); no TCP port is opened.
const SOCKET_PORT: u16 = 5432;
/// Unix socket paths are limited to 107 bytes.
const MAX_SOCKET_PATH: usize = 100;

#[derive(Debug, Clone)]
pub struct EmbeddedCluster {
    pub data_dir: PathBuf,
    bin_dir: PathBuf,
    run_as_postgres: bool,
}

/// Extra settings for throwaway clusters (tests, benchmarks): durability traded for speed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    Durable,
    Throwaway,
}

impl EmbeddedCluster {
    /// Locates the PostgreSQL binaries and decides where the cluster lives. As root, a data
    /// directory the `postgres` user cannot reach (e.g. under /root) is replaced by one in the
    /// system temp dir, named after the requested path so that the choice is stable.
    pub fn locate(data_dir: &Path, bin_dir: Option<&Path>) -> Result<EmbeddedCluster> {
        let bin_dir = match bin_dir {
            Some(dir) => dir.to_path_buf(),
            None => find_bin_dir()?,
        };
        if !bin_dir.join("initdb").is_file() || !bin_dir.join("pg_ctl").is_file() {
            bail!(
                "no initdb and pg_ctl in {} (set database.pg_bin_dir to PostgreSQL's bin directory)",
                bin_dir.display()
            );
        }
        let run_as_postgres = nix::unistd::geteuid().is_root();
        let mut data_dir = absolute(data_dir)?;
        if run_as_postgres && !postgres_can_reach(&data_dir) {
            let fallback = std::env::temp_dir().join(format!(
                "creator-bot-pg-{:016x}",
                stable_hash(data_dir.to_string_lossy().as_bytes())
            ));
            tracing::info!(
                requested = %data_dir.display(),
                using = %fallback.display(),
                "the postgres user cannot reach the data directory; using a temp directory"
            );
            data_dir = fallback;
        }
        let socket = data_dir.join(format!(".s.PGSQL.{SOCKET_PORT}"));
        if socket.as_os_str().len() > MAX_SOCKET_PATH {
            bail!(
                "the database data directory {} is too deep for a Unix socket; choose a shorter database.data_dir",
                data_dir.display()
            );
        }
        Ok(EmbeddedCluster {
            data_dir,
            bin_dir,
            run_as_postgres,
        })
    }

    /// Creates the cluster if needed and starts it unless it is already running. Safe to call
    /// from several processes at once: a lock file next to the data directory serialises them.
    pub fn ensure_running(&self, durability: Durability) -> Result<()> {
        let parent = self
            .data_dir
            .parent()
            .context("the data directory has no parent")?;
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
        let lock_path = parent.join(format!(
            ".{}.lock",
            self.data_dir
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
        ));
        let lock = std::fs::File::create(&lock_path)
            .with_context(|| format!("creating lock file {}", lock_path.display()))?;
        fs2::FileExt::lock_exclusive(&lock).context("locking the database directory")?;
        let result = self.ensure_running_locked(durability);
        let _ = fs2::FileExt::unlock(&lock);
        result
    }

    fn ensure_running_locked(&self, durability: Durability) -> Result<()> {
        if !self.data_dir.join("PG_VERSION").is_file() {
            self.init(durability)?;
        }
        if self.is_running()? {
            return Ok(());
        }
        // A server killed without a clean stop leaves its pid file behind; pg_ctl copes with it.
        let log = self.data_dir.join("server.log");
        let status = self
            .command("pg_ctl")
            .arg("start")
            .arg("-D")
            .arg(&self.data_dir)
            .arg("-l")
            .arg(&log)
            .args(["-w", "-t", "60", "-s"])
            .status()
            .context("running pg_ctl start")?;
        if !status.success() {
            let tail = std::fs::read_to_string(&log).unwrap_or_default();
            let tail: Vec<&str> = tail.lines().rev().take(10).collect();
            bail!(
                "PostgreSQL did not start in {}:\n{}",
                self.data_dir.display(),
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
        Ok(())
    }

    fn init(&self, durability: Durability) -> Result<()> {
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("creating {}", self.data_dir.display()))?;
        if self.run_as_postgres {
            let user = nix::unistd::User::from_name("postgres")
                .context("looking up the postgres user")?
                .context("running as root needs a 'postgres' user to own the database")?;
            nix::unistd::chown(&self.data_dir, Some(user.uid), Some(user.gid))
                .with_context(|| format!("giving {} to postgres", self.data_dir.display()))?;
        }
        let mut initdb = self.command("initdb");
        initdb
            .arg("-D")
            .arg(&self.data_dir)
            .args([
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
            ])
            .stdout(std::process::Stdio::null());
        if durability == Durability::Throwaway {
            initdb.arg("--no-sync");
        }
        let output = initdb.output().context("running initdb")?;
        if !output.status.success() {
            bail!(
                "initdb failed for {}: {}",
                self.data_dir.display(),
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        // An orders import writes about a gigabyte of WAL per million lines: with the default
        // max_wal_size (1 GB) it would checkpoint every few seconds while it runs.
        let mut settings = format!(
            "\n# creator-bot private cluster\nlisten_addresses = ''\nunix_socket_directories = '{}'\nport = {}\nmax_connections = 200\nshared_buffers = 256MB\nwork_mem = 32MB\nmaintenance_work_mem = 256MB\nmax_wal_size = 4GB\n",
            self.data_dir.display(),
            SOCKET_PORT
        );
        if durability == Durability::Throwaway {
            settings.push_str("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n");
        }
        let conf = self.data_dir.join("postgresql.conf");
        let mut text = std::fs::read_to_string(&conf)
            .with_context(|| format!("reading {}", conf.display()))?;
        text.push_str(&settings);
        std::fs::write(&conf, text).with_context(|| format!("writing {}", conf.display()))?;
        Ok(())
    }

    pub fn is_running(&self) -> Result<bool> {
        let status = self
            .command("pg_ctl")
            .arg("status")
            .arg("-D")
            .arg(&self.data_dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .context("running pg_ctl status")?;
        Ok(status.success())
    }

    pub fn stop(&self) -> Result<bool> {
        if !self.data_dir.join("PG_VERSION").is_file() || !self.is_running()? {
            return Ok(false);
        }
        let status = self
            .command("pg_ctl")
            .arg("stop")
            .arg("-D")
            .arg(&self.data_dir)
            .args(["-m", "fast", "-w", "-s"])
            .status()
            .context("running pg_ctl stop")?;
        if !status.success() {
            bail!("pg_ctl could not stop {}", self.data_dir.display());
        }
        Ok(true)
    }

    /// URL of `database` in this cluster, over its socket.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://postgres@localhost/{database}?host={}&port={SOCKET_PORT}",
            self.data_dir.display()
        )
    }

    fn command(&self, program: &str) -> Command {
        let path = self.bin_dir.join(program);
        if self.run_as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }
}

fn find_bin_dir() -> Result<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((v, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Ok(bin);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        if dir.join("initdb").is_file() && dir.join("pg_ctl").is_file() {
            return Ok(dir);
        }
    }
    bail!(
        "PostgreSQL's initdb was not found (looked in /usr/lib/postgresql/*/bin and PATH); install PostgreSQL, set database.pg_bin_dir, or set DATABASE_URL"
    )
}

fn absolute(path: &Path) -> Result<PathBuf> {
    if path.is_absolute() {
        Ok(path.to_path_buf())
    } else {
        Ok(std::env::current_dir()
            .context("reading the current directory")?
            .join(path))
    }
}

/// Whether the postgres user can traverse to `dir`: root creates the missing directories (mode
/// 755) and hands only the data directory to postgres, so the deepest existing ancestor decides.
fn postgres_can_reach(dir: &Path) -> bool {
    let mut probe = dir.to_path_buf();
    while !probe.exists() {
        match probe.parent() {
            Some(p) => probe = p.to_path_buf(),
            None => return false,
        }
    }
    Command::new("runuser")
        .args(["-u", "postgres", "--", "test", "-x"])
        .arg(&probe)
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

fn stable_hash(bytes: &[u8]) -> u64 {
    // FNV-1a: stable across runs and Rust versions, unlike DefaultHasher.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}
