-- docker-compose.yml: one database and one role per service (no shared tables), as in Kubernetes.
-- Development passwords: this file is for a laptop, never for a deployment.
CREATE ROLE planning LOGIN PASSWORD 'planning';
CREATE DATABASE planning OWNER planning;
CREATE ROLE approval LOGIN PASSWORD 'approval';
CREATE DATABASE approval OWNER approval;
CREATE ROLE finance LOGIN PASSWORD 'finance';
CREATE DATABASE finance OWNER finance;
CREATE ROLE acceptance LOGIN PASSWORD 'acceptance';
CREATE DATABASE acceptance OWNER acceptance;
CREATE ROLE security LOGIN PASSWORD 'security';
CREATE DATABASE security OWNER security;
CREATE ROLE supervision LOGIN PASSWORD 'supervision';
CREATE DATABASE supervision OWNER supervision;
