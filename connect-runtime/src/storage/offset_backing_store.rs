//! Where source offsets live (Apache's `OffsetBackingStore`): key and value bytes as written by
//! [`offset_codec`](super::offset_codec). Standalone workers use the file store; distributed
//! workers will use a compacted topic behind the same trait.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
#[cfg(test)]
use std::time::Duration;

use async_trait::async_trait;
use connect_api::errors::{ConnectError, Result};

/// Offset key bytes to value bytes; `None` is a tombstone (a reset offset).
pub type OffsetEntries = HashMap<Vec<u8>, Option<Vec<u8>>>;

/// A store of source offsets shared by all connectors of a worker.
#[async_trait]
pub trait OffsetBackingStore: Send + Sync {
    /// The values of the given keys (missing keys are absent from the result).
    async fn get(&self, keys: &[Vec<u8>]) -> Result<HashMap<Vec<u8>, Vec<u8>>>;
    /// Writes entries durably; returns once they are safe.
    async fn set(&self, entries: OffsetEntries) -> Result<()>;
    /// Every stored entry (for the offsets REST API).
    async fn all(&self) -> Result<HashMap<Vec<u8>, Vec<u8>>>;
}

/// Offsets in memory only (Apache's `MemoryOffsetBackingStore`).
#[derive(Debug, Default)]
pub struct MemoryOffsetBackingStore {
    data: Mutex<HashMap<Vec<u8>, Vec<u8>>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave the map half-updated (updates are single
    // inserts), so the data is still good.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl MemoryOffsetBackingStore {
    fn apply(&self, entries: OffsetEntries) -> HashMap<Vec<u8>, Vec<u8>> {
        let mut data = lock(&self.data);
        for (k, v) in entries {
            match v {
                Some(v) => {
                    data.insert(k, v);
                }
                None => {
                    data.remove(&k);
                }
            }
        }
        data.clone()
    }
}

#[async_trait]
impl OffsetBackingStore for MemoryOffsetBackingStore {
    async fn get(&self, keys: &[Vec<u8>]) -> Result<HashMap<Vec<u8>, Vec<u8>>> {
        let data = lock(&self.data);
        Ok(keys
            .iter()
            .filter_map(|k| data.get(k).map(|v| (k.clone(), v.clone())))
            .collect())
    }

    async fn set(&self, entries: OffsetEntries) -> Result<()> {
        self.apply(entries);
        Ok(())
    }

    async fn all(&self) -> Result<HashMap<Vec<u8>, Vec<u8>>> {
        Ok(lock(&self.data).clone())
    }
}

/// Offsets in a file (`offset.storage.file.filename`), rewritten atomically on every flush:
/// write a temporary file, fsync it, rename it over the old one, fsync the directory. A crash
/// at any instant leaves either the old or the new file, never a torn one.
///
/// Rewrites run one at a time, in the order their snapshots were taken, even when a caller
/// gives up waiting: the writer thread, not the caller, holds the write lock until its rename
/// is done, so a write abandoned after `offset.flush.timeout.ms` can neither interleave with
/// the next one nor rename an older snapshot over a newer file. Each rewrite also uses a temp
/// file of its own, so no two writers (two stores on one path, say) share one.
///
/// The file is JSON — `[[key, value], ...]` with the key `["<connector>",{partition}]` and
/// the value the offset object — not the Java-serialized `HashMap` Apache writes, so offset
/// files are not shared between the two implementations.
#[derive(Debug)]
pub struct FileOffsetBackingStore {
    path: PathBuf,
    memory: MemoryOffsetBackingStore,
    write_lock: Arc<tokio::sync::Mutex<()>>,
    #[cfg(test)]
    before_write: Mutex<Option<WriteHook>>,
}

/// Runs in the writer thread before the temp file is written, to stall a write in tests.
#[cfg(test)]
#[derive(Clone)]
struct WriteHook(Arc<dyn Fn() + Send + Sync>);
#[cfg(test)]
impl std::fmt::Debug for WriteHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WriteHook")
    }
}

