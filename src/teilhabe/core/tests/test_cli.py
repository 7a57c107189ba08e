from unittest import mock

from teilhabe import cli


def test_hyphenated_command_names_reach_their_command():
    with mock.patch("django.core.management.execute_from_command_line") as run:
        cli.main(["export-hsds", "coesfeld"])
    run.assert_called_once_with(["teilhabe", "export_hsds", "coesfeld"])


def test_other_commands_pass_unchanged():
    with mock.patch("django.core.management.execute_from_command_line") as run:
        cli.main(["migrate", "--noinput"])
    run.assert_called_once_with(["teilhabe", "migrate", "--noinput"])
