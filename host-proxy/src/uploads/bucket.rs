//! An S3-compatible bucket as the file store (`--store-url s3://bucket/prefix`): the browser
//! `PUT`s the bytes straight to the bucket with a presigned URL, and Nexudus downloads them
//! with a presigned `GET`; the bytes never pass through this server.
//!
//! Requests are signed with `rusty-s3` (SigV4, no I/O of its own) and sent with the proxy's
//! `reqwest`. The upload URL binds the content type and the exact length into its signature,
//! so the bucket itself refuses another type or size; on an attach the object is checked
//! again with a signed `HEAD` (it exists, it is no larger than declared, its type is the one
//! declared), for stores that do not check signed headers as strictly as S3 does.
//!
//! Objects are `<prefix><key>/<name>`; the 128-bit `key` is what makes a URL unguessable.

use std::time::Duration;

use rusty_s3::{actions::S3Action, Credentials, UrlStyle};
use url::Url;

use crate::secret::Secret;

/// S3 signs for at most 7 days.
const MAX_SIGNED: Duration = Duration::from_secs(7 * 24 * 3600);

/// Where the bucket is and how to sign for it, from `s3://bucket/prefix` and the standard
/// `AWS_*` environment.
#[derive(Clone, Debug)]
pub struct BucketConfig {
    /// The service's endpoint (`AWS_ENDPOINT_URL`, else AWS's regional one).
    pub endpoint: Url,
    /// `AWS_REGION` (or `AWS_DEFAULT_REGION`; default `us-east-1`).
    pub region: String,
    /// The bucket's name.
    pub name: String,
    /// The key prefix of every object, `""` or ending in `/`.
    pub prefix: String,
    /// Bucket in the path (any custom endpoint) or in the host name (AWS itself).
    pub path_style: bool,
    /// `AWS_ACCESS_KEY_ID`.
    pub access_key: String,
    /// `AWS_SECRET_ACCESS_KEY`.
    pub secret_key: Secret,
    /// `AWS_SESSION_TOKEN`, for temporary credentials.
    pub session_token: Option<Secret>,
}

