-- One row per scheduled job run: a job runs once per program and cadence instant, however many
-- scheduler processes see that instant.
CREATE TABLE job_runs (
    program_id   BIGINT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    job          TEXT NOT NULL,
    -- the cadence instant the run was for (not when it ran)
    instant      TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ NOT NULL,
    summary      TEXT NOT NULL,
    PRIMARY KEY (program_id, job, instant)
);
