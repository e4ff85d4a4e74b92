# SPDX-License-Identifier: MIT
"""JUnit XML for CI systems: one testsuite per GPU run, one testcase per
test.  Unexpected results are failures (with their logs); skips, expected
failures and known flakes are skipped, each with the reason."""

import re
import xml.etree.ElementTree as ET

from .judge import EXPECTED_FAIL, FLAKE, SKIP
from .store import log_of


def junit_xml(db, judgements):
    suites = ET.Element("testsuites", name="svm-results")
    for judgement in judgements:
        run = judgement.run
        suite = ET.SubElement(suites, "testsuite", name=run.config,
                              timestamp=run.date, hostname=run.machine)
        properties = ET.SubElement(suite, "properties")
        for name, value in (("run", run.id), ("kernel", run.kernel),
                            ("driver_commit", run.driver_commit),
                            ("igt_version", run.igt_version),
                            ("label", run.label),
                            ("expectations", judgement.expectations.name)):
            ET.SubElement(properties, "property", name=name,
                          value=str(value if value is not None else ""))
        failures = skipped = 0
        for verdict in judgement.verdicts:
            binary, _, subtest = verdict.test.partition("@")
            case = ET.SubElement(suite, "testcase", name=subtest or binary,
                                 classname=f"{run.config}.{binary}")
            if verdict.unexpected:
                failures += 1
                ET.SubElement(case, "failure", type=verdict.category,
                              message=_xml_safe(verdict.note))
                _attach_log(case, log_of(db, run, verdict.test))
            elif verdict.category in (SKIP, EXPECTED_FAIL, FLAKE):
                skipped += 1
                message = verdict.category + (f": {verdict.note}" if verdict.note
                                              else "")
                ET.SubElement(case, "skipped", message=_xml_safe(message))
        suite.set("tests", str(len(judgement.verdicts)))
        suite.set("failures", str(failures))
        suite.set("skipped", str(skipped))
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def _attach_log(case, log):
    if log is None:
        return
    ET.SubElement(case, "system-out").text = _xml_safe(log.out)
    ET.SubElement(case, "system-err").text = _xml_safe(
        log.err + ("\n--- dmesg ---\n" + log.dmesg if log.dmesg else ""))


def _xml_safe(text):
    """Replace the control characters XML 1.0 cannot hold (logs have them)."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "\ufffd", text)
