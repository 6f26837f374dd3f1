#!/usr/bin/env python3
"""Build the publication site and the reflection sheets.

    python build.py           build everything into site/
    python build.py serve     local preview with live reload
    python build.py check     validate the input only (what a pull request runs first)
    python build.py clean     remove site/ and .cache/

The work is done by the `publisher` package; see README.md.
"""

import sys

from publisher.cli import exit_at_once, main

if __name__ == "__main__":
    exit_at_once(main(sys.argv[1:]))
