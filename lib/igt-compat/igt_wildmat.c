// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

/**
 * DOC: subtest name patterns
 *
 * --run-subtest and --dynamic-subtest take a wildmat (RFC 3977, section
 * 4): comma-separated shell patterns ('*', '?', "[a-z]", "[^0-9]"), each
 * negated by a leading '!'. The last pattern that matches the name decides:
 * "basic*,!basic-render*" selects the basic subtests except the
 * basic-render ones; "!foo" alone selects nothing.
 */
#include <fnmatch.h>

#include "compat_internal.h"

/**
 * igt_compat_wildmat - match a subtest name against a wildmat
 * @name: subtest or dynamic subtest name
 * @patterns: the wildmat
 *
 * Return: true when the last of @patterns that matches @name is not
 * negated.
 */
bool igt_compat_wildmat(const char *name, const char *patterns)
{
	char *copy = strdup(patterns);
	char *cursor = copy, *pattern;
	bool selected = false;

	if (!copy)
		igt_compat_misuse("out of memory matching subtest %s\n", name);

	while ((pattern = strsep(&cursor, ","))) {
		bool negated = pattern[0] == '!';

		if (fnmatch(pattern + negated, name, 0) == 0)
			selected = !negated;
	}

	free(copy);
	return selected;
}
