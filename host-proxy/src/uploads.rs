//! The file store: where the member's file waits for Nexudus to download it.
//!
//! `NewFileDataUrl` must be a public URL (Nexudus downloads it; a `data:` URL fails), so the
//! proxy hands the panel a presigned pair: an **upload URL** (`PUT` once, within the size and
//! type declared, for a limited time) and a **file URL** (`GET` without auth, what Nexudus
//! downloads). Each holds its own unguessable 128-bit key from the OS's random source, so the
//! file URL, which ends up in Nexudus, cannot be used to overwrite the file. A file is kept for
//! `--file-ttl-seconds`, then removed; an upload URL not used in time is forgotten.
//!
//! Files live in `--uploads-dir` as `<key>.bin` with a `<key>.json` beside it (owner, type,
//! size, expiry), so a restart keeps them. Upload URLs not yet used (tickets) live in memory,
//! or with `--redis-url` in Redis with the file records ([`tickets`]), so several instances
//! sharing one `--uploads-dir` (a shared volume) take each other's uploads and serve each
//! other's files.
//!
//! With `--store-url s3://bucket/prefix` the files live in a bucket instead ([`bucket`]): the
//! upload URL is a presigned `PUT` to the bucket and the file URL a presigned `GET`, so the
//! bytes never pass through this server, and an attach checks the object itself ([`attach`]).
//! The record of each file (owner, declared type and size, expiry) is kept as with a folder.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::claims::Member;
use crate::config::Config;
use crate::quota::{OverQuota, Refused, StorageQuota};

mod attach;
pub mod bucket;
mod disk;
pub mod tickets;

pub use attach::Attach;

pub use disk::{StoreError, Upload};
pub use tickets::{Pending, Taken, Tickets};

/// What is known of a stored file (its `<key>.json`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FileMeta {
    /// The file name in its URL (sanitized).
    pub file_name: String,
    /// The declared, allowed content type.
    pub content_type: String,
    /// The size in bytes.
    pub size: u64,
    /// The member it was issued to.
    pub user_id: u64,
    /// Their business.
    pub business_id: u64,
    /// When it is removed (milliseconds since the Unix epoch).
    pub expires_at_ms: u64,
}

/// Why no upload URL was issued.
#[derive(Debug)]
pub enum IssueError {
    /// The member's storage quota would be exceeded.
    OverQuota(OverQuota),
    /// The store as a whole would pass `--max-store-bytes`.
    StoreFull,
    /// The shared store (Redis) could not be reached.
    Unavailable,
    /// No random key could be had.
    Io(std::io::Error),
}

/// The URLs of one issued upload.
pub struct Issued {
    /// Where the panel `PUT`s the bytes.
    pub upload_url: String,
    /// Where the upstream downloads them.
    pub file_url: String,
}

/// The store.
pub struct Uploads {
    dir: PathBuf,
    public_base: String,
    url_ttl: Duration,
    file_ttl: Duration,
    tickets: Box<dyn Tickets>,
    /// The files stored through this instance (and found on disk at start): what its clean-up
    /// removes, and its own look-ups when no record is shared.
    files: Mutex<HashMap<String, FileMeta>>,
    quota: Box<dyn StorageQuota>,
    /// Whether the quota counts the store's total itself (a shared store does).
    quota_counts_store: bool,
    max_store_bytes: u64,
    /// The bucket, with `--store-url s3://…` (the folder is then unused).
    bucket: Option<bucket::Bucket>,
}

