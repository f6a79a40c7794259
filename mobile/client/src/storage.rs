//! On-device storage: small JSON documents (session, reference data, drafts, outbox) and
//! photo bytes by SHA-256. IndexedDB on the web, files natively, memory in tests. A write
//! returns only once the platform reports it stored, so a screen that confirms after
//! `save` never confirms something a reload could lose.

use std::fmt;

/// A storage failure (quota full, storage blocked, disk error). Shown to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageError(pub String);

impl fmt::Display for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "storage: {}", self.0)
    }
}

#[allow(async_fn_in_trait)]
pub trait Storage {
    async fn load(&self, key: &str) -> Result<Option<String>, StorageError>;
    async fn save(&self, key: &str, json: &str) -> Result<(), StorageError>;
    async fn put_photo(&self, sha256: &str, bytes: &[u8]) -> Result<(), StorageError>;
    async fn get_photo(&self, sha256: &str) -> Result<Option<Vec<u8>>, StorageError>;
    async fn delete_photo(&self, sha256: &str) -> Result<(), StorageError>;
}

/// In memory: for tests, and as the fallback when a browser refuses IndexedDB (private
/// mode on some phones) — the app then says plainly that nothing is kept.
#[derive(Default)]
pub struct MemoryStorage {
    docs: std::cell::RefCell<std::collections::HashMap<String, String>>,
    photos: std::cell::RefCell<std::collections::HashMap<String, Vec<u8>>>,
}

impl Storage for MemoryStorage {
    async fn load(&self, key: &str) -> Result<Option<String>, StorageError> {
        Ok(self.docs.borrow().get(key).cloned())
    }
    async fn save(&self, key: &str, json: &str) -> Result<(), StorageError> {
        self.docs
            .borrow_mut()
            .insert(key.to_owned(), json.to_owned());
        Ok(())
    }
    async fn put_photo(&self, sha256: &str, bytes: &[u8]) -> Result<(), StorageError> {
        self.photos
            .borrow_mut()
            .insert(sha256.to_owned(), bytes.to_vec());
        Ok(())
    }
    async fn get_photo(&self, sha256: &str) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(self.photos.borrow().get(sha256).cloned())
    }
    async fn delete_photo(&self, sha256: &str) -> Result<(), StorageError> {
        self.photos.borrow_mut().remove(sha256);
        Ok(())
    }
}

#[cfg(not(target_arch = "wasm32"))]
pub use native::FileStorage;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::path::{Path, PathBuf};

    use super::{Storage, StorageError};

    /// Files in a folder; each write goes to a temporary file, is synced, then renamed
    /// over the old one, so a crash leaves the old or the new version, never half.
    pub struct FileStorage {
        dir: PathBuf,
    }

    fn err(e: std::io::Error) -> StorageError {
        StorageError(e.to_string())
    }

    fn safe(key: &str) -> bool {
        !key.is_empty()
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    }

    impl FileStorage {
        pub fn open(dir: &Path) -> Result<Self, StorageError> {
            std::fs::create_dir_all(dir.join("photos")).map_err(err)?;
            Ok(FileStorage {
                dir: dir.to_owned(),
            })
        }

        fn doc(&self, key: &str) -> Result<PathBuf, StorageError> {
            if !safe(key) {
                return Err(StorageError(format!("bad key {key:?}")));
            }
            Ok(self.dir.join(format!("{key}.json")))
        }

        fn photo(&self, sha256: &str) -> Result<PathBuf, StorageError> {
            if !flowwalk_shared::walkthrough::is_sha256_hex(sha256) {
                return Err(StorageError(format!("bad photo id {sha256:?}")));
            }
            Ok(self.dir.join("photos").join(sha256))
        }

        fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StorageError> {
            use std::io::Write;
            let tmp = path.with_extension("tmp");
            let mut f = std::fs::File::create(&tmp).map_err(err)?;
            f.write_all(bytes).map_err(err)?;
            f.sync_all().map_err(err)?;
            std::fs::rename(&tmp, path).map_err(err)
        }

        fn read(path: &Path) -> Result<Option<Vec<u8>>, StorageError> {
            match std::fs::read(path) {
                Ok(b) => Ok(Some(b)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(err(e)),
            }
        }
    }

    impl Storage for FileStorage {
        async fn load(&self, key: &str) -> Result<Option<String>, StorageError> {
            Self::read(&self.doc(key)?)?
                .map(|b| String::from_utf8(b).map_err(|e| StorageError(e.to_string())))
                .transpose()
        }
        async fn save(&self, key: &str, json: &str) -> Result<(), StorageError> {
            Self::write_atomic(&self.doc(key)?, json.as_bytes())
        }
        async fn put_photo(&self, sha256: &str, bytes: &[u8]) -> Result<(), StorageError> {
            Self::write_atomic(&self.photo(sha256)?, bytes)
        }
        async fn get_photo(&self, sha256: &str) -> Result<Option<Vec<u8>>, StorageError> {
            Self::read(&self.photo(sha256)?)
        }
        async fn delete_photo(&self, sha256: &str) -> Result<(), StorageError> {
            match std::fs::remove_file(self.photo(sha256)?) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(err(e)),
                _ => Ok(()),
            }
        }
    }
}

#[cfg(target_arch = "wasm32")]
pub use web::IdbStorage;

