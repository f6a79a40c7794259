//! Who may upload photos and who may see one. A photo has no rights of its own: it follows
//! the records that refer to it. Whoever may see such a record may read the photo's
//! variants (staff also its original); for anyone else the photo does not exist — 404, the
//! same answer as for a hash never uploaded, so nobody can probe which photos are stored.
//!
//! **Extending.** Each kind of record that refers to photos is one [`Source`] in
//! [`SOURCES`]: walkthroughs, and issues (their occurrences' photos and the departments'
//! evidence). Readers, the upload shortcut and orphan cleanup all go through [`SOURCES`], so
//! a photo referred to by any source is readable by its viewers and never removed as an
//! orphan.

use flowwalk_shared::Role;

use crate::auth::AuthUser;
use crate::db::DbConnection;
use crate::error::AppError;
use crate::walkthroughs::service::review;
use crate::walkthroughs::store::walkthrough_rows as wt;

/// The roles that record and so upload photos: observers (findings) and department
/// officers (evidence of fixes).
pub const UPLOADERS: &[Role] = &[Role::Inspector, Role::Experiencer, Role::DepartmentOfficer];

pub fn can_upload(role: Role) -> bool {
    UPLOADERS.contains(&role)
}

/// One kind of record that refers to photos.
pub struct Source {
    /// For logs.
    pub name: &'static str,
    /// Whether any record of this kind refers to the photo.
    pub refers_to: fn(&mut DbConnection, &str) -> Result<bool, AppError>,
    /// Whether `viewer` may see a record of this kind that refers to the photo.
    pub visible_to: fn(&mut DbConnection, &AuthUser, &str) -> Result<bool, AppError>,
}

/// Every kind of record that refers to photos: the place to add one.
pub const SOURCES: &[Source] = &[
    Source {
        name: "walkthroughs",
        refers_to: walkthrough_refers_to,
        visible_to: walkthrough_visible_to,
    },
    Source {
        name: "issues",
        refers_to: crate::issues::service::view::photo_referenced,
        visible_to: crate::issues::service::view::can_read_photo_via_issue,
    },
];

fn walkthrough_refers_to(conn: &mut DbConnection, sha: &str) -> Result<bool, AppError> {
    Ok(wt::photo_referenced(conn, sha)?)
}

/// A walkthrough any revision of which lists the photo, seen under review's own rule.
fn walkthrough_visible_to(
    conn: &mut DbConnection,
    viewer: &AuthUser,
    sha: &str,
) -> Result<bool, AppError> {
    let staff = viewer.role.is_staff_manager();
    for w in wt::referring_to_photo(conn, sha)? {
        match review::may_see(&viewer.id, staff, &w) {
            Ok(()) => return Ok(true),
            Err(e) if e.code.http_status() < 500 => {}
            Err(e) => return Err(e),
        }
    }
    Ok(false)
}

/// Whether `viewer` may read the photo: some record of some source that refers to it is
/// one they may see.
pub fn can_read_photo(
    conn: &mut DbConnection,
    viewer: &AuthUser,
    sha: &str,
) -> Result<bool, AppError> {
    for source in SOURCES {
        if (source.visible_to)(conn, viewer, sha)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Whether any record of any source refers to the photo (else it is an orphan).
pub fn is_referenced(conn: &mut DbConnection, sha: &str) -> Result<bool, AppError> {
    for source in SOURCES {
        if (source.refers_to)(conn, sha)? {
            return Ok(true);
        }
    }
    Ok(false)
}
