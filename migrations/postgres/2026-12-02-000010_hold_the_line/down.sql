DROP TABLE photo_quota;
DROP INDEX photos_created_at;
DROP INDEX login_failures_at;
ALTER TABLE refresh_tokens DROP COLUMN replaced_by;