#[cfg(target_arch = "wasm32")]
mod web {
    use rexie::{ObjectStore, Rexie, TransactionMode};
    use wasm_bindgen::JsValue;

    use super::{Storage, StorageError};

    const DOCS: &str = "docs";
    const PHOTOS: &str = "photos";

    /// What one write does to its key.
    enum Write<'a> {
        Put(&'a JsValue),
        Delete,
    }

    /// IndexedDB: one store of JSON strings, one of photo bytes. Each write waits for its
    /// transaction to commit; an aborted one (a full disk, a quota) is an error, never a
    /// success.
    pub struct IdbStorage {
        db: Rexie,
    }

    fn err(e: rexie::Error) -> StorageError {
        StorageError(e.to_string())
    }

    /// The end of a read-write transaction: committed, or why not.
    fn committed(result: rexie::TransactionResult) -> Result<(), StorageError> {
        if result.is_committed() {
            Ok(())
        } else {
            Err(StorageError(
                "IndexedDB aborted the write (QuotaExceededError: storage full)".into(),
            ))
        }
    }

    impl IdbStorage {
        async fn build() -> Result<Rexie, StorageError> {
            Rexie::builder("flowwalk")
                .version(1)
                .add_object_store(ObjectStore::new(DOCS))
                .add_object_store(ObjectStore::new(PHOTOS))
                .build()
                .await
                .map_err(err)
        }

        /// Opens the database. One the browser emptied under us (seen when the disk filled:
        /// the database is there but its stores are gone, so nothing can be read or written)
        /// holds nothing to keep: it is made again, and the app says what was lost (the
        /// device id it remembers no longer matches, see `platform::remembered_device`).
        pub async fn open() -> Result<Self, StorageError> {
            let db = Self::build().await?;
            let names = db.store_names();
            if names.iter().any(|n| n == DOCS) && names.iter().any(|n| n == PHOTOS) {
                return Ok(IdbStorage { db });
            }
            db.close();
            Rexie::delete("flowwalk").await.map_err(err)?;
            Ok(IdbStorage {
                db: Self::build().await?,
            })
        }

        /// One write under `key` in `store` (a value put, or the key deleted), returning once
        /// the transaction committed.
        async fn write(&self, store: &str, key: &str, op: Write<'_>) -> Result<(), StorageError> {
            let tx = self
                .db
                .transaction(&[store], TransactionMode::ReadWrite)
                .map_err(err)?;
            let on = tx.store(store).map_err(err)?;
            let key = JsValue::from_str(key);
            match op {
                Write::Put(value) => on.put(value, Some(&key)).await.map(drop),
                Write::Delete => on.delete(key).await,
            }
            .map_err(err)?;
            committed(tx.done().await.map_err(err)?)
        }

        async fn get(&self, store: &str, key: &str) -> Result<Option<JsValue>, StorageError> {
            let tx = self
                .db
                .transaction(&[store], TransactionMode::ReadOnly)
                .map_err(err)?;
            let value = tx
                .store(store)
                .map_err(err)?
                .get(JsValue::from_str(key))
                .await
                .map_err(err)?;
            Ok(value.filter(|v| !v.is_undefined() && !v.is_null()))
        }
    }

    impl Storage for IdbStorage {
        async fn load(&self, key: &str) -> Result<Option<String>, StorageError> {
            Ok(self.get(DOCS, key).await?.and_then(|v| v.as_string()))
        }
        async fn save(&self, key: &str, json: &str) -> Result<(), StorageError> {
            self.write(DOCS, key, Write::Put(&JsValue::from_str(json)))
                .await
        }
        async fn put_photo(&self, sha256: &str, bytes: &[u8]) -> Result<(), StorageError> {
            let array = js_sys::Uint8Array::from(bytes);
            self.write(PHOTOS, sha256, Write::Put(&array.into())).await
        }
        async fn get_photo(&self, sha256: &str) -> Result<Option<Vec<u8>>, StorageError> {
            Ok(self
                .get(PHOTOS, sha256)
                .await?
                .map(|v| js_sys::Uint8Array::new(&v).to_vec()))
        }
        async fn delete_photo(&self, sha256: &str) -> Result<(), StorageError> {
            self.write(PHOTOS, sha256, Write::Delete).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn files_survive_reopening_and_refuse_odd_keys() {
        let dir = tempfile::tempdir().unwrap();
        let sha = flowwalk_shared::walkthrough::hex_sha256(b"photo");
        block(async {
            let s = FileStorage::open(dir.path()).unwrap();
            s.save("outbox", "{\"a\":1}").await.unwrap();
            s.put_photo(&sha, b"photo").await.unwrap();
            assert!(s.save("../evil", "x").await.is_err());
            assert!(s.put_photo("../x", b"x").await.is_err());
        });
        block(async {
            let s = FileStorage::open(dir.path()).unwrap();
            assert_eq!(
                s.load("outbox").await.unwrap().as_deref(),
                Some("{\"a\":1}")
            );
            assert_eq!(s.load("none").await.unwrap(), None);
            assert_eq!(
                s.get_photo(&sha).await.unwrap().as_deref(),
                Some(&b"photo"[..])
            );
            s.delete_photo(&sha).await.unwrap();
            assert_eq!(s.get_photo(&sha).await.unwrap(), None);
        });
    }
}
