"""The facts the DET5xx rules share: what an iteration goes over (:mod:`.kinds`) and whether the
order that escapes it ends in bytes (:mod:`.sinks`)."""
