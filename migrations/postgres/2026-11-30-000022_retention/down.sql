DROP TABLE job_leases;
DROP TABLE legal_holds;
DROP TABLE retention_schedule;
