# SPDX-License-Identifier: MIT
import os

from svm_results.errors import InputError
from svm_results.resultsfile import read_results_dir

from .fixtures import RUN_A, RUN_B, TempDirTestCase


class ReadResultsDirTest(TempDirTestCase):
    def test_reads_genuine_igt_runner_output(self):
        run = read_results_dir(RUN_A)
        self.assertEqual(run.name, "standin-a")
        self.assertEqual(len(run.tests), 10)
        self.assertEqual(run.tests["svm_standin@fork-cow"].result, "fail")
        self.assertEqual(run.tests["svm_standin@quiesce-crash"].result, "incomplete")
        self.assertEqual(run.tests["svm_standin@migrate@vram-2m"].result, "pass")
        self.assertIn("CRITICAL", run.tests["svm_standin@fork-cow"].err)
        self.assertEqual(run.igt_version, "2.5-gstandin")
        self.assertEqual(run.machine, run.uname.split()[1])
        self.assertEqual(run.kernel, run.uname.split()[2])
        self.assertGreater(run.started, 1e9)

    def test_maps_tests_to_their_raw_log_folders(self):
        run = read_results_dir(RUN_B)
        migrate_job = run.tests["svm_standin@migrate"].job_dir
        self.assertEqual(run.tests["svm_standin@migrate@vram-2m"].job_dir, migrate_job)
        with open(os.path.join(RUN_B, migrate_job, "out.txt"), encoding="utf-8") as f:
            self.assertIn("Dynamic subtest vram-2m: FAIL", f.read())

    def test_truncated_json_is_an_error(self):
        with open(os.path.join(RUN_A, "results.json"), encoding="utf-8") as f:
            text = f.read()
        path = self.results_dir_with(text[: len(text) // 2])
        with self.assertRaisesRegex(InputError, "not valid JSON"):
            read_results_dir(path)

    def test_unknown_result_string_names_test_and_string(self):
        def edit(doc):
            doc["tests"]["igt@svm_standin@basic"]["result"] = "exploded"
        with self.assertRaisesRegex(InputError,
                                    "igt@svm_standin@basic.*'exploded'"):
            read_results_dir(self.edited_run_a(edit))

    def test_other_results_version_is_an_error(self):
        def edit(doc):
            doc["results_version"] = 9
        with self.assertRaisesRegex(InputError, "results_version 9"):
            read_results_dir(self.edited_run_a(edit))

    def test_not_a_testrun_result_is_an_error(self):
        with self.assertRaisesRegex(InputError, "TestrunResult"):
            read_results_dir(self.results_dir_with("[1, 2, 3]"))

    def test_no_tests_is_an_error(self):
        def edit(doc):
            doc["tests"] = {}
        with self.assertRaisesRegex(InputError, "tests.*empty"):
            read_results_dir(self.edited_run_a(edit))

    def test_test_name_without_igt_prefix_is_an_error(self):
        def edit(doc):
            doc["tests"]["svm_standin@odd"] = doc["tests"]["igt@svm_standin@basic"]
        with self.assertRaisesRegex(InputError, "'svm_standin@odd'"):
            read_results_dir(self.edited_run_a(edit))

    def test_bad_time_is_an_error(self):
        def edit(doc):
            doc["tests"]["igt@svm_standin@basic"]["time"]["end"] = "soon"
        with self.assertRaisesRegex(InputError, "non-number 'soon'"):
            read_results_dir(self.edited_run_a(edit))

    def test_missing_results_json_says_how_to_make_it(self):
        os.makedirs(os.path.join(self.tmp, "raw"))
        with self.assertRaisesRegex(InputError, "igt_results"):
            read_results_dir(os.path.join(self.tmp, "raw"))

    def test_missing_folder_is_an_error(self):
        with self.assertRaisesRegex(InputError, "no such results folder"):
            read_results_dir(os.path.join(self.tmp, "nowhere"))
