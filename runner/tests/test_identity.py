# SPDX-License-Identifier: MIT
import json
import os

from svm_results.errors import InputError
from svm_results.identity import config_name, read_identity_file, resolve_identity
from svm_results.resultsfile import read_results_dir

from .fixtures import RUN_A, TempDirTestCase

NO_FLAGS = {}


class ConfigNameTest(TempDirTestCase):
    def test_names(self):
        self.assertEqual(config_name("gfx1100", "none", False), "gfx1100")
        self.assertEqual(config_name("gfx943", "on", False), "gfx943-xnack-on")
        self.assertEqual(config_name("gfx943", "off", True),
                         "vamdgpu-gfx943-xnack-off")


class ResolveIdentityTest(TempDirTestCase):
    def setUp(self):
        super().setUp()
        self.run = read_results_dir(RUN_A)

    def identity_file(self, doc):
        path = os.path.join(self.tmp, "identity.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f)
        return path

    def test_file_fields_with_defaults_from_results(self):
        fields = read_identity_file(self.identity_file(
            {"gfx_target": "gfx943", "xnack": "on", "virtual": True,
             "driver_commit": "abc1234"}))
        identity = resolve_identity(fields, NO_FLAGS, self.run)
        self.assertEqual(identity.config, "vamdgpu-gfx943-xnack-on")
        self.assertEqual(identity.kernel, self.run.kernel)
        self.assertEqual(identity.machine, self.run.machine)
        self.assertEqual(identity.igt_version, "2.5-gstandin")
        self.assertEqual(identity.label, "standin-a")
        self.assertTrue(identity.date.endswith("+00:00"))

    def test_flags_win_over_the_file(self):
        identity = resolve_identity(
            {"gfx_target": "gfx943", "xnack": "on", "virtual": True,
             "machine": "from-file"},
            {"xnack": "off", "machine": "from-flag", "kernel": None},
            self.run)
        self.assertEqual(identity.config, "vamdgpu-gfx943-xnack-off")
        self.assertEqual(identity.machine, "from-flag")

    def test_date_is_normalised_to_utc(self):
        identity = resolve_identity(
            {"gfx_target": "gfx1100", "xnack": "none", "virtual": False,
             "date": "2026-03-01T12:00:00+02:00"}, NO_FLAGS, self.run)
        self.assertEqual(identity.date, "2026-03-01T10:00:00+00:00")

    def test_missing_gpu_is_an_error(self):
        with self.assertRaisesRegex(InputError, "lacks 'gfx_target'.*--gfx-target"):
            resolve_identity({"xnack": "on", "virtual": True}, NO_FLAGS, self.run)

    def test_bad_values_are_errors(self):
        base = {"gfx_target": "gfx943", "xnack": "on", "virtual": True}
        for change, message in (({"xnack": "maybe"}, "xnack 'maybe'"),
                                ({"gfx_target": "mi300"}, "not a gfx target"),
                                ({"virtual": "yes"}, "true or false"),
                                ({"date": "yesterday"}, "ISO 8601"),
                                ({"kernel": 7}, "not a string")):
            with self.subTest(change=change):
                with self.assertRaisesRegex(InputError, message):
                    resolve_identity({**base, **change}, NO_FLAGS, self.run)

    def test_unknown_key_in_file_is_an_error(self):
        path = self.identity_file({"gfx_target": "gfx943", "gpu": "mi300"})
        with self.assertRaisesRegex(InputError, "unknown key.*gpu"):
            read_identity_file(path)

    def test_malformed_file_is_an_error(self):
        path = os.path.join(self.tmp, "identity.json")
        with open(path, "w", encoding="utf-8") as f:
            f.write('{"gfx_target": ')
        with self.assertRaisesRegex(InputError, "not valid JSON"):
            read_identity_file(path)
