#!/usr/bin/env python
"""Same as the `levier` console command, for those used to manage.py."""

from levier.cli import main

if __name__ == "__main__":
    main()
