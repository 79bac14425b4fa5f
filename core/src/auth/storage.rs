//! Where credentials live between runs: [`MemoryStorage`] and [`FileStorage`].
//!
//! `FileStorage` is the one place in the core that touches the file system. It is not a
//! runtime or a network client: it is a small, synchronous, local persistence format that
//! every transport (and every CLI) must agree on byte for byte, so it lives here once rather
//! than in each transport. It is compiled only where `std::fs` exists (not on `wasm32`).

use super::types::Credentials;
use crate::credentials::Secret;
use crate::error::Error;
use std::fmt;
use std::sync::{Arc, Mutex};

/// A held advisory lock; dropping it releases the lock.
pub struct StorageLock(#[allow(dead_code)] Box<dyn Send>);

impl StorageLock {
    /// Wraps any guard whose drop releases the lock.
    pub fn new(guard: impl Send + 'static) -> Self {
        StorageLock(Box::new(guard))
    }
}

impl fmt::Debug for StorageLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StorageLock")
    }
}

/// Persistence of one set of [`Credentials`].
pub trait TokenStorage: Send + Sync + fmt::Debug {
    /// The stored credentials, `None` when there are none (or they are unreadable as data).
    fn load(&self) -> Result<Option<Credentials>, Error>;
    /// Replaces the stored credentials.
    fn save(&self, credentials: &Credentials) -> Result<(), Error>;
    /// Forgets the stored credentials; clearing empty storage succeeds.
    fn clear(&self) -> Result<(), Error>;
    /// Takes an exclusive advisory lock shared with other processes, if the storage has one.
    ///
    /// The token manager holds it around re-reading, refreshing and saving.
    fn lock(&self) -> Result<Option<StorageLock>, Error> {
        Ok(None)
    }
}

/// Credentials held in memory only (lost when the process ends).
#[derive(Debug, Default, Clone)]
pub struct MemoryStorage(Arc<Mutex<Option<Credentials>>>);

impl MemoryStorage {
    /// Empty storage.
    pub fn new() -> Self {
        Self::default()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl TokenStorage for MemoryStorage {
    fn load(&self) -> Result<Option<Credentials>, Error> {
        Ok(lock(&self.0).clone())
    }
    fn save(&self, credentials: &Credentials) -> Result<(), Error> {
        *lock(&self.0) = Some(credentials.clone());
        Ok(())
    }
    fn clear(&self) -> Result<(), Error> {
        *lock(&self.0) = None;
        Ok(())
    }
}

/// The on-disk JSON shape; `identity_base_url` is read but never written.
#[derive(serde::Serialize)]
struct FileFormat<'a> {
    access_token: &'a str,
    refresh_token: &'a str,
    workspace_id: &'a str,
    expires_at: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<&'a str>,
}

/// Serialises credentials in the file format: pretty JSON, 2-space indent, trailing newline.
pub fn to_file_json(c: &Credentials) -> String {
    let f = FileFormat {
        access_token: c.access_token.expose(),
        refresh_token: c.refresh_token.expose(),
        workspace_id: &c.workspace_id,
        expires_at: c.expires_at,
        scope: c.scope.as_deref(),
    };
    let mut text = serde_json::to_string_pretty(&f).unwrap_or_default();
    text.push('\n');
    text
}

/// Why [`from_file_json`] found no credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileProblem {
    /// The text is not JSON at all (warn about it).
    Malformed,
    /// Valid JSON, but a required field is missing or has the wrong type.
    MissingFields,
}

/// Reads the file format: required `access_token`, `refresh_token`, `workspace_id` (strings)
/// and `expires_at` (a number of Unix seconds); optional `scope`.
pub fn from_file_json(text: &str) -> Result<Credentials, FileProblem> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|_| FileProblem::Malformed)?;
    let s = |k: &str| v.get(k).and_then(serde_json::Value::as_str);
    let expires_at = v
        .get("expires_at")
        .and_then(|n| {
            n.as_u64().or_else(|| {
                n.as_f64()
                    .filter(|f| f.is_finite() && *f >= 0.0)
                    .map(|f| f as u64)
            })
        })
        .ok_or(FileProblem::MissingFields)?;
    Ok(Credentials {
        access_token: Secret::new(s("access_token").ok_or(FileProblem::MissingFields)?),
        refresh_token: Secret::new(s("refresh_token").ok_or(FileProblem::MissingFields)?),
        workspace_id: s("workspace_id")
            .ok_or(FileProblem::MissingFields)?
            .to_owned(),
        expires_at,
        scope: s("scope").map(str::to_owned),
    })
}

