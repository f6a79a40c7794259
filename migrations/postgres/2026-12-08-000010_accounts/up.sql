-- Accounts an admin manages: a reset password must be replaced at the next login, and the
-- accounts still holding the printed demo password are known (a real server refuses to
-- start while any is active).
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN demo_password BOOLEAN NOT NULL DEFAULT FALSE;
