//! When to try again after a failure worth retrying (no network, a 5xx): exponential
//! back-off with full jitter, so a hall full of phones regaining Wi-Fi at once does not
//! hit the server in lockstep.

/// The first retry waits up to this long.
pub const BASE_MS: u64 = 2_000;
/// No wait is longer than this, however many attempts failed.
pub const CAP_MS: u64 = 5 * 60_000;

/// The wait before attempt `attempts + 1`, given a `jitter` in `[0, 1)`.
pub fn delay_ms(attempts: u32, jitter: f64) -> u64 {
    let ceiling = BASE_MS.saturating_mul(1u64 << attempts.min(20)).min(CAP_MS);
    let jitter = if jitter.is_finite() {
        jitter.clamp(0.0, 1.0)
    } else {
        0.5
    };
    // At least a tenth of the ceiling, so retries never spin.
    let low = ceiling / 10;
    low + ((ceiling - low) as f64 * jitter) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_then_caps() {
        assert_eq!(delay_ms(0, 1.0), BASE_MS);
        assert_eq!(delay_ms(1, 1.0), 2 * BASE_MS);
        assert_eq!(delay_ms(3, 1.0), 8 * BASE_MS);
        assert_eq!(delay_ms(30, 1.0), CAP_MS);
        assert_eq!(delay_ms(0, 0.0), BASE_MS / 10);
        assert!(delay_ms(5, f64::NAN) <= CAP_MS);
    }
}
