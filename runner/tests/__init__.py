# SPDX-License-Identifier: MIT
"""Unit and end-to-end tests of svm-results: python3 -m unittest discover
-s runner/tests -t runner (meson test runner-unit runs exactly that)."""