impl FileOffsetBackingStore {
    /// Opens the store, loading the file if it exists. A missing or empty file starts empty;
    /// a file that is not valid is an error (the worker refuses to start rather than lose
    /// offsets).
    pub fn open(path: impl Into<PathBuf>) -> Result<FileOffsetBackingStore> {
        let path = path.into();
        let memory = MemoryOffsetBackingStore::default();
        match std::fs::read(&path) {
            Ok(bytes) if bytes.iter().all(u8::is_ascii_whitespace) => {}
            Ok(bytes) if super::java_offsets_file::is_java_serialized(&bytes) => {
                let entries = apache_file(&path, &bytes)?;
                memory.apply(entries.into_iter().collect());
            }
            Ok(bytes) => {
                let entries = parse_file(&bytes).map_err(|e| {
                    ConnectError::other(format!("Offset file {} is not valid: {e}", path.display()))
                })?;
                memory.apply(entries.into_iter().map(|(k, v)| (k, Some(v))).collect());
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(ConnectError::other_with(
                    format!("Could not read offset file {}", path.display()),
                    e,
                ))
            }
        }
        tracing::info!(
            "Starting FileOffsetBackingStore with file {}",
            path.display()
        );
        Ok(FileOffsetBackingStore {
            path,
            memory,
            write_lock: Arc::new(tokio::sync::Mutex::new(())),
            #[cfg(test)]
            before_write: Mutex::new(None),
        })
    }
}

/// The entries of an offsets file Apache's `ConnectStandalone` wrote, for a worker taking over
/// from it. The file is rewritten in this worker's format at the next commit, so the original
/// is first copied beside it (`<file>.apache`) for anyone going back.
fn apache_file(path: &Path, bytes: &[u8]) -> Result<super::java_offsets_file::Entries> {
    let entries = super::java_offsets_file::parse(bytes).map_err(|e| {
        ConnectError::other(format!(
            "Offset file {} looks like Apache Kafka Connect's but could not be read: {e}",
            path.display()
        ))
    })?;
    for (k, v) in &entries {
        let json = |b: &[u8]| serde_json::from_slice::<serde_json::Value>(b).is_ok();
        if !json(k) || v.as_deref().is_some_and(|v| !json(v)) {
            return Err(ConnectError::other(format!(
                "Offset file {} holds an entry that is not JSON (a worker whose internal converter was not JsonConverter?)",
                path.display()
            )));
        }
    }
    let mut backup = path.as_os_str().to_owned();
    backup.push(".apache");
    let backup = PathBuf::from(backup);
    if !backup.exists() {
        std::fs::copy(path, &backup).map_err(|e| {
            ConnectError::other_with(
                format!(
                    "Could not keep a copy of {} at {}",
                    path.display(),
                    backup.display()
                ),
                e,
            )
        })?;
    }
    tracing::info!(
        "Read {} offsets from {}, written by Apache Kafka Connect; it will be rewritten in this worker's format (the original is kept at {})",
        entries.len(),
        path.display(),
        backup.display()
    );
    Ok(entries)
}

/// Key and value bytes read from the offsets file.
type FileEntries = Vec<(Vec<u8>, Vec<u8>)>;

fn parse_file(bytes: &[u8]) -> std::result::Result<FileEntries, String> {
    let json: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let serde_json::Value::Array(items) = json else {
        return Err("expected a JSON array of [key, value] pairs".to_owned());
    };
    items
        .into_iter()
        .map(|item| match item {
            serde_json::Value::Array(pair) if pair.len() == 2 => {
                let k = serde_json::to_vec(&pair[0]).map_err(|e| e.to_string())?;
                let v = serde_json::to_vec(&pair[1]).map_err(|e| e.to_string())?;
                Ok((k, v))
            }
            _ => Err("expected a [key, value] pair".to_owned()),
        })
        .collect()
}

fn render_file(data: &HashMap<Vec<u8>, Vec<u8>>) -> Vec<u8> {
    let mut entries: Vec<(&Vec<u8>, &Vec<u8>)> = data.iter().collect();
    entries.sort();
    let mut out = Vec::with_capacity(64 * entries.len() + 2);
    out.push(b'[');
    for (i, (k, v)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b",\n");
        }
        out.push(b'[');
        out.extend_from_slice(k);
        out.push(b',');
        out.extend_from_slice(v);
        out.push(b']');
    }
    out.extend_from_slice(b"]\n");
    out
}

/// Numbers the temp files of this process's rewrites.
static REWRITES: AtomicU64 = AtomicU64::new(0);