#[cfg(not(target_arch = "wasm32"))]
pub use file::FileStorage;

#[cfg(not(target_arch = "wasm32"))]
mod file {
    use super::*;
    use crate::error::ErrorKind;
    use std::io::Write;
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::Duration;

    /// How long [`FileStorage::lock`] waits for another holder before giving up.
    const LOCK_WAIT: Duration = Duration::from_secs(30);

    static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

    type WarningSink = Arc<dyn Fn(&str) + Send + Sync>;

    /// Credentials in a JSON file, `~/.amigo/credentials.json` by default.
    ///
    /// Writes are atomic (temporary file in the same folder, fsync, rename); on Unix the
    /// folder is created 0700 and the file is 0600. A malformed file reads as "no
    /// credentials" with a warning, never as an error. [`TokenStorage::lock`] is an advisory
    /// lock on the file `<path>.lock` (an operating-system file lock, released when its holder
    /// closes it or exits, so a crashed process never leaves it locked), shared by every
    /// process using the path.
    ///
    /// ```
    /// use amigo_platform_core::auth::{Credentials, FileStorage, TokenStorage};
    /// use amigo_platform_core::Secret;
    ///
    /// let dir = std::env::temp_dir().join(format!("amigo-doc-{}", std::process::id()));
    /// let storage = FileStorage::new(dir.join("credentials.json"));
    /// let creds = Credentials {
    ///     access_token: Secret::new("at"), refresh_token: Secret::new("rt"),
    ///     workspace_id: "ws1".into(), expires_at: 1_700_000_000, scope: None,
    /// };
    /// storage.save(&creds)?;
    /// assert_eq!(storage.load()?, Some(creds));
    /// storage.clear()?;
    /// assert_eq!(storage.load()?, None);
    /// # std::fs::remove_dir_all(&dir).ok();
    /// # Ok::<(), amigo_platform_core::Error>(())
    /// ```
    #[derive(Clone)]
    pub struct FileStorage {
        path: PathBuf,
        warn: WarningSink,
    }

