#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Write LAVA job definitions for the SVM suite: one per GPU configuration
of a lab device (gfx1100; gfx943 with XNACK on and off), and one QEMU job
for the virtual GPU.

A lab job deploys the project's kernel (bzImage with the series), its
modules and an NFS root that has IGT's igt_runner (Debian's
igt-gpu-tools), boots it with iPXE (XNACK on: amdgpu.noretry=0), fetches
the built suite, runs it with igt_runner, reports every subtest through
LAVA's lava-test-case (lab/lava_results.py) and, given --artifacts-url,
uploads results.json and records its URL with lava-test-reference;
without it, the results folder goes out on the console as a base64 tar
between marker lines (lava_results.py extract takes it back from the
job's log).

The QEMU job, written when --qemu-rootfs-url is given, needs neither
disk nor network: it boots the same kernel with an initramfs (the guest
root, lab/lava-artifacts makes it) into which LAVA unpacks its test
overlay, the modules and the suite, and loads the virtual GPU first.

Usage: lava_jobs.py --kernel-url URL --modules-url URL --rootfs-url URL
                    --suite-url URL [--qemu-rootfs-url URL]
                    [--device-type TYPE] [--artifacts-url URL]
                    [--testlist full|fast] [--include REGEX] -o DIR
"""

import argparse
import os
import sys

import yaml

from lava_results import RESULTS_BEGIN, RESULTS_END

# Lab configurations: name -> (gfx target, HSA_XNACK, kernel arguments).
LAB_CONFIGS = {
    "gfx1100": ("gfx1100", None, "amdgpu.noretry=1"),
    "gfx943-xnack-off": ("gfx943", "0", "amdgpu.noretry=1"),
    "gfx943-xnack-on": ("gfx943", "1", "amdgpu.noretry=0"),
}
QEMU_CONFIG = "qemu-vamdgpu-gfx943"
SUITE_DIR = "/tmp/amdgpu-svm"
PROMPT = "root@"
# The shell prompt of lab/lava-guest-init.
QEMU_PROMPT = "root@vgpu-guest"


def _minutes(n):
    return {"minutes": n}


def _test_steps(config, xnack, args, virtual_gpus=None):
    results = f"{SUITE_DIR}/results/{config}"
    # igt_runner makes the results folder but not its parent.
    steps = ["set -e", f"mkdir -p {SUITE_DIR}/results"]
    if virtual_gpus:
        # The suite came in the initramfs with LAVA's overlay.
        steps.append(f"modprobe vamdgpu devices={virtual_gpus}")
    else:
        steps += [f"wget -qO- \"$SUITE_URL\" | tar -xJf - -C {SUITE_DIR}"]
    include = f"-t '{args.include}' " if args.include else ""
    steps += [
        (f"export HSA_XNACK={xnack}" if xnack is not None else "unset HSA_XNACK"),
        ("igt_runner --test-list "
         f"{SUITE_DIR}/tests/testlists/svm-{args.testlist}.testlist {include}"
         "--per-test-timeout 120 --dmesg-warn-level 4 --overwrite "
         f"--name {config} {SUITE_DIR}/build/tests {results} || true"),
        f"python3 {SUITE_DIR}/lab/lava_results.py {results}/results.json",
    ]
    if args.artifacts_url:
        url = (f"{args.artifacts_url.rstrip('/')}/$LAVA_JOB_ID/"
               f"{config}-results.json")
        steps += [
            f"wget -q --method=PUT --body-file={results}/results.json \"{url}\"",
            f"lava-test-reference results-json --result pass --reference \"{url}\"",
        ]
    else:
        # Kernel messages must not break into the base64 lines.
        steps += [
            "dmesg -n 1",
            f"echo '{RESULTS_BEGIN} {config}'",
            f"tar -C {results} -czf - . | base64",
            f"echo '{RESULTS_END}'",
        ]
    return steps


def _test_action(config, xnack, args, virtual_gpus=None):
    return {"test": {
        "timeout": _minutes(150),
        "definitions": [{
            "from": "inline",
            "name": "amdgpu-svm",
            "path": "inline/amdgpu-svm.yaml",
            "repository": {
                "metadata": {
                    "format": "Lava-Test Test Definition 1.0",
                    "name": "amdgpu-svm",
                    "description": f"amdgpu SVM IGT suite, {config}",
                },
                "params": {"SUITE_URL": args.suite_url},
                "run": {"steps": _test_steps(config, xnack, args,
                                             virtual_gpus)},
            },
        }],
    }}


def _common(name, device_type, metadata):
    return {
        "device_type": device_type,
        "job_name": name,
        "priority": "medium",
        "visibility": "public",
        "timeouts": {"job": _minutes(240), "action": _minutes(150),
                     "connection": _minutes(2)},
        "metadata": metadata,
    }


def lab_job(config, args):
    gfx, xnack, kernel_args = LAB_CONFIGS[config]
    job = _common(f"amdgpu-svm {config}", args.device_type,
                  {"gpu": gfx, "xnack": {None: "none", "0": "off", "1": "on"}[xnack],
                   "config": config})
    job["context"] = {"extra_kernel_args": kernel_args}
    job["actions"] = [
        {"deploy": {
            "to": "tftp",
            "timeout": _minutes(15),
            "kernel": {"url": args.kernel_url},
            "modules": {"url": args.modules_url, "compression": "xz"},
            "nfsrootfs": {"url": args.rootfs_url, "compression": "xz"},
        }},
        {"boot": {
            "method": "ipxe",
            "commands": "nfs",
            "timeout": _minutes(10),
            "prompts": [PROMPT],
        }},
        _test_action(config, xnack, args),
    ]
    return job


def qemu_job(args):
    job = _common(f"amdgpu-svm {QEMU_CONFIG}", "qemu",
                  {"gpu": "gfx943", "xnack": "on", "config": QEMU_CONFIG,
                   "virtual": True})
    # TCG is slow: 2 CPUs and room for the VRAM tests' buffers.
    job["context"] = {"arch": "amd64", "memory": 4096, "cpu": "max",
                      "extra_options": ["-smp 2",
                                        "-append 'console=ttyS0 panic=-1'"]}
    job["actions"] = [
        {"deploy": {
            "to": "tmpfs",
            "timeout": _minutes(15),
            "images": {
                "kernel": {"image_arg": "-kernel {kernel}",
                           "url": args.kernel_url},
                # LAVA unpacks its overlay, the modules and the suite
                # into the initramfs: the guest needs no disk driver.
                "initrd": {"image_arg": "-initrd {initrd}",
                           "url": args.qemu_rootfs_url,
                           "compression": "gz",
                           "format": "cpio.newc",
                           "overlays": {
                               "lava": True,
                               "modules": {"url": args.modules_url,
                                           "compression": "xz",
                                           "format": "tar", "path": "/"},
                               "suite": {"url": args.suite_url,
                                         "compression": "xz",
                                         "format": "tar", "path": SUITE_DIR},
                           }},
            },
        }},
        {"boot": {
            "method": "qemu",
            "media": "tmpfs",
            "timeout": _minutes(10),
            "prompts": [QEMU_PROMPT],
        }},
        _test_action(QEMU_CONFIG, "1", args, virtual_gpus="gfx943"),
    ]
    return job


def jobs(args):
    """{file name: job definition}."""
    written = {f"{config}.yaml": lab_job(config, args) for config in LAB_CONFIGS}
    if args.qemu_rootfs_url:
        written[f"{QEMU_CONFIG}.yaml"] = qemu_job(args)
    return written


def _parser():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--kernel-url", required=True,
                   help="the kernel with the SVM series (bzImage)")
    p.add_argument("--modules-url", required=True,
                   help="its modules, a .tar.xz of lib/modules")
    p.add_argument("--rootfs-url", required=True,
                   help="NFS root, .tar.xz, with igt_runner and python3")
    p.add_argument("--qemu-rootfs-url",
                   help="the QEMU job's initramfs, .cpio.gz "
                   "(lab/lava-artifacts); without it, no QEMU job")
    p.add_argument("--suite-url", required=True,
                   help=".tar.xz of the built suite: build/tests, "
                   "tests/testlists, lab/")
    p.add_argument("--artifacts-url", help="where jobs PUT results.json")
    p.add_argument("--device-type", default="x86",
                   help="LAVA device type of the lab machines (default x86)")
    p.add_argument("--testlist", choices=("full", "fast"), default="full")
    p.add_argument("--include", metavar="REGEX",
                   help="run only the testlist's tests that match "
                   "(igt_runner -t)")
    p.add_argument("-o", "--output", required=True, metavar="DIR")
    return p


def main(argv=None):
    parser = _parser()
    args = parser.parse_args(argv)
    if args.include and "'" in args.include:
        parser.error("--include: a quote cannot go into the job's shell step")
    os.makedirs(args.output, exist_ok=True)
    for name, job in jobs(args).items():
        path = os.path.join(args.output, name)
        with open(path, "w", encoding="utf-8") as f:
            yaml.safe_dump(job, f, sort_keys=False, default_flow_style=False)
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
