# SPDX-License-Identifier: MIT
"""Shared test data: genuine igt_runner output of tests/data/svm_standin
(see tests/data/make-fixtures.sh) and ways to damage it."""

import json
import os
import shutil
import tempfile
import unittest

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
RUN_A = os.path.join(DATA, "run-a")   # standin run a: migrate passes
RUN_B = os.path.join(DATA, "run-b")   # standin run b: partial-munmap, vram-2m fail
SELFTEST = os.path.join(DATA, "selftest")  # igt_compat_selftest: every result kind
EXPECTATIONS = os.path.join(DATA, "expectations")
SCHEMA_V1_DUMP = os.path.join(DATA, "schema-v1.sql")


class TempDirTestCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="svm-results-test-")
        self.addCleanup(shutil.rmtree, self.tmp)

    def results_dir_with(self, text, name="results"):
        """A results folder whose results.json holds text."""
        path = os.path.join(self.tmp, name)
        os.makedirs(path, exist_ok=True)
        with open(os.path.join(path, "results.json"), "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def edited_run_a(self, edit, name="edited"):
        """A copy of run-a's results.json passed through edit(dict)."""
        with open(os.path.join(RUN_A, "results.json"), encoding="utf-8") as f:
            doc = json.load(f)
        edit(doc)
        return self.results_dir_with(json.dumps(doc), name)

    def copied_expectations(self):
        path = os.path.join(self.tmp, "expectations")
        shutil.copytree(EXPECTATIONS, path)
        return path
