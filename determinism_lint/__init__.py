"""determinism-lint: find and fix what makes pipeline artifacts non-reproducible or crash-unsafe."""

import os as _os
from pkgutil import extend_path as _extend_path

__version__ = "0.1.0"

__all__ = ["__version__"]

# ``determinism_lint.runtime`` comes from its own distribution, ``determinism-lint-runtime``
# (built from ``runtime/`` in the repository), which production code installs without the
# linter; there ``determinism_lint`` is a namespace package. Extending ``__path__`` finds that
# portion wherever it is installed (another site directory, or next to an editable linter).
# In a source checkout, the runtime sources in ``runtime/`` come first, so that the linter and
# the tests use the working tree, not an installed copy.
_checkout_runtime = _os.path.join(_os.path.dirname(_os.path.dirname(_os.path.abspath(__file__))), "runtime")
if _os.path.isfile(_os.path.join(_checkout_runtime, "determinism_lint", "runtime", "__init__.py")):
    __path__.insert(1, _os.path.join(_checkout_runtime, "determinism_lint"))
__path__ = _extend_path(__path__, __name__)
