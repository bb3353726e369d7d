"""The `levier` console command: Django's manage command for this project.

`levier <app> <action>` (e.g. `levier territories load-reference`) is a
management command named after the app, with the action as sub-command.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["levier", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
