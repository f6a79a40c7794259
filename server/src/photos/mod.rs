//! Photos: the content-addressed store (a local folder, or S3-compatible object storage
//! through `object_store`) and the bounded pool that makes the variants.
//!
//! Every photo lives under its SHA-256: the original bytes (evidence, staff only), a
//! display variant and a thumbnail, both re-encoded with no metadata.

pub mod cleanup;
pub mod photo_access;
pub mod pipeline;
pub mod quota;
pub mod routes;
pub mod store;
pub mod upload;

use std::sync::Arc;

use bytes::Bytes;
use object_store::local::LocalFileSystem;
use object_store::path::Path as StorePath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use tokio::sync::Semaphore;

use crate::config::Settings;
use crate::error::AppError;
use flowwalk_shared::ErrorCode;
pub use pipeline::{Limits, PhotoError, Variants};

/// Which stored form of a photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    Original,
    Display,
    Thumb,
}

impl Variant {
    fn file(self) -> &'static str {
        match self {
            Variant::Original => "original",
            Variant::Display => "display.jpg",
            Variant::Thumb => "thumb.jpg",
        }
    }
}

pub struct PhotoStore {
    store: Arc<dyn ObjectStore>,
    /// At most this many decodes at once: each holds a full-size buffer.
    slots: Arc<Semaphore>,
    pub limits: Limits,
}

impl PhotoStore {
    /// The local folder `DATA_DIR/photos`, or S3 when `photo_store = "s3"`.
    pub fn from_settings(settings: &Settings) -> anyhow::Result<PhotoStore> {
        let store: Arc<dyn ObjectStore> = match settings.photo_store.as_str() {
            "local" => {
                let dir = settings.data_dir.join("photos");
                std::fs::create_dir_all(&dir).map_err(|e| {
                    anyhow::anyhow!("creating the photo folder {}: {e}", dir.display())
                })?;
                Arc::new(LocalFileSystem::new_with_prefix(&dir)?)
            }
            "s3" => {
                let mut b = object_store::aws::AmazonS3Builder::new()
                    .with_bucket_name(&settings.s3_bucket)
                    .with_region(&settings.s3_region)
                    .with_allow_http(settings.s3_allow_http);
                if !settings.s3_endpoint.is_empty() {
                    b = b.with_endpoint(&settings.s3_endpoint);
                }
                if !settings.s3_access_key_id.is_empty() {
                    b = b
                        .with_access_key_id(&settings.s3_access_key_id)
                        .with_secret_access_key(&settings.s3_secret_access_key);
                }
                Arc::new(b.build()?)
            }
            other => anyhow::bail!("FLOWWALK_PHOTO_STORE must be local or s3, not {other:?}"),
        };
        let workers = std::thread::available_parallelism().map_or(2, usize::from);
        Ok(PhotoStore {
            store,
            slots: Arc::new(Semaphore::new(workers)),
            limits: Limits {
                max_bytes: settings.max_photo_bytes,
                ..Limits::default()
            },
        })
    }

    fn path(sha: &str, v: Variant) -> StorePath {
        StorePath::from(format!("{}/{sha}/{}", &sha[..2.min(sha.len())], v.file()))
    }

