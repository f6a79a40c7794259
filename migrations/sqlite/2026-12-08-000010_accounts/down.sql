ALTER TABLE users DROP COLUMN demo_password;
ALTER TABLE users DROP COLUMN must_change_password;
