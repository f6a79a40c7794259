//! Pure rules: no HTTP, no SQL, no `AppError`.

pub mod keywords;
pub mod questionnaire;
pub mod results;
