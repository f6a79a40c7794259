//! Pure rules: no HTTP, no SQL, no `AppError`.

pub mod audit_chain;
pub mod panel;
pub mod report_periods;
pub mod state_machine;
