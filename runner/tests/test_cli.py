# SPDX-License-Identifier: MIT
"""End to end: the command line over genuine igt_runner output, as the
pipeline calls it."""

import contextlib
import io
import json
import os
import re
import shutil
import xml.etree.ElementTree as ET

from svm_results.cli import main

from .fixtures import RUN_A, RUN_B, SELFTEST, TempDirTestCase


class CommandLineTest(TempDirTestCase):
    def setUp(self):
        super().setUp()
        self.db = os.path.join(self.tmp, "db", "results.sqlite")
        self.expectations = self.copied_expectations()

    def svm_results(self, *args):
        """(exit status, stdout, stderr) of one command."""
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main([*args, "--db", self.db,
                           "--expectations", self.expectations])
        return status, out.getvalue(), err.getvalue()

    def ingest_both(self):
        identity = os.path.join(self.tmp, "identity.json")
        with open(identity, "w", encoding="utf-8") as f:
            json.dump({"gfx_target": "gfx943", "xnack": "on", "virtual": True,
                       "driver_commit": "abc1234", "label": "release-0.1"}, f)
        self.assertEqual(self.svm_results("ingest", RUN_A, "--identity", identity)[0], 0)
        status, out, _ = self.svm_results(
            "ingest", RUN_B, "--identity", identity, "--driver-commit", "def5678",
            "--label", "nightly")
        self.assertEqual(status, 0)
        self.assertIn("as run 2 (vamdgpu-gfx943-xnack-on", out)

    def test_report_lists_regressions_and_fails(self):
        self.ingest_both()
        status, out, _ = self.svm_results("report", "--latest")
        self.assertEqual(status, 1)
        lines = out.splitlines()
        self.assertTrue(lines[0].startswith("GPU"))
        self.assertRegex(lines[2], r"^vamdgpu-gfx943-xnack-on\s+2\s")
        self.assertIn("svm_standin@partial-munmap", out)
        self.assertIn("delete line 2 of", out)
        self.assertEqual(lines[-1], "FAIL: 3 unexpected results on 1 of 1 GPU "
                         "(vamdgpu-gfx943-xnack-on: 2 unexpected-fail, "
                         "1 unexpected-pass)")

    def test_judge_one_run(self):
        self.ingest_both()
        status, out, _ = self.svm_results("judge", "1")
        self.assertEqual(status, 1)
        self.assertRegex(out, r"flake\s+svm_standin@evict-pingpong")
        self.assertRegex(out, r"expected-fail\s+svm_standin@quiesce-crash\s+incomplete")

    def test_judge_names_new_subtests(self):
        self.ingest_both()
        self.svm_results("ingest", self.edited_run_a(self.add_subtest), "--gfx-target",
                         "gfx943", "--xnack", "on", "--virtual")
        status, out, _ = self.svm_results("judge", "3")
        self.assertIn("1 new subtest since run 2: svm_standin@brand-new", out)

    @staticmethod
    def add_subtest(doc):
        doc["time_elapsed"]["start"] += 3600
        doc["tests"]["igt@svm_standin@brand-new"] = doc["tests"]["igt@svm_standin@basic"]

    def test_compare_with_a_labelled_baseline(self):
        self.ingest_both()
        status, out, _ = self.svm_results("compare", "release-0.1")
        self.assertEqual(status, 1)
        self.assertIn("vamdgpu-gfx943-xnack-on: +2 failures, -1 fixed in run 2 "
                      "vs run 1 (release-0.1", out)
        self.assertRegex(out, r"regression\s+svm_standin@partial-munmap\s+pass\s+fail")

    def test_history_of_a_subtest(self):
        self.ingest_both()
        status, out, _ = self.svm_results("history", "svm_standin@partial-munmap")
        self.assertEqual(status, 0)
        self.assertIn("vamdgpu-gfx943-xnack-on: .F", out)
        self.assertIn("failing (Fail) since run 2", out)
        self.assertIn("last pass: run 1, driver abc1234", out)

    def test_html_and_junit_reports(self):
        self.ingest_both()
        html_dir = os.path.join(self.tmp, "html")
        junit = os.path.join(self.tmp, "junit.xml")
        status, _, _ = self.svm_results("report", "--html", html_dir, "--junit", junit)
        self.assertEqual(status, 1)
        with open(os.path.join(html_dir, "index.html"), encoding="utf-8") as f:
            page = f.read()
        self.assertIn('class="unexpected-fail"', page)
        self.assertIn("logs/run-2/svm_standin@partial-munmap.html", page)
        log_page = os.path.join(html_dir, "logs", "run-2",
                                "svm_standin@partial-munmap.html")
        with open(log_page, encoding="utf-8") as f:
            self.assertIn("after munmap of the middle page", f.read())
        suite = ET.parse(junit).getroot().find("testsuite")
        self.assertEqual(suite.get("failures"), "3")
        failed = [c.get("name") for c in suite.iter("testcase")
                  if c.find("failure") is not None]
        self.assertIn("partial-munmap", failed)

    def ingest_on_two_gpus(self):
        """run-a as run 1 on gfx943 (XNACK on) and run 2 on gfx1100, its
        dynamic subtests named after the GPU as the suite names them."""
        for prefix, gpu, xnack in (("gpu0-gfx943-xnack-on", "gfx943", "on"),
                                   ("gpu0-gfx1100-xnack-off", "gfx1100", "none")):
            def edit(doc, prefix=prefix):
                doc["tests"] = {
                    name.replace("@migrate@", f"@migrate@{prefix}-"): r
                    for name, r in doc["tests"].items()}
                doc["time_elapsed"]["start"] += len(prefix)
            self.assertEqual(self.svm_results(
                "ingest", self.edited_run_a(edit, name=gpu),
                "--gfx-target", gpu, "--xnack", xnack, "--virtual")[0], 0)

    def test_html_matrix_has_one_row_per_test_on_every_gpu(self):
        self.ingest_on_two_gpus()
        html_dir = os.path.join(self.tmp, "html")
        self.svm_results("report", "--html", html_dir)
        with open(os.path.join(html_dir, "index.html"), encoding="utf-8") as f:
            matrix = f.read().split("<h2>Tests by GPU</h2>")[1]
        rows = re.findall(r"<tr><td>([^<]*)</td>", matrix)
        self.assertIn("svm_standin@migrate@vram-4k", rows)
        self.assertEqual(rows.count("svm_standin@migrate@vram-4k"), 1)
        self.assertFalse([r for r in rows if "-xnack-" in r], rows)
        row = matrix.split("<tr><td>svm_standin@migrate@vram-4k</td>")[1].split("</tr>")[0]
        self.assertEqual(row.count("<td class="), 2)

    def test_history_reads_one_test_across_gpus(self):
        self.ingest_on_two_gpus()
        status, out, _ = self.svm_results("history", "migrate@.*vram-4k")
        self.assertEqual(status, 0)
        self.assertEqual(out.splitlines()[0], "svm_standin@migrate@vram-4k")
        self.assertIn("  vamdgpu-gfx1100: ", out)
        self.assertIn("  vamdgpu-gfx943-xnack-on: ", out)
        self.assertNotIn("gpu0-", out)

    def test_compare_across_gpus_pairs_each_test(self):
        self.ingest_on_two_gpus()
        status, out, _ = self.svm_results("compare", "1", "2", "--all")
        self.assertEqual(status, 0, out)
        self.assertNotIn("migrate@", out)

    def test_update_expectations_then_report_is_clean(self):
        self.ingest_both()
        status, out, _ = self.svm_results("update-expectations")
        self.assertEqual(status, 0)
        self.assertIn("to set vamdgpu-gfx943-xnack-on", out)
        status, out, _ = self.svm_results("report")
        self.assertEqual(status, 0, out)
        self.assertTrue(out.endswith("OK: all 1 GPU as expected\n"))

    def test_judge_a_folder_with_its_identity_json_without_storing_it(self):
        folder = os.path.join(self.tmp, "run-b")
        shutil.copytree(RUN_B, folder)
        with open(os.path.join(folder, "identity.json"), "w", encoding="utf-8") as f:
            json.dump({"gfx_target": "gfx943", "xnack": "on", "virtual": False}, f)
        status, out, _ = self.svm_results("judge", folder)
        self.assertEqual(status, 1)
        self.assertIn(f"== gfx943-xnack-on: {folder},", out)
        self.assertIn("no previous run", out)
        self.assertFalse(os.path.exists(self.db))
        status, out, _ = self.svm_results("ingest", folder)
        self.assertIn("as run 1 (gfx943-xnack-on,", out)

    def test_igt_self_test_matches_its_expected_failures(self):
        """Genuine output of a C IGT test with every result kind: fail,
        crash, timeout, warn, skip, dynamic subtests."""
        status, out, _ = self.svm_results("judge", SELFTEST, "--gfx-target",
                                          "gfx1100", "--xnack", "none", "--virtual")
        self.assertEqual(status, 0, out)
        self.assertIn("expectations gfx1100,", out)
        self.assertRegex(out, r"expected-fail\s+igt_compat_selftest@timeout-hangs\s+timeout")
        self.assertRegex(out, r"expected-fail\s+igt_compat_selftest@crash-segfault\s+crash")
        self.assertTrue(out.endswith("OK: all 1 GPU as expected\n"))

    def test_filter_testlist_drops_skipped_tests(self):
        testlist = os.path.join(self.tmp, "testlist")
        with open(testlist, "w", encoding="utf-8") as f:
            f.write("igt@svm_standin@basic\n# comment\nigt@svm_standin@hang-forever\n")
        status, out, err = self.svm_results("filter-testlist", testlist,
                                            "--config", "vamdgpu-gfx943-xnack-on")
        self.assertEqual((status, out), (0, "igt@svm_standin@basic\n"))
        self.assertIn("skipped igt@svm_standin@hang-forever", err)

    def test_bad_input_is_exit_2_with_a_message(self):
        status, _, err = self.svm_results("report")
        self.assertEqual(status, 2)
        self.assertIn("no results database", err)
        truncated = self.results_dir_with('{"__type__": "TestrunResult", "te')
        status, _, err = self.svm_results("ingest", truncated, "--gfx-target",
                                          "gfx1100", "--xnack", "none", "--real")
        self.assertEqual(status, 2)
        self.assertIn("not valid JSON", err)
        self.ingest_both()
        status, _, err = self.svm_results("ingest", RUN_A, "--gfx-target",
                                          "gfx1100", "--xnack", "none", "--real")
        self.assertEqual(status, 2)
        self.assertIn("already in the database as run 1", err)
        status, _, err = self.svm_results("judge", "99")
        self.assertEqual((status, err.strip()), (2, "svm-results: error: no run 99 "
                                                 "in the database"))
