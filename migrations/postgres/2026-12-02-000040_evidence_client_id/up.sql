-- Evidence made on a phone carries the id the phone gave it, so a retry of a submission
-- whose answer was lost is recognised and stored once (exactly-once by unique key).
ALTER TABLE issue_evidence ADD COLUMN client_id TEXT;
CREATE UNIQUE INDEX issue_evidence_client_id ON issue_evidence (client_id);
