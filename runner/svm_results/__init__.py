# SPDX-License-Identifier: MIT
"""Per-GPU result tracking for the amdgpu SVM IGT suite.

The stages are separate modules, each usable on its own:
ingest (results.json + identity -> database), judge (a run against
expectations), compare (two runs), history (one subtest across runs),
and the reports (terminal, HTML, JUnit).
"""
