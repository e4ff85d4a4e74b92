-- A database as svm-results schema 1 left it (one run of run-a/),
-- for the migration test.
PRAGMA application_id = 1398164818;
PRAGMA user_version = 1;
BEGIN TRANSACTION;
CREATE TABLE results (
        run_id   INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        test     TEXT NOT NULL,              -- BINARY@SUBTEST[@DYNAMIC]
        result   TEXT NOT NULL,              -- igt_runner's result string
        duration REAL,
        PRIMARY KEY (run_id, test)
    );
INSERT INTO "results" VALUES(1,'svm_standin@basic','pass',0.001);
INSERT INTO "results" VALUES(1,'svm_standin@attr-bad-input','pass',0.001);
INSERT INTO "results" VALUES(1,'svm_standin@partial-munmap','pass',0.001);
INSERT INTO "results" VALUES(1,'svm_standin@fork-cow','fail',0.002);
INSERT INTO "results" VALUES(1,'svm_standin@needs-xnack','skip',0.0);
INSERT INTO "results" VALUES(1,'svm_standin@migrate','pass',0.001);
INSERT INTO "results" VALUES(1,'svm_standin@migrate@vram-4k','pass',0.001);
INSERT INTO "results" VALUES(1,'svm_standin@migrate@vram-2m','pass',0.001);
INSERT INTO "results" VALUES(1,'svm_standin@evict-pingpong','fail',0.002);
INSERT INTO "results" VALUES(1,'svm_standin@quiesce-crash','incomplete',0.0);
CREATE TABLE runs (
        id            INTEGER PRIMARY KEY,
        run_key       TEXT NOT NULL UNIQUE,  -- uname + start time of the run
        config        TEXT NOT NULL,         -- gfx943-xnack-on, vamdgpu-gfx1100
        gfx_target    TEXT NOT NULL,
        xnack         TEXT NOT NULL CHECK (xnack IN ('on', 'off', 'none')),
        virtual       INTEGER NOT NULL CHECK (virtual IN (0, 1)),
        kernel        TEXT NOT NULL,
        driver_commit TEXT,
        igt_version   TEXT,
        machine       TEXT NOT NULL,
        date          TEXT NOT NULL,         -- ISO 8601 UTC
        label         TEXT NOT NULL,
        elapsed       REAL,
        results_dir   TEXT NOT NULL,
        ingested_at   TEXT NOT NULL
    );
INSERT INTO "runs" VALUES(1,'Linux vm 6.18.44-fc-v595 #1 SMP PREEMPT_DYNAMIC @0 x86_64|1795595940.957734','vamdgpu-gfx943-xnack-on','gfx943','on',1,'6.18.44-fc-v595','abc1234','2.5-gstandin','lab-vm','2026-01-10T10:00:00+00:00','standin-a',5.41889667510986328125e-02,'/srv/results/run-a','2026-11-25T08:39:22+00:00');
CREATE INDEX runs_by_config_date ON runs (config, date);
CREATE INDEX results_by_test ON results (test);
COMMIT;
