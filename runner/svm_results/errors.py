# SPDX-License-Identifier: MIT
"""The one exception type the tool raises for bad input."""


class InputError(Exception):
    """Bad input from the user: the message names the problem.

    The command line prints the message and exits with status 2; nothing
    has been written to the database when it is raised.
    """
