DROP TABLE document_purges;
DROP TABLE document_contents;
DROP TABLE documents;
