# SPDX-License-Identifier: MIT
import os

from svm_results.expectations import load_for_config, load_set
from svm_results.store import Run
from svm_results.update import plan_update, write_plan

from .fixtures import TempDirTestCase


def run(run_id, config="gfx943-xnack-on"):
    return Run(id=run_id, config=config, gfx_target="gfx943", xnack="on",
               virtual=config.startswith("vamdgpu-"), kernel="7.2.13",
               driver_commit="abc1234", igt_version="2.5", machine="lab-1",
               date=f"2026-01-0{run_id}T00:00:00+00:00", label="nightly",
               results_dir="/nowhere")


class UpdateTest(TempDirTestCase):
    def test_fixes_new_failures_changes_and_flakes(self):
        expectations = self.copied_expectations()
        runs_results = [
            (run(1), {"svm_standin@attr-bad-input": "pass",    # fixed
                      "svm_standin@fork-cow": "crash",         # Fail -> Crash
                      "svm_standin@partial-munmap": "fail",    # new failure
                      "svm_standin@migrate@vram-2m": "pass",   # flaky
                      "svm_standin@quiesce-crash": "incomplete",
                      "svm_standin@needs-xnack": "skip"}),
            (run(2), {"svm_standin@migrate@vram-2m": "fail",
                      "svm_standin@partial-munmap": "notrun"})]
        plan = plan_update(expectations, "gfx943-xnack-on", runs_results)
        self.assertEqual({(u.kind, u.test) for u in plan.updates}, {
            ("removed", "svm_standin@attr-bad-input"),
            ("changed", "svm_standin@fork-cow"),
            ("added", "svm_standin@partial-munmap"),
            ("flake", "svm_standin@migrate@vram-2m")})
        write_plan(plan)
        updated = load_set(expectations, "gfx943-xnack-on")
        self.assertEqual({t: f.status for t, f in updated.fails.items()}, {
            "svm_standin@fork-cow": "Crash",
            "svm_standin@partial-munmap": "Fail",
            "svm_standin@quiesce-crash": "Crash"})
        self.assertEqual(updated.fails_header, (
            "# Known failures of the stand-in on gfx943 with XNACK on (test fixture).",))
        flake = updated.flake_for("svm_standin@migrate@vram-2m")
        self.assertEqual(flake.pattern, "^svm_standin@migrate@vram-2m$")
        self.assertIn("# Failure Rate: 50", flake.comments)
        self.assertIn("# Board Name: lab-1", flake.comments)
        self.assertTrue(updated.flake_for("svm_standin@evict-pingpong"))

    def test_nothing_to_change_changes_nothing(self):
        expectations = self.copied_expectations()
        plan = plan_update(expectations, "gfx943-xnack-on",
                           [(run(1), {"svm_standin@fork-cow": "fail"})])
        self.assertEqual(plan.updates, ())

    def test_virtual_gpu_gets_its_own_set_from_the_real_one(self):
        expectations = self.copied_expectations()
        config = "vamdgpu-gfx943-xnack-on"
        plan = plan_update(expectations, config,
                           [(run(1, config), {"svm_standin@fork-cow": "pass"})])
        self.assertEqual(plan.updates[0].kind, "created")
        write_plan(plan)
        own = load_for_config(expectations, config)
        self.assertEqual(own.name, config)
        self.assertNotIn("svm_standin@fork-cow", own.fails)
        self.assertIn("svm_standin@quiesce-crash", own.fails)
        self.assertTrue(own.skip_for("svm_standin@hang-1"))
        self.assertTrue(own.flake_for("svm_standin@evict-pingpong"))
        real = load_set(expectations, "gfx943-xnack-on")
        self.assertIn("svm_standin@fork-cow", real.fails)

    def test_regex_specials_in_names_are_escaped(self):
        plan = plan_update(self.tmp, "gfx1100", [
            (run(1, "gfx1100"), {"b@size-4k(x)": "pass"}),
            (run(2, "gfx1100"), {"b@size-4k(x)": "fail"})])
        write_plan(plan)
        flake = load_set(self.tmp, "gfx1100").flakes[0]
        self.assertEqual(flake.pattern, r"^b@size-4k\(x\)$")
        self.assertTrue(os.path.exists(os.path.join(self.tmp, "gfx1100-fails.txt")))
