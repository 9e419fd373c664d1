"""Prints the conformance table (model, signature, ops, max errors, result) after the run."""
import zoo_harness


def pytest_terminal_summary(terminalreporter):
    if not zoo_harness.ROWS:
        return
    terminalreporter.section("TensorFlow conformance")
    terminalreporter.write_line(zoo_harness.format_table(zoo_harness.ROWS))
    terminalreporter.write_line(zoo_harness.totals(zoo_harness.ROWS))
