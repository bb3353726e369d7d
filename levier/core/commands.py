"""Base for `levier <app> <action>` commands.

Each domain exposes one management command named after it, whose actions
are sub-commands. Bad input is printed on stderr in the shared error body and
the command exits with status 2.
"""

import json
import sys
from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from .errors import InvalidInput, as_invalid_input

EXIT_BAD_INPUT = 2


def date_option(value: str | None, field: str) -> date | None:
    """A `--from`, `--to` or `--as-of` option: AAAA-MM-JJ, or None when not given."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput.single(field, f"Date invalide : « {value} » (AAAA-MM-JJ attendu).") from None


class DomainCommand(BaseCommand):
    """Subclasses declare `actions = {"load-reference": "handle_load_reference", ...}`
    and `add_action_arguments(name, parser)` for per-action options."""

    actions: dict[str, str] = {}
    action_help: dict[str, str] = {}

    def add_arguments(self, parser):
        subparsers = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        for name in self.actions:
            sub = subparsers.add_parser(name, help=self.action_help.get(name, ""))
            self.add_action_arguments(name, sub)

    def add_action_arguments(self, name, parser):
        """Override to add options to one action."""

    def handle(self, *args, action, **options):
        self.run_safely(getattr(self, self.actions[action]), **options)

    def run_safely(self, function, **options):
        """Run an action; bad input goes to stderr in the shared error body, exit code 2."""
        try:
            function(**options)
        except ValidationError as exc:
            self.fail_with(as_invalid_input(exc))
        except InvalidInput as exc:
            self.fail_with(exc)

    def fail_with(self, exc: InvalidInput):
        sys.stderr.write(json.dumps(exc.as_body(), ensure_ascii=False, indent=2) + "\n")
        sys.exit(EXIT_BAD_INPUT)
