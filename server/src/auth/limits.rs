//! Who is knocking and how often: the client's address (behind trusted proxies) and the
//! attempt limits of login and invite redemption. Kept in the database, so that several
//! servers behind a load balancer share one limit.
//!
//! An attempt counts against its buckets from the moment it starts — it is recorded before
//! any password is hashed and forgiven only when it succeeds — so a burst of simultaneous
//! guesses is cut at the limit instead of being hashed first and counted afterwards.

use std::net::{IpAddr, SocketAddr};

use actix_web::HttpRequest;
use actix_web::http::header::HeaderMap;
use chrono::{Duration, NaiveDateTime};
use flowwalk_shared::ErrorCode;

use crate::accounts::store::login_failure_rows;
use crate::config::Settings;
use crate::db::{DbConnection, lock_buckets};
use crate::error::AppError;

/// The caller's address, for rate limiting.
///
/// Without trusted proxy headers it is the peer of the TCP connection. With them
/// (`trust_proxy_headers`), it is the `X-Forwarded-For` entry `trusted_proxy_hops` places
/// from the right: proxies append the address they saw, so the entries on the right are
/// written by your own proxies and everything left of them by whoever sent the request.
/// The leftmost entry is never trusted.
pub fn client_addr(req: &HttpRequest, settings: &Settings) -> String {
    let peer = req.peer_addr().map(|a| a.ip());
    let addr = if settings.trust_proxy_headers {
        forwarded_client(req.headers(), settings.trusted_proxy_hops).or(peer)
    } else {
        peer
    };
    addr.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
}

/// The entry `hops` places from the right of every `X-Forwarded-For` header (in order);
/// the leftmost when there are fewer entries (all of them added by trusted proxies).
fn forwarded_client(headers: &HeaderMap, hops: u32) -> Option<IpAddr> {
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .collect();
    let hops = usize::try_from(hops.max(1)).unwrap_or(1);
    let entry = entries.get(entries.len().saturating_sub(hops))?;
    parse_ip(entry)
}

