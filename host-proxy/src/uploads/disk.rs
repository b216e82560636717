//! The file store on disk: `<key>.bin` (the bytes) and `<key>.json` (its [`FileMeta`]).
//! Bytes are streamed to `<key>.part` and renamed into place once complete and of exactly
//! the declared size, so a half-written file is never served.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use axum::body::Body;
use http_body_util::BodyExt;
use tokio::io::AsyncWriteExt;

use super::{is_key, FileMeta};

/// The bytes of one `PUT`.
pub struct Upload {
    /// The request body.
    pub body: Body,
}

/// Why the bytes were not stored.
#[derive(Debug)]
pub enum StoreError {
    /// More bytes than declared.
    TooLarge,
    /// Fewer bytes than declared.
    TooShort,
    /// The body could not be read (the client went away).
    Read,
    /// The body did not arrive within `--body-read-timeout-seconds`.
    TimedOut,
    /// The disk refused (logged; the member is told only that it failed).
    Io(std::io::Error),
}

/// `<dir>/<key>.bin`.
pub fn data_path(dir: &Path, key: &str) -> PathBuf {
    dir.join(format!("{key}.bin"))
}

fn meta_path(dir: &Path, key: &str) -> PathBuf {
    dir.join(format!("{key}.json"))
}

/// Streams `upload` to disk, checks its size, and writes its metadata.
pub async fn write(
    dir: &Path,
    key: &str,
    meta: &FileMeta,
    upload: Upload,
) -> Result<(), StoreError> {
    let part = dir.join(format!("{key}.part"));
    let result = write_part(&part, meta.size, upload).await;
    if let Err(e) = result {
        let _ = tokio::fs::remove_file(&part).await;
        return Err(e);
    }
    let json = serde_json::to_vec(meta).map_err(|e| StoreError::Io(std::io::Error::other(e)))?;
    let stored = async {
        tokio::fs::rename(&part, data_path(dir, key)).await?;
        let tmp = dir.join(format!("{key}.json.part"));
        tokio::fs::write(&tmp, &json).await?;
        tokio::fs::rename(&tmp, meta_path(dir, key)).await
    }
    .await;
    if let Err(e) = stored {
        remove(dir, key).await;
        let _ = tokio::fs::remove_file(&part).await;
        return Err(StoreError::Io(e));
    }
    Ok(())
}

async fn write_part(part: &Path, declared: u64, upload: Upload) -> Result<(), StoreError> {
    let mut file = tokio::fs::File::create(part)
        .await
        .map_err(StoreError::Io)?;
    let mut body = upload.body;
    let mut written: u64 = 0;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            if crate::body_deadline::is_timeout(&e) {
                StoreError::TimedOut
            } else {
                StoreError::Read
            }
        })?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        written = written.saturating_add(data.len() as u64);
        if written > declared {
            return Err(StoreError::TooLarge);
        }
        file.write_all(&data).await.map_err(StoreError::Io)?;
    }
    if written < declared {
        return Err(StoreError::TooShort);
    }
    file.flush().await.map_err(StoreError::Io)?;
    file.sync_all().await.map_err(StoreError::Io)?;
    Ok(())
}

/// Removes a file and its metadata (missing ones are fine).
pub async fn remove(dir: &Path, key: &str) {
    for path in [data_path(dir, key), meta_path(dir, key)] {
        match tokio::fs::remove_file(&path).await {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!(error = %e, "could not remove an expired file"),
        }
    }
}

/// The current files in `dir`; expired ones, leftovers of interrupted uploads and metadata
/// without bytes are removed.
pub async fn load(dir: &Path, now_ms: u64) -> std::io::Result<HashMap<String, FileMeta>> {
    let mut files = HashMap::new();
    let mut entries = tokio::fs::read_dir(dir).await?;
    let mut stale = Vec::new();
    let mut data = Vec::new();
    while let Some(entry) = entries.next_entry().await? {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".part") {
            stale.push(entry.path());
            continue;
        }
        if let Some(key) = name.strip_suffix(".bin").filter(|k| is_key(k)) {
            data.push(key.to_string());
            continue;
        }
        let Some(key) = name.strip_suffix(".json").filter(|k| is_key(k)) else {
            continue;
        };
        let meta = tokio::fs::read(entry.path())
            .await
            .ok()
            .and_then(|bytes| serde_json::from_slice::<FileMeta>(&bytes).ok());
        match meta {
            Some(meta) if meta.expires_at_ms > now_ms && data_path(dir, key).is_file() => {
                files.insert(key.to_string(), meta);
            }
            _ => remove(dir, key).await,
        }
    }
    for key in data.iter().filter(|k| !files.contains_key(*k)) {
        stale.push(data_path(dir, key));
    }
    for path in stale {
        let _ = tokio::fs::remove_file(path).await;
    }
    Ok(files)
}
