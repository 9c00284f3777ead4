-- standin-redshift.sql - dresses a PostgreSQL database as Redshift for the runner's Redshift
-- mode (tests/suites/64-redshift-standin.sh). Run it as a superuser in the database; the suite
-- then sets search_path and standard_conforming_strings on the database (ALTER DATABASE).
--   version()                says Redshift, as conn_is_redshift() reads it (r_VERSION)
--   getdate()                Redshift's current timestamp function (r_GETDATE)
--   pg_last_copy_id()        the last COPY's query id (PG_LAST_COPY_ID)
--   stv_sessions             live sessions, from pg_stat_activity (r_STV_SESSIONS)
--   sys_load_error_detail    load errors, from rsfake.load_errors filled by the test; every row
--                            belongs to the session that reads it (SYS_LOAD_ERROR_DETAIL)
--   stl_load_errors          the same for a provisioned cluster (r_STL_LOAD_ERRORS)
CREATE SCHEMA rsfake;
CREATE FUNCTION rsfake.version() RETURNS text LANGUAGE sql AS
$$SELECT 'PostgreSQL 8.0.2 on i686-pc-linux-gnu, compiled by GCC gcc (GCC) 3.4.2 20041017 (Red Hat 3.4.2-6.fc3), Redshift 1.0.48042'::text$$;
CREATE FUNCTION rsfake.getdate() RETURNS timestamp LANGUAGE sql AS $$SELECT localtimestamp(0)$$;
CREATE FUNCTION rsfake.pg_last_copy_id() RETURNS integer LANGUAGE sql AS $$SELECT 4242$$;
CREATE VIEW rsfake.stv_sessions AS SELECT pid AS process, usename AS user_name, backend_start AS starttime FROM pg_stat_activity WHERE pid IS NOT NULL;
CREATE TABLE rsfake.load_errors (file_name text, line_number bigint, column_name text, raw_value text, error_message text, error_code integer);
CREATE VIEW rsfake.sys_load_error_detail AS
    SELECT pg_backend_pid() AS session_id, now() AS start_time, file_name, line_number, column_name, error_message, error_code FROM rsfake.load_errors;
CREATE VIEW rsfake.stl_load_errors AS
    SELECT 4242 AS query, now() AS starttime, file_name AS filename, line_number, column_name AS colname, raw_value AS raw_field_value, error_message AS err_reason, error_code AS err_code FROM rsfake.load_errors;
