//! Whether a `NewFileDataUrl` may be attached: a file URL this store issued to the member,
//! still current, and (in a bucket, where the bytes never passed through this server) an
//! object that was really uploaded, no larger than declared and of the declared type.

use super::bucket::{Bucket, Head};
use super::{is_key, unix_millis, FileMeta, Uploads};
use crate::claims::Member;
use crate::shared::Unavailable;
use std::time::Duration;

/// A current file this store issued to the member, named by an attach's file URL.
#[derive(Debug)]
pub struct IssuedFile {
    key: String,
    meta: FileMeta,
    url: String,
}

/// What an attach may do with an issued file.
#[derive(Debug, PartialEq)]
pub enum Attach {
    /// Attach it: the URL to give Nexudus (a bucket's is signed afresh, valid for the rest of
    /// the file's time).
    Accepted(String),
    /// Issued, but nothing was uploaded to it.
    NotUploaded,
    /// The object is larger than the size declared for it.
    LargerThanDeclared,
    /// The object's type is not the one declared for it.
    OtherType,
}

impl Uploads {
    /// The file `url` names when it is a current file issued to `member` (`Ok(None)`: another
    /// host, bucket or prefix, another member's, expired, or a `data:` URL; `Err`: the shared
    /// store cannot tell just now). Asks nothing of the bucket, so it may come before the
    /// member's write limit.
    pub async fn issued_file(
        &self,
        url: &str,
        member: Member,
    ) -> Result<Option<IssuedFile>, Unavailable> {
        let found = match &self.bucket {
            Some(bucket) => bucket.file_of(url),
            None => url
                .strip_prefix(&self.public_base)
                .and_then(|r| r.strip_prefix("/files/"))
                .and_then(|rest| rest.split_once('/'))
                .map(|(key, name)| (key.to_string(), name.to_string())),
        };
        let Some((key, name)) = found.filter(|(key, _)| is_key(key)) else {
            return Ok(None);
        };
        let meta = self.record(&key).await?.filter(|meta| {
            meta.file_name == name
                && meta.user_id == member.user_id
                && meta.business_id == member.business_id
        });
        Ok(meta.map(|meta| IssuedFile {
            key,
            meta,
            url: url.to_string(),
        }))
    }

    /// What an attach of `file` may do: a folder's file is there (its `PUT` went through
    /// this store); a bucket's object is asked for (`Err`: the bucket cannot be asked).
    pub async fn attachable(&self, file: IssuedFile) -> Result<Attach, Unavailable> {
        match &self.bucket {
            Some(bucket) => uploaded(bucket, &file.key, &file.meta).await,
            None => Ok(Attach::Accepted(file.url)),
        }
    }
}

/// The bucket's own word on the object of file `key`.
async fn uploaded(bucket: &Bucket, key: &str, meta: &FileMeta) -> Result<Attach, Unavailable> {
    let object = bucket.object(key, &meta.file_name);
    let head = bucket.head(&object).await.map_err(|e| {
        tracing::warn!(error = %e.0, "the bucket could not be asked about an attached file");
        Unavailable
    })?;
    let (size, content_type) = match head {
        Head::Missing => return Ok(Attach::NotUploaded),
        Head::Found { size, content_type } => (size, content_type),
    };
    if size > meta.size {
        tracing::warn!(
            member = meta.user_id,
            declared = meta.size,
            stored = size,
            "an object larger than declared was refused"
        );
        return Ok(Attach::LargerThanDeclared);
    }
    if crate::content_type::essence(&content_type) != meta.content_type {
        return Ok(Attach::OtherType);
    }
    let left_ms = meta.expires_at_ms.saturating_sub(unix_millis());
    let left = Duration::from_millis(left_ms).max(Duration::from_secs(1));
    Ok(Attach::Accepted(
        bucket
            .presign_get(&object, &meta.file_name, left)
            .to_string(),
    ))
}