    impl fmt::Debug for FileStorage {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("FileStorage")
                .field("path", &self.path)
                .finish()
        }
    }

    /// Without a handler, warnings go to `tracing` (feature `tracing`), never the console.
    fn default_warning(message: &str) {
        #[cfg(feature = "tracing")]
        tracing::warn!("{message}");
        #[cfg(not(feature = "tracing"))]
        let _ = message;
    }

    fn io_error(what: &str, path: &Path, e: std::io::Error) -> Error {
        Error::other(
            ErrorKind::Credentials,
            None,
            format!("{what} {}: {e}", path.display()),
        )
    }

    impl FileStorage {
        /// Storage at an explicit path.
        pub fn new(path: impl Into<PathBuf>) -> Self {
            FileStorage {
                path: path.into(),
                warn: Arc::new(default_warning),
            }
        }

        /// Storage at `<home>/.amigo/credentials.json` (`HOME`, or `USERPROFILE` on Windows).
        pub fn default_location() -> Result<Self, Error> {
            let home = std::env::var_os("HOME")
                .filter(|h| !h.is_empty())
                .or_else(|| std::env::var_os("USERPROFILE").filter(|h| !h.is_empty()))
                .ok_or_else(|| {
                    Error::credentials(
                        "cannot find the home directory for ~/.amigo/credentials.json",
                    )
                })?;
            Ok(FileStorage::new(
                PathBuf::from(home).join(".amigo").join("credentials.json"),
            ))
        }

        /// Sends warnings (a malformed file) here. Without a handler they are `tracing`
        /// warnings with the `tracing` feature and dropped without it: library code never
        /// prints to the console.
        pub fn with_warning_handler(mut self, f: impl Fn(&str) + Send + Sync + 'static) -> Self {
            self.warn = Arc::new(f);
            self
        }

        /// The credentials file.
        pub fn path(&self) -> &Path {
            &self.path
        }

        /// The advisory lock file, `<path>.lock`.
        pub fn lock_path(&self) -> PathBuf {
            let mut name = self.path.as_os_str().to_owned();
            name.push(".lock");
            PathBuf::from(name)
        }

        fn create_dir(&self) -> Result<(), Error> {
            let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) else {
                return Ok(());
            };
            let mut b = std::fs::DirBuilder::new();
            b.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
            b.create(dir)
                .map_err(|e| io_error("cannot create the folder of", &self.path, e))
        }

        /// Writes the temporary file next to the target and returns its path (step 1 of a save).
        pub(crate) fn write_temp(&self, credentials: &Credentials) -> Result<PathBuf, Error> {
            self.create_dir()?;
            let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
            let file_name = self
                .path
                .file_name()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "credentials.json".into());
            let temp = self
                .path
                .with_file_name(format!(".{file_name}.{}.{n}.tmp", std::process::id()));
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
            let write = || -> std::io::Result<()> {
                let mut f = opts.open(&temp)?;
                f.write_all(to_file_json(credentials).as_bytes())?;
                f.sync_all()
            };
            if let Err(e) = write() {
                let _ = std::fs::remove_file(&temp);
                return Err(io_error("cannot write", &temp, e));
            }
            Ok(temp)
        }
    }

    impl TokenStorage for FileStorage {
        fn load(&self) -> Result<Option<Credentials>, Error> {
            let text = match std::fs::read_to_string(&self.path) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                    (self.warn)(&format!(
                        "ignoring malformed credentials file {} (not UTF-8)",
                        self.path.display()
                    ));
                    return Ok(None);
                }
                Err(e) => return Err(io_error("cannot read", &self.path, e)),
            };
            match from_file_json(&text) {
                Ok(c) => Ok(Some(c)),
                Err(FileProblem::MissingFields) => Ok(None),
                Err(FileProblem::Malformed) => {
                    (self.warn)(&format!(
                        "ignoring malformed credentials file {} (not JSON)",
                        self.path.display()
                    ));
                    Ok(None)
                }
            }
        }

        fn save(&self, credentials: &Credentials) -> Result<(), Error> {
            let temp = self.write_temp(credentials)?;
            if let Err(e) = std::fs::rename(&temp, &self.path) {
                let _ = std::fs::remove_file(&temp);
                return Err(io_error("cannot replace", &self.path, e));
            }
            Ok(())
        }

        fn clear(&self) -> Result<(), Error> {
            match std::fs::remove_file(&self.path) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(io_error("cannot delete", &self.path, e)),
            }
        }

        fn lock(&self) -> Result<Option<StorageLock>, Error> {
            self.create_dir()?;
            let path = self.lock_path();
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create(true).truncate(false);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
            let file = opts
                .open(&path)
                .map_err(|e| io_error("cannot open the lock", &path, e))?;
            let mut waited = Duration::ZERO;
            let mut pause = Duration::from_millis(2);
            // Bounded by LOCK_WAIT. The operating system releases the lock when its holder
            // closes the file or exits, crashed or not: no stale lock to guess about.
            loop {
                match file.try_lock() {
                    Ok(()) => return Ok(Some(StorageLock::new(file))),
                    Err(std::fs::TryLockError::WouldBlock) if waited < LOCK_WAIT => {
                        std::thread::sleep(pause);
                        waited += pause;
                        pause = (pause * 2).min(Duration::from_millis(50));
                    }
                    Err(std::fs::TryLockError::WouldBlock) => {
                        return Err(Error::credentials(format!(
                            "timed out waiting for the credentials lock {}",
                            path.display()
                        )))
                    }
                    Err(std::fs::TryLockError::Error(e)) => {
                        return Err(io_error("cannot lock", &path, e))
                    }
                }
            }
        }
    }
}