    /// Makes the variants off the async workers, a bounded number at a time.
    pub async fn process(&self, original: Bytes) -> Result<Variants, AppError> {
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|e| AppError::internal(e.into()))?;
        let limits = self.limits.clone();
        actix_web::web::block(move || pipeline::make_variants(&original, &limits))
            .await
            .map_err(|e| AppError::internal(anyhow::anyhow!("photo worker failed: {e}")))?
            .map_err(photo_error)
    }

    /// Writes all three forms. Each write is atomic; the same content may be written
    /// again harmlessly (the name is the content's hash).
    pub async fn put(
        &self,
        sha: &str,
        original: Bytes,
        variants: Variants,
    ) -> Result<(), AppError> {
        for (v, bytes) in forms(original, variants) {
            self.write(&Self::path(sha, v), bytes).await?;
        }
        Ok(())
    }

    async fn write(&self, path: &StorePath, bytes: Bytes) -> Result<(), AppError> {
        self.store
            .put(path, PutPayload::from_bytes(bytes))
            .await
            .map_err(|e| AppError::internal(anyhow::Error::new(e).context("writing a photo")))?;
        Ok(())
    }

    /// After a new photo's row is written: any form a concurrent orphan cleanup removed
    /// between our writes and our row is written again (see `cleanup`).
    pub async fn ensure(
        &self,
        sha: &str,
        original: Bytes,
        variants: Variants,
    ) -> Result<(), AppError> {
        for (v, bytes) in forms(original, variants) {
            let path = Self::path(sha, v);
            match self.store.head(&path).await {
                Ok(_) => {}
                Err(object_store::Error::NotFound { .. }) => {
                    tracing::info!(photo = %sha, variant = ?v, "photo form removed meanwhile; written again");
                    self.write(&path, bytes).await?;
                }
                Err(e) => {
                    return Err(AppError::internal(
                        anyhow::Error::new(e).context("checking a stored photo"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Removes every stored form of the photo (those already gone are fine).
    pub async fn delete(&self, sha: &str) -> Result<(), AppError> {
        for v in [Variant::Original, Variant::Display, Variant::Thumb] {
            match self.store.delete(&Self::path(sha, v)).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => {
                    return Err(AppError::internal(
                        anyhow::Error::new(e).context("deleting a photo"),
                    ));
                }
            }
        }
        Ok(())
    }

    pub async fn get(&self, sha: &str, v: Variant) -> Result<Option<Bytes>, AppError> {
        match self.store.get(&Self::path(sha, v)).await {
            Ok(r) => Ok(Some(
                r.bytes().await.map_err(|e| AppError::internal(e.into()))?,
            )),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(AppError::internal(
                anyhow::Error::new(e).context("reading a photo"),
            )),
        }
    }
}

/// The API error for a photo the pipeline refused.
pub fn photo_error(e: PhotoError) -> AppError {
    let code = match e {
        PhotoError::TooLarge => ErrorCode::PhotoTooLarge,
        PhotoError::NotAnImage => ErrorCode::PhotoNotAnImage,
        PhotoError::Corrupt => ErrorCode::PhotoCorrupt,
        PhotoError::TooManyPixels => ErrorCode::PhotoTooManyPixels,
    };
    AppError::new(code)
}

/// The content type of original bytes, by their magic numbers.
pub fn sniff_content_type(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "image/jpeg"
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        "image/webp"
    } else {
        "application/octet-stream"
    }
}

/// The three stored forms of a photo, each with its bytes.
fn forms(original: Bytes, variants: Variants) -> [(Variant, Bytes); 3] {
    [
        (Variant::Original, original),
        (Variant::Display, Bytes::from(variants.display)),
        (Variant::Thumb, Bytes::from(variants.thumb)),
    ]
}

#[cfg(test)]
mod tests {
    use actix_web::ResponseError;
    use actix_web::body::MessageBody;

    use super::*;

    /// Every refusal of the pipeline as it goes over the wire: the answer's status and its
    /// `code` field, against expectations written out here (not taken from a mapping).
    #[test]
    fn photo_errors_go_over_the_wire_with_their_codes() {
        // Naming every variant: a new one does not compile until it is listed below.
        let listed = |e: PhotoError| match e {
            PhotoError::TooLarge
            | PhotoError::NotAnImage
            | PhotoError::Corrupt
            | PhotoError::TooManyPixels => e,
        };
        let expected = [
            (PhotoError::TooLarge, 413, "photo_too_large"),
            (PhotoError::NotAnImage, 422, "photo_not_an_image"),
            (PhotoError::Corrupt, 422, "photo_corrupt"),
            (PhotoError::TooManyPixels, 422, "photo_too_many_pixels"),
        ];
        for (e, status, code) in expected {
            let res = photo_error(listed(e)).error_response();
            assert_eq!(res.status().as_u16(), status, "{e:?}");
            let bytes = res
                .into_body()
                .try_into_bytes()
                .unwrap_or_else(|_| panic!("{e:?}: a body in one piece"));
            let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(body["code"], code, "{e:?}: {body}");
        }
    }
}
