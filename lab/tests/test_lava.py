# SPDX-License-Identifier: MIT
"""LAVA jobs: every definition lava_jobs.py writes passes LAVA's own job
schema (Debian's lava-common, lava_common.schemas.validate), damaged ones
do not, each configuration boots and runs in its XNACK mode, and
lava_results.py reports each subtest of a genuine results.json."""

import contextlib
import copy
import io
import json
import os
import unittest

from lava_common.schemas import validate
from voluptuous import Invalid

import lava_jobs
import lava_results

RUN_A = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "runner", "tests", "data", "run-a",
    "results.json")
ARGS = ["--kernel-url", "https://lab.example/k/bzImage",
        "--modules-url", "https://lab.example/k/modules.tar.xz",
        "--rootfs-url", "https://lab.example/rootfs.tar.xz",
        "--suite-url", "https://lab.example/suite.tar.xz",
        "--artifacts-url", "https://lab.example/artifacts", "-o", "unused"]


def steps(job):
    test = next(a["test"] for a in job["actions"] if "test" in a)
    return "\n".join(test["definitions"][0]["repository"]["run"]["steps"])


class LavaJobsTest(unittest.TestCase):
    def setUp(self):
        self.jobs = lava_jobs.jobs(lava_jobs._parser().parse_args(ARGS))

    def test_every_job_passes_lavas_schema(self):
        self.assertEqual(sorted(self.jobs), [
            "gfx1100.yaml", "gfx943-xnack-off.yaml", "gfx943-xnack-on.yaml",
            "qemu-vamdgpu-gfx943.yaml"])
        for name, job in self.jobs.items():
            with self.subTest(job=name):
                validate(job, strict=True)

    def test_lavas_schema_refuses_broken_jobs(self):
        job = self.jobs["gfx943-xnack-on.yaml"]
        for damage in (lambda j: j.pop("visibility"),
                       lambda j: j["actions"][1]["boot"].update(method="teleport"),
                       lambda j: j["actions"][0]["deploy"].pop("kernel"),
                       lambda j: j["timeouts"].update(action={"hours": 9}),
                       lambda j: j["context"].update(not_a_variable="x")):
            broken = copy.deepcopy(job)
            damage(broken)
            with self.subTest(damage=damage), self.assertRaises(Invalid):
                validate(broken, strict=True)

    def test_each_configuration_runs_in_its_mode(self):
        on = self.jobs["gfx943-xnack-on.yaml"]
        self.assertEqual(on["context"]["extra_kernel_args"], "amdgpu.noretry=0")
        self.assertIn("export HSA_XNACK=1", steps(on))
        off = self.jobs["gfx943-xnack-off.yaml"]
        self.assertEqual(off["context"]["extra_kernel_args"], "amdgpu.noretry=1")
        self.assertIn("export HSA_XNACK=0", steps(off))
        self.assertIn("unset HSA_XNACK", steps(self.jobs["gfx1100.yaml"]))
        qemu = steps(self.jobs["qemu-vamdgpu-gfx943.yaml"])
        self.assertIn("modprobe vamdgpu devices=gfx943", qemu)
        for job in self.jobs.values():
            text = steps(job)
            self.assertIn("igt_runner --test-list", text)
            self.assertIn("lava_results.py", text)
            self.assertIn("lava-test-reference results-json", text)

    def test_each_subtest_is_a_test_case(self):
        with open(RUN_A, encoding="utf-8") as f:
            results = json.load(f)
        commands = list(lava_results.commands(results))
        self.assertEqual(len(commands), len(results["tests"]))
        for command, name in zip(commands, sorted(results["tests"])):
            self.assertEqual(command[:2], ["lava-test-case",
                                           name.replace("@", ".")])
            self.assertEqual(command[3], lava_results.LAVA_RESULT[
                results["tests"][name]["result"]])
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            self.assertEqual(lava_results.main([RUN_A, "--dry-run"]), 0)
        self.assertEqual(len(out.getvalue().splitlines()), len(commands))


if __name__ == "__main__":
    unittest.main()