fn write_atomically(
    path: &Path,
    contents: &[u8],
    before_write: Option<&(dyn Fn() + Send + Sync)>,
) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "offsets".to_owned());
    let tmp = dir.join(format!(
        ".{file_name}.{}-{}.tmp",
        std::process::id(),
        REWRITES.fetch_add(1, Ordering::Relaxed)
    ));
    let written = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        if let Some(hook) = before_write {
            hook();
        }
        f.write_all(contents)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written?;
    // Make the rename itself durable.
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[async_trait]
impl OffsetBackingStore for FileOffsetBackingStore {
    async fn get(&self, keys: &[Vec<u8>]) -> Result<HashMap<Vec<u8>, Vec<u8>>> {
        self.memory.get(keys).await
    }

    async fn set(&self, entries: OffsetEntries) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let guard = self.write_lock.clone().lock_owned().await;
        let snapshot = self.memory.apply(entries);
        let path = self.path.clone();
        let contents = render_file(&snapshot);
        #[cfg(test)]
        let hook = lock(&self.before_write).clone().map(|h| h.0);
        #[cfg(not(test))]
        let hook: Option<Arc<dyn Fn() + Send + Sync>> = None;
        tokio::task::spawn_blocking(move || {
            let written = write_atomically(&path, &contents, hook.as_deref());
            drop(guard);
            written
        })
        .await
        .map_err(|e| ConnectError::other_with("offset writer thread failed", e))?
        .map_err(|e| {
            ConnectError::other_with(
                format!("Could not write offset file {}", self.path.display()),
                e,
            )
        })
    }

    async fn all(&self) -> Result<HashMap<Vec<u8>, Vec<u8>>> {
        self.memory.all().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn file_store_round_trips_and_survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("connect.offsets");
        let store = FileOffsetBackingStore::open(&path).unwrap();
        let key = br#"["src",{"filename":"a.txt"}]"#.to_vec();
        store
            .set(HashMap::from([(
                key.clone(),
                Some(br#"{"position":12}"#.to_vec()),
            )]))
            .await
            .unwrap();
        drop(store);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            "[[[\"src\",{\"filename\":\"a.txt\"}],{\"position\":12}]]\n"
        );
        let store = FileOffsetBackingStore::open(&path).unwrap();
        let got = store.get(std::slice::from_ref(&key)).await.unwrap();
        assert_eq!(got[&key], br#"{"position":12}"#.to_vec());
        store
            .set(HashMap::from([(key.clone(), None)]))
            .await
            .unwrap();
        assert!(store.all().await.unwrap().is_empty());
    }

    #[test]
    fn corrupt_file_is_an_error_and_empty_file_is_fine() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("o");
        std::fs::write(&path, b"").unwrap();
        assert!(FileOffsetBackingStore::open(&path).is_ok());
        std::fs::write(&path, b"{not json").unwrap();
        assert!(FileOffsetBackingStore::open(&path).is_err());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn timed_out_write_never_lands_over_a_newer_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("connect.offsets");
        let store = Arc::new(FileOffsetBackingStore::open(&path).unwrap());
        // The first write stalls in the writer thread (a hung disk) until released.
        let (release, released) = std::sync::mpsc::channel::<()>();
        let released = Mutex::new(released);
        let first = std::sync::atomic::AtomicBool::new(true);
        *lock(&store.before_write) = Some(WriteHook(Arc::new(move || {
            if first.swap(false, std::sync::atomic::Ordering::SeqCst) {
                let _ = lock(&released).recv();
            }
        })));
        let key = br#"["src",{"f":"a"}]"#.to_vec();
        let old = br#"{"position":1,"padding":"older and longer than the newer value"}"#.to_vec();
        let new = br#"{"position":2}"#.to_vec();
        let timed_out = tokio::time::timeout(
            Duration::from_millis(50),
            store.set(HashMap::from([(key.clone(), Some(old))])),
        )
        .await;
        assert!(timed_out.is_err());
        let newer = tokio::spawn({
            let store = store.clone();
            let key = key.clone();
            let new = new.clone();
            async move { store.set(HashMap::from([(key, Some(new))])).await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!newer.is_finished(), "writes to one file must not overlap");
        release.send(()).unwrap();
        newer.await.unwrap().unwrap();
        // Give an abandoned writer the time to do its worst.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let on_disk = parse_file(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(on_disk, vec![(key.clone(), new.clone())]);
        let reopened = FileOffsetBackingStore::open(&path).unwrap();
        assert_eq!(
            reopened.get(std::slice::from_ref(&key)).await.unwrap()[&key],
            new
        );
    }
}
