DROP INDEX issue_evidence_client_id;
ALTER TABLE issue_evidence DROP COLUMN client_id;
