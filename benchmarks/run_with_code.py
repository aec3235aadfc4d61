"""Run a benchmark script of this checkout against another checkout's code
(the "before" figures):

    git archive main | tar -x -C /tmp/main-code
    .venv/bin/python benchmarks/run_with_code.py /tmp/main-code benchmarks/bench_ratios.py ...

The venv's editable install maps ``trefas_app`` to this checkout through an
import hook that wins over ``PYTHONPATH``; this drops the hook and puts the
other checkout first."""
import runpy
import sys

code, script, *rest = sys.argv[1:]
sys.meta_path = [f for f in sys.meta_path if "editable" not in repr(f)]
sys.path.insert(0, code)
sys.argv = [script, *rest]
runpy.run_path(script, run_name="__main__")
