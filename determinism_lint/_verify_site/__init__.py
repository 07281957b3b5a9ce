"""Start-up hook used by ``determinism-lint verify`` to perturb directory order.

This directory is put at the front of ``PYTHONPATH`` for the verified command, so that Python
imports :mod:`sitecustomize` from here at start-up. Nothing imports this package directly; the
``__init__`` only makes packaging tools ship the directory.
"""
