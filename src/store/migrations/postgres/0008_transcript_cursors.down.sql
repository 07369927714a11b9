DROP TABLE IF EXISTS transcript_cursors;
