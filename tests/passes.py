"""Which tests CI's second pass leaves out (tests/conftest.py marks them
``clock_free``; packaging/bootstrap.sh runs that pass with
``-m "not clock_free"``). A module of its own so that a test can import the
list: ``conftest`` names the folder's own conftest.py in tests/ui."""

#: Tests that read neither the clock nor the machine's time zone: they read
#: the program's source or compile its SQL, with no store, no Qt and no date.
#: (test files, or test functions as "file::name"; parameters included.) The
#: second pass of packaging/bootstrap.sh (TZ=America/Los_Angeles, the real
#: clock) leaves them out with ``-m "not clock_free"``: it exists to catch
#: clock and zone bugs, and these cannot have any. In every run the program's
#: clock fails such a test if it reads it after all (tests/conftest.py,
#: ``_clock_free_guard``).
CLOCK_FREE = (
    "unit/test_layers.py",
    "unit/test_audit_labels.py",
    "unit/test_rule_sets.py",
    "integration/test_packaging_scripts.py",
    "integration/test_one_clock.py::test_only_the_clock_module_reads_the_machine_clock",
    "integration/test_one_clock.py::test_the_checker_finds_each_way_of_reading_the_machine_clock",
    "integration/test_one_clock.py::test_the_checker_lets_the_one_clock_through",
    "unit/test_clock_free.py::test_the_guard_refuses_the_clock_to_a_clock_free_test",
)
