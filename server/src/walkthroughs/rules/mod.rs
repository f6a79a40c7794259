//! Pure rules: no HTTP, no SQL, no `AppError`.

pub mod revision;