/// Where an upload store keeps its tickets and counts.
pub struct Backing {
    /// The tickets and shared file records.
    pub tickets: Box<dyn Tickets>,
    /// The member quota.
    pub quota: Box<dyn StorageQuota>,
    /// Whether `quota` counts the store's total for all instances.
    pub quota_counts_store: bool,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Uploads {
    /// Opens the store in `config.uploads_dir`, creating it, keeping the files of an earlier
    /// run that have not expired and removing the rest; or, with `config.bucket`, in the
    /// bucket, asked through `http` (the proxy's client: no proxy from the environment, no
    /// redirects, so a signed request goes only where it was signed for).
    pub async fn open(
        config: &Config,
        backing: Backing,
        http: reqwest::Client,
    ) -> std::io::Result<Uploads> {
        let bucket = match &config.bucket {
            Some(bucket) => Some(bucket::Bucket::new(bucket, http).map_err(std::io::Error::other)?),
            None => None,
        };
        let files = if bucket.is_some() {
            HashMap::new()
        } else {
            tokio::fs::create_dir_all(&config.uploads_dir).await?;
            disk::load(&config.uploads_dir, unix_millis()).await?
        };
        Ok(Uploads {
            dir: config.uploads_dir.clone(),
            public_base: config.public_base_url.clone(),
            url_ttl: config.upload_url_ttl,
            file_ttl: config.file_ttl,
            tickets: backing.tickets,
            files: Mutex::new(files),
            quota: backing.quota,
            quota_counts_store: backing.quota_counts_store,
            max_store_bytes: config.max_store_bytes,
            bucket,
        })
    }

    /// Issues an upload URL for a file of `size` bytes of `content_type` (both already
    /// checked against the limits) to `member`, counting it against the member's quota and
    /// the store's total (stored files and upload URLs not yet used).
    pub async fn issue(
        &self,
        member: Member,
        file_name: &str,
        content_type: &str,
        size: u64,
    ) -> Result<Issued, IssueError> {
        let upload_id = random_key().map_err(IssueError::Io)?;
        let key = random_key().map_err(IssueError::Io)?;
        if !self.quota_counts_store && self.max_store_bytes > 0 {
            let stored: u64 = lock(&self.files).values().map(|m| m.size).sum();
            let waiting = self.tickets.waiting_bytes();
            if waiting.saturating_add(stored).saturating_add(size) > self.max_store_bytes {
                return Err(IssueError::StoreFull);
            }
        }
        let reservation = self
            .quota
            .reserve(member.user_id, size, self.url_ttl)
            .await
            .map_err(|refused| match refused {
                Refused::OverQuota(over) => IssueError::OverQuota(over),
                Refused::StoreFull => IssueError::StoreFull,
                Refused::Unavailable => IssueError::Unavailable,
            })?;
        let meta = FileMeta {
            file_name: sanitize(file_name),
            content_type: content_type.to_string(),
            size,
            user_id: member.user_id,
            business_id: member.business_id,
            expires_at_ms: 0,
        };
        if let Some(bucket) = &self.bucket {
            return self.issue_to_bucket(bucket, key, meta, reservation).await;
        }
        let issued = Issued {
            upload_url: format!("{}/uploads/{upload_id}", self.public_base),
            file_url: self.file_url(&key, &meta.file_name),
        };
        let ttl_ms = u64::try_from(self.url_ttl.as_millis()).unwrap_or(u64::MAX);
        let ticket = Pending {
            key,
            meta,
            url_expires_ms: unix_millis().saturating_add(ttl_ms),
            reservation,
        };
        if self
            .tickets
            .put(&upload_id, &ticket, self.url_ttl)
            .await
            .is_err()
        {
            self.quota.release(reservation).await;
            return Err(IssueError::Unavailable);
        }
        Ok(issued)
    }

    /// With a bucket the file is recorded at once (the bucket tells no one when it is
    /// `PUT`), and its declared bytes count for the member's day and the store from now.
    async fn issue_to_bucket(
        &self,
        bucket: &bucket::Bucket,
        key: String,
        mut meta: FileMeta,
        reservation: crate::quota::Reservation,
    ) -> Result<Issued, IssueError> {
        let ttl_ms = u64::try_from(self.file_ttl.as_millis()).unwrap_or(u64::MAX);
        meta.expires_at_ms = unix_millis().saturating_add(ttl_ms);
        if self.tickets.record_file(&key, &meta).await.is_err() {
            self.quota.release(reservation).await;
            return Err(IssueError::Unavailable);
        }
        self.quota.keep(reservation, self.file_ttl).await;
        let object = bucket.object(&key, &meta.file_name);
        let issued = Issued {
            upload_url: bucket
                .presign_put(&object, &meta.content_type, meta.size, self.url_ttl)
                .to_string(),
            file_url: bucket
                .presign_get(&object, &meta.file_name, self.file_ttl)
                .to_string(),
        };
        lock(&self.files).insert(key, meta);
        Ok(issued)
    }

    fn file_url(&self, key: &str, file_name: &str) -> String {
        format!("{}/files/{key}/{file_name}", self.public_base)
    }

    /// Takes the upload URL `upload_id` for its one use (`Ok(None)`: unknown, used or
    /// expired).
    pub async fn take(
        &self,
        upload_id: &str,
    ) -> Result<Option<Pending>, crate::shared::Unavailable> {
        match self.tickets.take(upload_id).await? {
            Taken::Current(pending) => Ok(Some(pending)),
            Taken::Expired(pending) => {
                self.quota.release(pending.reservation).await;
                Ok(None)
            }
            Taken::Unknown => Ok(None),
        }
    }

    /// The content type and size the upload was issued for.
    pub fn declared(pending: &Pending) -> (&str, u64) {
        (&pending.meta.content_type, pending.meta.size)
    }

    /// Stores the bytes of a taken upload; the file URL then serves them.
    pub async fn store(&self, pending: Pending, upload: Upload) -> Result<String, StoreError> {
        let mut meta = pending.meta;
        let ttl_ms = u64::try_from(self.file_ttl.as_millis()).unwrap_or(u64::MAX);
        meta.expires_at_ms = unix_millis().saturating_add(ttl_ms);
        if let Err(e) = disk::write(&self.dir, &pending.key, &meta, upload).await {
            self.quota.release(pending.reservation).await;
            return Err(e);
        }
        self.quota.keep(pending.reservation, self.file_ttl).await;
        if self.tickets.record_file(&pending.key, &meta).await.is_err() {
            // Served by this instance only (its own index) until Redis is back.
            tracing::warn!("a stored file's record could not be shared");
        }
        let url = self.file_url(&pending.key, &meta.file_name);
        lock(&self.files).insert(pending.key, meta);
        Ok(url)
    }

    /// The current record of file `key`: shared, else this instance's own; `Err` when the
    /// shared store cannot be asked and this instance has no record of its own.
    async fn record(&self, key: &str) -> Result<Option<FileMeta>, crate::shared::Unavailable> {
        let shared = self.tickets.file(key).await;
        let own = || lock(&self.files).get(key).cloned();
        let meta = match shared {
            Ok(Some(meta)) => Some(meta),
            Ok(None) => own(),
            Err(unavailable) => Some(own().ok_or(unavailable)?),
        };
        Ok(meta.filter(|m| m.expires_at_ms > unix_millis()))
    }

    /// The stored, current file `key` named `name`: its metadata and path.
    pub async fn find(&self, key: &str, name: &str) -> Option<(FileMeta, PathBuf)> {
        if self.bucket.is_some() {
            return None;
        }
        let meta = self.record(key).await.ok().flatten()?;
        (meta.file_name == name).then(|| (meta, disk::data_path(&self.dir, key)))
    }

    /// Forgets upload URLs past their time (giving back their quota) and removes files past
    /// theirs.
    pub async fn clean_up(&self) {
        for pending in self.tickets.expired(unix_millis()).await {
            self.quota.release(pending.reservation).await;
        }
        self.quota.prune(std::time::Instant::now());
        let now_ms = unix_millis();
        let expired: Vec<(String, FileMeta)> = {
            let mut files = lock(&self.files);
            let keys: Vec<String> = files
                .iter()
                .filter(|(_, m)| m.expires_at_ms <= now_ms)
                .map(|(k, _)| k.clone())
                .collect();
            keys.into_iter()
                .filter_map(|key| files.remove(&key).map(|meta| (key, meta)))
                .collect()
        };
        for (key, meta) in expired {
            match &self.bucket {
                // A bucket's lifecycle rule removes what an instance stopped before this.
                Some(bucket) => {
                    if let Err(e) = bucket.delete(&bucket.object(&key, &meta.file_name)).await {
                        tracing::warn!(error = %e.0, "an expired file could not be removed from the bucket");
                    }
                }
                None => disk::remove(&self.dir, &key).await,
            }
        }
    }

    /// Whether the store can take files: its folder is there, or the bucket answers our
    /// signed requests.
    pub async fn ready(&self) -> bool {
        match &self.bucket {
            Some(bucket) => bucket.ready().await,
            None => tokio::fs::metadata(&self.dir)
                .await
                .is_ok_and(|m| m.is_dir()),
        }
    }
}

/// Milliseconds since the Unix epoch (0 if the clock is before it).
pub(crate) fn unix_millis() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// 128 random bits from the OS, as 32 lowercase hex digits.
fn random_key() -> std::io::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(format!("random: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Whether `key` has the shape of [`random_key`]'s keys (so it is safe in a path).
pub fn is_key(key: &str) -> bool {
    key.len() == 32 && key.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The stored name of a file called `name` (its first 100 characters, made safe).
pub fn sanitize(name: &str) -> String {
    nexudus_wire::file_name::sanitize(name, 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_names() {
        let a = random_key().unwrap();
        assert!(is_key(&a));
        assert_ne!(a, random_key().unwrap());
        assert!(!is_key("../etc/passwd"));
        assert_eq!(sanitize("a b/c.png"), "a_b_c.png");
        assert_eq!(sanitize(".."), "file");
        assert_eq!(sanitize("résumé.pdf"), "r_sum_.pdf");
    }
}