impl BucketConfig {
    /// Reads `s3://bucket/prefix` with the `AWS_*` variables that `env` gives.
    pub fn from_url(url: &Url, env: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let var = |name: &str| {
            env(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let name = url
            .host_str()
            .filter(|n| !n.is_empty())
            .ok_or("--store-url: s3:// needs a bucket name (s3://bucket/prefix)")?
            .to_string();
        let prefix = url.path().trim_matches('/');
        let prefix = if prefix.is_empty() {
            String::new()
        } else {
            format!("{prefix}/")
        };
        let region = var("AWS_REGION")
            .or_else(|| var("AWS_DEFAULT_REGION"))
            .unwrap_or_else(|| "us-east-1".to_string());
        let custom = var("AWS_ENDPOINT_URL_S3").or_else(|| var("AWS_ENDPOINT_URL"));
        let path_style = custom.is_some();
        let endpoint = custom.unwrap_or_else(|| format!("https://s3.{region}.amazonaws.com"));
        let endpoint =
            Url::parse(&endpoint).map_err(|e| format!("AWS_ENDPOINT_URL is not a URL: {e}"))?;
        let allow_http = var("AWS_ALLOW_HTTP").is_some_and(|v| v.eq_ignore_ascii_case("true"));
        match endpoint.scheme() {
            "https" => {}
            "http" if allow_http => {}
            "http" => {
                return Err(
                    "AWS_ENDPOINT_URL is http://: set AWS_ALLOW_HTTP=true for a local \
                            endpoint (files would cross the network unencrypted)"
                        .to_string(),
                )
            }
            _ => return Err("AWS_ENDPOINT_URL must be http(s)://".to_string()),
        }
        let access_key =
            var("AWS_ACCESS_KEY_ID").ok_or("--store-url s3:// needs AWS_ACCESS_KEY_ID")?;
        let secret_key = var("AWS_SECRET_ACCESS_KEY")
            .map(Secret::new)
            .ok_or("--store-url s3:// needs AWS_SECRET_ACCESS_KEY")?;
        Ok(BucketConfig {
            endpoint,
            region,
            name,
            prefix,
            path_style,
            access_key,
            secret_key,
            session_token: var("AWS_SESSION_TOKEN").map(Secret::new),
        })
    }
}

/// What a signed `HEAD` found.
#[derive(Debug, PartialEq)]
pub enum Head {
    /// The object, with its size and content type.
    Found { size: u64, content_type: String },
    /// No such object (never uploaded, or removed).
    Missing,
}

/// The bucket could not be asked (unreachable, refused our signature, answered 5xx).
#[derive(Debug)]
pub struct Unreachable(pub String);

/// A configured bucket.
pub struct Bucket {
    bucket: rusty_s3::Bucket,
    credentials: Credentials,
    prefix: String,
    http: reqwest::Client,
}

impl Bucket {
    /// The bucket of `config`, asked with `http`.
    pub fn new(config: &BucketConfig, http: reqwest::Client) -> Result<Bucket, String> {
        let style = if config.path_style {
            UrlStyle::Path
        } else {
            UrlStyle::VirtualHost
        };
        let bucket = rusty_s3::Bucket::new(
            config.endpoint.clone(),
            style,
            config.name.clone(),
            config.region.clone(),
        )
        .map_err(|e| format!("--store-url: the bucket's URL cannot be built ({e:?})"))?;
        let credentials = match &config.session_token {
            Some(token) => Credentials::new_with_token(
                config.access_key.clone(),
                config.secret_key.expose(),
                token.expose(),
            ),
            None => Credentials::new(config.access_key.clone(), config.secret_key.expose()),
        };
        Ok(Bucket {
            bucket,
            credentials,
            prefix: config.prefix.clone(),
            http,
        })
    }

    /// The object holding file `key` named `name`.
    pub fn object(&self, key: &str, name: &str) -> String {
        format!("{}{key}/{name}", self.prefix)
    }

    /// A URL to `PUT` exactly `size` bytes of `content_type` to `object`, for `ttl`.
    pub fn presign_put(&self, object: &str, content_type: &str, size: u64, ttl: Duration) -> Url {
        let length = size.to_string();
        let mut put =
            rusty_s3::actions::PutObject::new(&self.bucket, Some(&self.credentials), object);
        put.headers_mut().insert("content-type", content_type);
        put.headers_mut().insert("content-length", length);
        put.sign(ttl.min(MAX_SIGNED))
    }

    /// A URL to `GET` `object` for `ttl`, downloaded (not shown) by a browser that opens it.
    pub fn presign_get(&self, object: &str, file_name: &str, ttl: Duration) -> Url {
        let disposition = format!("attachment; filename=\"{file_name}\"");
        let mut get =
            rusty_s3::actions::GetObject::new(&self.bucket, Some(&self.credentials), object);
        get.query_mut()
            .insert("response-content-disposition", disposition);
        get.sign(ttl.min(MAX_SIGNED))
    }

    /// The `(key, name)` of a URL into this bucket's prefix (any query, so a presigned
    /// URL too); `None` for another host, bucket or prefix.
    pub fn file_of(&self, url: &str) -> Option<(String, String)> {
        let url = Url::parse(url).ok()?;
        let base = self.bucket.object_url(&self.prefix);
        let same_origin = url.scheme() == base.scheme()
            && url.host_str() == base.host_str()
            && url.port_or_known_default() == base.port_or_known_default();
        if !same_origin || url.username() != "" || url.password().is_some() {
            return None;
        }
        let rest = url.path().strip_prefix(base.path())?;
        let (key, name) = rest.split_once('/')?;
        Some((key.to_string(), name.to_string()))
    }

    /// The object's size and type, by a signed `HEAD`.
    pub async fn head(&self, object: &str) -> Result<Head, Unreachable> {
        let action =
            rusty_s3::actions::HeadObject::new(&self.bucket, Some(&self.credentials), object);
        let response = self
            .send(reqwest::Method::HEAD, action.sign(Duration::from_secs(60)))
            .await?;
        match response.status().as_u16() {
            200 => {}
            404 => return Ok(Head::Missing),
            // A refused signature, or a missing object for a credential without
            // s3:ListBucket: which one cannot be told (a HEAD has no body), so neither is
            // taken for "not uploaded".
            403 => return Err(Unreachable(
                "HEAD answered 403: the bucket refused the credential (or it lacks s3:ListBucket)"
                    .to_string(),
            )),
            status => return Err(Unreachable(format!("HEAD answered {status}"))),
        }
        let header = |name: reqwest::header::HeaderName| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let size = header(reqwest::header::CONTENT_LENGTH)
            .and_then(|v| v.parse::<u64>().ok())
            .ok_or_else(|| Unreachable("HEAD gave no Content-Length".to_string()))?;
        let content_type = header(reqwest::header::CONTENT_TYPE).unwrap_or_default();
        Ok(Head::Found { size, content_type })
    }

    /// Removes `object` (a missing one is no error).
    pub async fn delete(&self, object: &str) -> Result<(), Unreachable> {
        let action =
            rusty_s3::actions::DeleteObject::new(&self.bucket, Some(&self.credentials), object);
        let response = self
            .send(
                reqwest::Method::DELETE,
                action.sign(Duration::from_secs(60)),
            )
            .await?;
        match response.status().as_u16() {
            200..=299 | 404 => Ok(()),
            status => Err(Unreachable(format!("DELETE answered {status}"))),
        }
    }

    /// Whether the bucket answers a signed `HEAD` with 200: it exists, and our credentials
    /// are accepted.
    pub async fn ready(&self) -> bool {
        let action = rusty_s3::actions::HeadBucket::new(&self.bucket, Some(&self.credentials));
        match self
            .send(reqwest::Method::HEAD, action.sign(Duration::from_secs(60)))
            .await
        {
            Ok(response) => response.status().is_success(),
            Err(_) => false,
        }
    }

    async fn send(
        &self,
        method: reqwest::Method,
        url: Url,
    ) -> Result<reqwest::Response, Unreachable> {
        // The URL carries a signature: never log it, only what failed.
        self.http.request(method, url).send().await.map_err(|e| {
            Unreachable(format!(
                "the bucket cannot be reached ({})",
                e.without_url()
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    const LOCAL: &[(&str, &str)] = &[
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:9000"),
        ("AWS_ALLOW_HTTP", "true"),
        ("AWS_ACCESS_KEY_ID", "AKID"),
        ("AWS_SECRET_ACCESS_KEY", "sekrit"),
    ];

    fn local() -> Bucket {
        let url = Url::parse("s3://files/panel/uploads/").unwrap();
        let config = BucketConfig::from_url(&url, env(LOCAL)).unwrap();
        Bucket::new(&config, reqwest::Client::new()).unwrap()
    }

    #[test]
    fn reads_the_standard_environment() {
        let url = Url::parse("s3://files/panel/uploads/").unwrap();
        let c = BucketConfig::from_url(&url, env(LOCAL)).unwrap();
        assert_eq!(
            (c.name.as_str(), c.prefix.as_str()),
            ("files", "panel/uploads/")
        );
        assert_eq!(c.region, "us-east-1");
        assert!(c.path_style);
        assert_eq!(format!("{c:?}").matches("sekrit").count(), 0);
        let aws = BucketConfig::from_url(
            &Url::parse("s3://files").unwrap(),
            env(&[
                ("AWS_REGION", "eu-west-1"),
                ("AWS_ACCESS_KEY_ID", "AKID"),
                ("AWS_SECRET_ACCESS_KEY", "s"),
            ]),
        )
        .unwrap();
        assert_eq!(aws.endpoint.as_str(), "https://s3.eu-west-1.amazonaws.com/");
        assert!(!aws.path_style && aws.prefix.is_empty());
    }

    #[test]
    fn refuses_what_would_not_work_or_not_be_safe() {
        let url = Url::parse("s3://files").unwrap();
        let no_http = &[
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9000"),
            ("AWS_ACCESS_KEY_ID", "AKID"),
            ("AWS_SECRET_ACCESS_KEY", "s"),
        ];
        let error = BucketConfig::from_url(&url, env(no_http)).unwrap_err();
        assert!(error.contains("AWS_ALLOW_HTTP"), "{error}");
        let no_secret = &[("AWS_ACCESS_KEY_ID", "AKID")];
        assert!(BucketConfig::from_url(&url, env(no_secret))
            .unwrap_err()
            .contains("AWS_SECRET_ACCESS_KEY"));
    }

    #[test]
    fn signs_the_type_and_length_into_the_upload_url() {
        let bucket = local();
        let object = bucket.object("0123456789abcdef0123456789abcdef", "a.png");
        let put = bucket.presign_put(&object, "image/png", 5, Duration::from_secs(600));
        let url = put.as_str();
        assert!(
            url.starts_with("http://127.0.0.1:9000/files/panel/uploads/0123"),
            "{url}"
        );
        assert!(
            url.contains("X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost"),
            "{url}"
        );
        assert!(!url.contains("sekrit"));
        let get = bucket.presign_get(&object, "a.png", Duration::from_secs(30 * 86_400));
        assert!(
            get.as_str().contains("X-Amz-Expires=604800"),
            "capped at 7 days: {get}"
        );
    }

    #[test]
    fn knows_its_own_urls_and_no_others() {
        let bucket = local();
        let key = "0123456789abcdef0123456789abcdef";
        let own = bucket.presign_get(
            &bucket.object(key, "a.png"),
            "a.png",
            Duration::from_secs(60),
        );
        let found = Some((key.to_string(), "a.png".to_string()));
        assert_eq!(bucket.file_of(own.as_str()), found);
        let path = format!("files/panel/uploads/{key}/a.png");
        assert_eq!(
            bucket.file_of(&format!("http://127.0.0.1:9000/{path}")),
            found
        );
        for foreign in [
            format!("http://127.0.0.1:9001/{path}"),
            format!("https://127.0.0.1:9000/{path}"),
            format!("http://evil.example/{path}"),
            format!("http://user:pw@127.0.0.1:9000/{path}"),
            format!("http://127.0.0.1:9000/other/panel/uploads/{key}/a.png"),
            format!("http://127.0.0.1:9000/files/panel/{key}/a.png"),
            "data:image/png;base64,AAAA".to_string(),
        ] {
            assert_eq!(bucket.file_of(&foreign), None, "{foreign}");
        }
    }
}
