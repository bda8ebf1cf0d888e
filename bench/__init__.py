"""opsbot's benchmark suite: ``uv run python -m bench`` (``--help`` for options).

Benchmarks are not tests: they never run in ``.ci/run`` and nothing asserts a
time. Every figure is measured beside a baseline taken in the same run,
because the machines are shared and absolute times drift. The results go to
``docs/performance.md``.
"""
