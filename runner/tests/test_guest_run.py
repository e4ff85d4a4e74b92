# SPDX-License-Identifier: MIT
"""End to end on igt_runner output produced in the QEMU guest by ci/test:
vamdgpu_basic on a virtual gfx1100 whose driver raised a kernel WARN when
the render node was opened (a bug of an early vamdgpu), so igt_runner
reported dmesg-fail and the dependent subtests skipped."""

import contextlib
import io
import os

from svm_results import cli

from .fixtures import DATA, TempDirTestCase

GUEST_RUN = os.path.join(DATA, "guest-gfx1100-dmesg-fail")


class GuestRunTest(TempDirTestCase):
    def run_cli(self, *args):
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            status = cli.main(list(args))
        return status, out.getvalue()

    def test_kernel_warn_is_an_unexpected_failure(self):
        status, out = self.run_cli("judge", GUEST_RUN,
                                   "--db", os.path.join(self.tmp, "db.sqlite"),
                                   "--expectations", self.copied_expectations())
        self.assertEqual(status, 1, out)
        self.assertRegex(out, r"unexpected-fail\s+vamdgpu_basic@render-nodes\s+dmesg-fail")
        self.assertRegex(out, r"skip\s+vamdgpu_basic@info\s")
        self.assertIn("vamdgpu-gfx1100", out)

    def test_history_shows_the_failure_since_the_guest_run(self):
        db = os.path.join(self.tmp, "db.sqlite")
        status, out = self.run_cli("ingest", GUEST_RUN, "--db", db)
        self.assertEqual(status, 0, out)
        self.assertIn("vamdgpu-gfx1100", out)
        status, out = self.run_cli("history", "vamdgpu_basic@render-nodes", "--db", db)
        self.assertEqual(status, 0, out)
        self.assertIn("failing (Fail) since run 1", out)
        self.assertIn("driver 70f2bf3-dirty, kernel 7.2.13", out)
