# SPDX-License-Identifier: MIT
import os

from svm_results.errors import InputError
from svm_results.expectations import load_for_config, load_set

from .fixtures import EXPECTATIONS, TempDirTestCase


class LoadTest(TempDirTestCase):
    def write(self, name, text):
        with open(os.path.join(self.tmp, name), "w", encoding="utf-8") as f:
            f.write(text)

    def test_fixture_set(self):
        expectations = load_set(EXPECTATIONS, "gfx943-xnack-on")
        self.assertEqual(expectations.fails["svm_standin@quiesce-crash"].status,
                         "Crash")
        self.assertEqual(expectations.fails["svm_standin@fork-cow"].line, 3)
        self.assertTrue(expectations.flake_for("svm_standin@evict-pingpong"))
        self.assertFalse(expectations.flake_for("svm_standin@evict-pingpong-2"))
        self.assertTrue(expectations.skip_for("svm_standin@hang-forever"))
        self.assertEqual(len(expectations.fails_header), 1)

    def test_virtual_gpu_shares_the_real_set_until_it_has_its_own(self):
        self.assertEqual(load_for_config(EXPECTATIONS,
                                         "vamdgpu-gfx943-xnack-on").name,
                         "gfx943-xnack-on")
        self.write("vamdgpu-gfx943-xnack-on-skips.txt", "^nothing$\n")
        expectations = load_for_config(self.tmp, "vamdgpu-gfx943-xnack-on")
        self.assertEqual(expectations.name, "vamdgpu-gfx943-xnack-on")

    def test_no_files_means_everything_passes(self):
        expectations = load_for_config(self.tmp, "gfx1100")
        self.assertEqual((expectations.fails, expectations.flakes), ({}, []))

    def test_bad_fails_lines_name_file_and_line(self):
        for text, message in (
                ("a@b,Fail\nc@d\n", ":2: expected 'BINARY@SUBTEST,Status'"),
                ("a@b,Broken\n", ":1: status 'Broken'"),
                ("igt@a@b,Fail\n", ":1: drop the 'igt@' prefix"),
                ("a@b,Fail\na@b,Crash\n", ":2: a@b is already listed on line 1")):
            with self.subTest(text=text):
                self.write("gpu-fails.txt", text)
                with self.assertRaisesRegex(InputError, "gpu-fails.txt" + message):
                    load_set(self.tmp, "gpu")

    def test_flake_needs_its_comment_lines(self):
        self.write("gpu-flakes.txt", "# Board Name: x\n# Bug Report: y\nflaky\n")
        with self.assertRaisesRegex(InputError, ":3: flake 'flaky' lacks.*"
                                    "# Failure Rate:"):
            load_set(self.tmp, "gpu")

    def test_bad_regex_is_an_error(self):
        self.write("gpu-skips.txt", "# comment\nfoo(\n")
        with self.assertRaisesRegex(InputError, "gpu-skips.txt:2: bad regular"):
            load_set(self.tmp, "gpu")
