# SPDX-License-Identifier: MIT
"""KCIDB export: every document validates against the project's
transcription of KCIDB I/O schema 4.3 (Debian's python3-jsonschema), each
IGT result maps to its KCIDB status, and a test reads the same on every
GPU."""

import contextlib
import io
import json
import os

import jsonschema

from svm_results.cli import main
from svm_results.kcidb import KCIDB_STATUS, test_path
from svm_results.results import STATUS_OF_RESULT

from .fixtures import RUN_A, RUN_B, SELFTEST, TempDirTestCase

SCHEMA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                      "kcidb", "kcidb-io-v4.3.schema.json")


class KcidbTest(TempDirTestCase):
    def setUp(self):
        super().setUp()
        self.db = os.path.join(self.tmp, "results.sqlite")
        with open(SCHEMA, encoding="utf-8") as f:
            self.validator = jsonschema.Draft7Validator(json.load(f))

    def svm_results(self, *args):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main([*args, "--db", self.db])
        return status, out.getvalue(), err.getvalue()

    def exported(self, *args):
        status, out, err = self.svm_results("export-kcidb", *args)
        self.assertEqual(status, 0, err)
        return json.loads(out)

    def ingest_all(self):
        for folder, gpu, xnack, commit in (
                (RUN_A, "gfx943", "on", "0123456789abcdef0123456789abcdef01234567"),
                (RUN_B, "gfx1100", "none", "def5678"),
                (SELFTEST, "gfx943", "off", "def5678")):
            self.assertEqual(self.svm_results(
                "ingest", folder, "--gfx-target", gpu, "--xnack", xnack,
                "--virtual", "--driver-commit", commit)[0], 0)

    def test_export_validates(self):
        self.ingest_all()
        doc = self.exported("1", "2", "3")
        self.validator.validate(doc)
        self.assertEqual(doc["version"], {"major": 4, "minor": 3})
        self.assertEqual(len(doc["checkouts"]), 2)
        self.assertEqual(doc["checkouts"][0]["git_commit_hash"],
                         "0123456789abcdef0123456789abcdef01234567")
        self.assertEqual(doc["checkouts"][1]["git_commit_name"], "def5678")
        self.assertEqual({t["build_id"] for t in doc["tests"]},
                         {b["id"] for b in doc["builds"]})
        statuses = {t["status"] for t in doc["tests"]}
        # The self-test has every kind of result.
        self.assertTrue({"PASS", "FAIL", "SKIP", "ERROR"} <= statuses, statuses)
        for t in doc["tests"]:
            self.assertEqual(t["status"], KCIDB_STATUS[
                STATUS_OF_RESULT[t["misc"]["igt_result"]]])
            self.assertIn(t["environment"]["misc"]["gpu"], ("gfx943", "gfx1100"))

    def test_every_igt_result_has_a_status(self):
        self.assertEqual(set(KCIDB_STATUS), set(STATUS_OF_RESULT.values()))

    def test_schema_refuses_what_kcidb_refuses(self):
        self.ingest_all()
        doc = self.exported("1")
        for damage in (lambda d: d["tests"][0].update(status="BROKEN"),
                       lambda d: d["tests"][0].update(path="igt.a@b"),
                       lambda d: d["tests"][0].update(id="no-origin"),
                       lambda d: d["checkouts"][0].update(git_commit_hash="abc"),
                       lambda d: d["tests"][0].update(log_excerpt="x" * 16385),
                       lambda d: d["builds"][0].update(unknown=1),
                       lambda d: d["version"].update(major=5)):
            damaged = json.loads(json.dumps(doc))
            damage(damaged)
            with self.subTest(damaged=damage), self.assertRaises(
                    jsonschema.ValidationError):
                self.validator.validate(damaged)

    def test_one_path_on_every_gpu(self):
        self.assertEqual(test_path("amd_svm_map@partial-munmap-middle"),
                         "igt.amd_svm_map.partial-munmap-middle")
        for gpu in ("gpu0-gfx943-xnack-on", "gpu1-gfx1100-xnack-off"):
            self.assertEqual(test_path(f"amd_svm_migrate@cpu-fault-granule@{gpu}-4k-head"),
                             "igt.amd_svm_migrate.cpu-fault-granule.4k-head")
            self.assertEqual(test_path(f"amd_svm_map@gpu-fill-cpu-check@{gpu}"),
                             "igt.amd_svm_map.gpu-fill-cpu-check")
        self.assertEqual(test_path("amd_svm_multi_gpu@map-cost@2x-gfx943-xnack-on"),
                         "igt.amd_svm_multi_gpu.map-cost.2x-gfx943-xnack-on")

    def test_log_urls(self):
        self.ingest_all()
        doc = self.exported("1", "--log-url-base", "https://lab.example/results")
        files = [f for t in doc["tests"] for f in t.get("output_files", [])]
        self.assertTrue(files)
        for f in files:
            self.assertTrue(f["url"].startswith("https://lab.example/results/run-a/"), f)
        self.validator.validate(doc)

    def test_bad_origin_is_refused(self):
        self.ingest_all()
        status, _, err = self.svm_results("export-kcidb", "1", "--origin", "My Lab")
        self.assertEqual(status, 2)
        self.assertIn("bad KCIDB origin", err)
