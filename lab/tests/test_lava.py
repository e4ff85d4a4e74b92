# SPDX-License-Identifier: MIT
"""LAVA jobs: every definition lava_jobs.py writes passes LAVA's own job
schema (Debian's lava-common, lava_common.schemas.validate), damaged ones
do not, each configuration boots and runs in its XNACK mode, the QEMU job
needs neither disk nor network, lava_results.py reports each subtest of a
genuine results.json, and the results folder a job prints on its console
comes back whole out of lava-run's log."""

import contextlib
import copy
import io
import json
import os
import subprocess
import tarfile
import tempfile
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
        "--qemu-rootfs-url", "https://lab.example/qemu-rootfs.cpio.gz",
        "--artifacts-url", "https://lab.example/artifacts", "-o", "unused"]
NO_ARTIFACTS = [a for a in ARGS if "artifacts" not in a]


def lava_log(lines):
    """lava-run's log of a job whose console printed LINES."""
    records = [{"dt": "2026-12-05T00:00:00", "lvl": "info", "msg": "start"}]
    records += [{"dt": "2026-12-05T00:00:01", "lvl": "target", "msg": line}
                for line in lines]
    # lava-run writes YAML flow mappings, not always JSON: a tag, escapes.
    return [json.dumps(r) + "\n" for r in records] + [
        '{"dt": "2026-12-05T00:00:02", "lvl": "results", "msg": {"case": '
        '"file-download", "definition": "lava", "extra": {"size": ! "3634176"}, '
        '"result": "pass"}}\n',
        '{"dt": "2026-12-05T00:00:03", "lvl": "target", "msg": "  File '
        '\\\"/tmp/x.py\\\", line 1"}\n']


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
            self.assertNotIn(lava_results.RESULTS_BEGIN, text)

    def test_qemu_job_needs_no_disk_or_network(self):
        job = self.jobs["qemu-vamdgpu-gfx943.yaml"]
        images = job["actions"][0]["deploy"]["images"]
        self.assertEqual(sorted(images), ["initrd", "kernel"])
        initrd = images["initrd"]
        self.assertEqual(initrd["format"], "cpio.newc")
        self.assertEqual(initrd["image_arg"], "-initrd {initrd}")
        self.assertTrue(initrd["overlays"]["lava"])
        self.assertEqual(initrd["overlays"]["modules"]["path"], "/")
        self.assertEqual(initrd["overlays"]["suite"]["path"],
                         lava_jobs.SUITE_DIR)
        self.assertNotIn("wget -qO-", steps(job))
        self.assertEqual(job["actions"][1]["boot"]["prompts"],
                         [lava_jobs.QEMU_PROMPT])
        with open(os.path.join(os.path.dirname(os.path.dirname(
                os.path.abspath(__file__))), "lava-guest-init"),
                encoding="utf-8") as f:
            self.assertIn(f"PS1='{lava_jobs.QEMU_PROMPT}:", f.read())
        for name, job in self.jobs.items():
            if name != "qemu-vamdgpu-gfx943.yaml":
                self.assertIn("wget -qO-", steps(job))
        args = [a for a in ARGS if "qemu-rootfs" not in a]
        self.assertNotIn("qemu-vamdgpu-gfx943.yaml", lava_jobs.jobs(
            lava_jobs._parser().parse_args(args)))

    def test_include_narrows_the_testlist(self):
        args = lava_jobs._parser().parse_args(ARGS + ["--include", "amd_svm_attr"])
        for job in lava_jobs.jobs(args).values():
            self.assertIn("svm-full.testlist -t 'amd_svm_attr' ", steps(job))
        with contextlib.redirect_stderr(io.StringIO()), \
                self.assertRaises(SystemExit):
            lava_jobs.main(ARGS + ["--include", "it's"])

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


class ConsoleResultsTest(unittest.TestCase):
    """Without --artifacts-url the job's own steps print the results folder;
    extract() must give back the same bytes from lava-run's log, whatever
    else the console printed around them."""

    def run_dump_steps(self, results_dir):
        job = lava_jobs.jobs(lava_jobs._parser().parse_args(NO_ARTIFACTS))[
            "qemu-vamdgpu-gfx943.yaml"]
        step_list = steps(job).splitlines()
        dump = step_list[step_list.index("dmesg -n 1") + 1:]
        script = "\n".join(dump).replace(
            f"{lava_jobs.SUITE_DIR}/results/{lava_jobs.QEMU_CONFIG}",
            results_dir)
        return subprocess.run(["sh", "-ec", script], check=True,
                              capture_output=True, text=True).stdout

    def test_results_folder_comes_back_whole(self):
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "src")
            os.makedirs(src)
            with open(RUN_A, "rb") as f:
                original = f.read()
            with open(os.path.join(src, "results.json"), "wb") as f:
                f.write(original)
            console = self.run_dump_steps(src).splitlines()
            noise = ["[   12.5] vamdgpu 0000:00:02.0: quiesced",
                     "root@vgpu-guest:~# "]
            log = lava_log(noise + console[:3] + noise[:1] + console[3:] + noise)
            log.insert(2, json.dumps({"lvl": "results", "msg": {
                "definition": "0_amdgpu-svm", "case": "igt.a.b",
                "result": "pass"}}) + "\n")
            folders, cases, console = lava_results.extract(log)
            self.assertEqual(list(folders), [lava_jobs.QEMU_CONFIG])
            self.assertEqual(cases, {"pass": 1})
            self.assertEqual(console[0], noise[0])
            self.assertEqual(console[-1], '  File "/tmp/x.py", line 1')
            out = os.path.join(tmp, "out")
            with contextlib.redirect_stdout(io.StringIO()), \
                    contextlib.redirect_stderr(io.StringIO()):
                log_path = os.path.join(tmp, "lava.log")
                with open(log_path, "w", encoding="utf-8") as f:
                    f.writelines(log)
                self.assertEqual(lava_results.main(["extract", log_path, out]), 0)
            with open(os.path.join(out, lava_jobs.QEMU_CONFIG,
                                   "results.json"), "rb") as f:
                self.assertEqual(f.read(), original)
            # A failed test case in LAVA fails the extraction's status.
            log.insert(2, json.dumps({"lvl": "results", "msg": {
                "definition": "0_amdgpu-svm", "case": "igt.a.c",
                "result": "fail"}}) + "\n")
            with open(log_path, "w", encoding="utf-8") as f:
                f.writelines(log)
            with contextlib.redirect_stdout(io.StringIO()), \
                    contextlib.redirect_stderr(io.StringIO()):
                self.assertEqual(lava_results.main(["extract", log_path, out]), 1)

    def test_cut_off_results_are_refused(self):
        with tempfile.TemporaryDirectory() as tmp:
            console = self.run_dump_steps(tmp).splitlines()
        with self.assertRaisesRegex(ValueError, "never end"):
            lava_results.extract(lava_log(console[:-1]))

    def test_unsafe_member_is_refused(self):
        data = io.BytesIO()
        with tarfile.open(fileobj=data, mode="w:gz") as tar:
            info = tarfile.TarInfo("../escape")
            info.size = 0
            tar.addfile(info, io.BytesIO())
        encoded = __import__("base64").b64encode(data.getvalue()).decode()
        log = lava_log([f"{lava_results.RESULTS_BEGIN} x", encoded,
                        lava_results.RESULTS_END])
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "lava.log")
            with open(path, "w", encoding="utf-8") as f:
                f.writelines(log)
            with self.assertRaisesRegex(ValueError, "not a plain file"):
                lava_results.main(["extract", path, tmp])


if __name__ == "__main__":
    unittest.main()
