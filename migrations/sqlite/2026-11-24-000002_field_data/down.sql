DROP TABLE photo_reads;
DROP TABLE photos;
DROP TABLE revision_photos;
DROP TABLE walkthrough_conflicts;
DROP TABLE walkthroughs;
DROP TABLE walkthrough_revisions;
DROP TABLE changes;
