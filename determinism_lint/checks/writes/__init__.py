"""Facts of the DET1xx family (non-atomic writes), computed from ``ast`` only (no libcst).

From the bottom up: the write vocabulary and its configuration (:mod:`.vocabulary`), what
local names are bound to (:mod:`.bindings`), write targets (:mod:`.targets`) and where they
come from (:mod:`.provenance`), openers and modes (:mod:`.openers`), the classification of a
call (:mod:`.classify`), hand-made temp-then-rename (:mod:`.renames`), :func:`write_site`
(:mod:`.sites`) and the fix plans ``check`` and ``fix`` share (:mod:`.fixplan`).
"""