/// `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1` or `[2001:db8::1]:80`.
fn parse_ip(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

/// The buckets one kind of attempt counts against, with their limits.
pub struct Limiter {
    buckets: Vec<(String, i64)>,
    window: Duration,
}

impl Limiter {
    /// A login: per account (by the hash of the lowercased username, so that any text a
    /// client sends — of any length, with NUL bytes — is a valid bucket) and per client
    /// address.
    pub fn login(settings: &Settings, username: &str, addr: &str) -> Limiter {
        Limiter::new(
            settings,
            format!(
                "account:{}",
                crate::auth::tokens::digest(&username.trim().to_lowercase())
            ),
            addr,
        )
    }

    /// An invite redemption: per invite code (its hash) and per client address, so bad
    /// codes from one place never block another volunteer's enrolment.
    pub fn redeem(settings: &Settings, code_hash: &str, addr: &str) -> Limiter {
        Limiter::new(settings, format!("invite:{code_hash}"), addr)
    }

    fn new(settings: &Settings, subject: String, addr: &str) -> Limiter {
        Limiter {
            buckets: vec![
                (subject, i64::from(settings.login_max_failures_per_account)),
                (
                    format!("address:{addr}"),
                    i64::from(settings.login_max_failures_per_address),
                ),
            ],
            window: Duration::minutes(i64::from(settings.login_window_minutes)),
        }
    }

    /// Inside a write transaction: refuses with 429 when a bucket is full; otherwise
    /// records this attempt in every bucket, where it counts as failed until
    /// [`Attempt::succeeded`] or [`Attempt::abandoned`]. Rows older than the window, of any
    /// bucket, are purged on the way.
    pub fn begin(&self, conn: &mut DbConnection) -> Result<Attempt, AppError> {
        let now = crate::db::rows::now();
        let window_start = now - self.window;
        let names: Vec<&str> = self.buckets.iter().map(|(b, _)| b.as_str()).collect();
        lock_buckets(conn, &names)?;
        login_failure_rows::purge(conn, window_start)?;
        for (bucket, max) in &self.buckets {
            if login_failure_rows::count_since(conn, bucket, window_start)? >= *max {
                let seconds = u64::try_from(self.window.num_seconds()).unwrap_or(60);
                return Err(AppError::new(ErrorCode::TooManyAttempts).retry_after(seconds));
            }
        }
        let mut ids = Vec::with_capacity(self.buckets.len());
        for (bucket, _) in &self.buckets {
            ids.push(login_failure_rows::record(conn, bucket, now)?);
        }
        Ok(Attempt {
            subject: self.buckets[0].0.clone(),
            ids,
        })
    }
}

/// An attempt under way, recorded in its buckets.
#[must_use = "an attempt stays counted as failed unless it is resolved"]
pub struct Attempt {
    subject: String,
    ids: Vec<String>,
}

impl Attempt {
    /// The attempt succeeded: it no longer counts, and neither do the earlier failures
    /// of its subject (the account or the code).
    pub fn succeeded(self, conn: &mut DbConnection) -> Result<(), AppError> {
        login_failure_rows::clear(conn, &self.subject)?;
        login_failure_rows::remove(conn, &self.ids)?;
        Ok(())
    }

    /// The attempt never ran (the server was too busy to check it): forget it.
    pub fn abandoned(self, conn: &mut DbConnection) -> Result<(), AppError> {
        login_failure_rows::remove(conn, &self.ids)?;
        Ok(())
    }

    /// The attempt failed: it stays counted. (Dropping it does the same; this says so.)
    pub fn failed(self) {}
}

/// Forgets failures older than the window (maintenance; [`Limiter::begin`] does it too).
pub fn purge_expired(conn: &mut DbConnection, settings: &Settings) -> Result<usize, AppError> {
    let window_start: NaiveDateTime =
        crate::db::rows::now() - Duration::minutes(i64::from(settings.login_window_minutes));
    Ok(login_failure_rows::purge(conn, window_start)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(
                HeaderName::from_static("x-forwarded-for"),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    #[test]
    fn the_entry_the_trusted_proxy_added_wins() {
        // The client wrote "6.6.6.6"; the proxy appended the address it saw.
        let h = headers(&["6.6.6.6, 203.0.113.7"]);
        assert_eq!(
            forwarded_client(&h, 1),
            Some("203.0.113.7".parse().unwrap())
        );
        // Two proxies of ours: the client is the second from the right.
        let h = headers(&["6.6.6.6, 198.51.100.2, 10.0.0.5"]);
        assert_eq!(
            forwarded_client(&h, 2),
            Some("198.51.100.2".parse().unwrap())
        );
        // Several header lines are one list, in order.
        let h = headers(&["6.6.6.6", "198.51.100.9"]);
        assert_eq!(
            forwarded_client(&h, 1),
            Some("198.51.100.9".parse().unwrap())
        );
        // Fewer entries than hops: all were added by our proxies; the leftmost is the client.
        let h = headers(&["198.51.100.3"]);
        assert_eq!(
            forwarded_client(&h, 3),
            Some("198.51.100.3".parse().unwrap())
        );
        // Ports and IPv6.
        let h = headers(&["[2001:db8::1]:443"]);
        assert_eq!(
            forwarded_client(&h, 1),
            Some("2001:db8::1".parse().unwrap())
        );
        let h = headers(&["x, 192.0.2.1:8080"]);
        assert_eq!(forwarded_client(&h, 1), Some("192.0.2.1".parse().unwrap()));
        // Garbage where the proxy's entry should be, or no header: none.
        assert_eq!(forwarded_client(&headers(&["1.1.1.1, junk"]), 1), None);
        assert_eq!(forwarded_client(&HeaderMap::new(), 1), None);
    }
}
