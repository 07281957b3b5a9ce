"""The facts the DET2xx rules share: whether a mapping's key order is fixed (:mod:`.key_order`),
whether a value is visibly an order-dependent container (:mod:`.containers`), where a dump's text
persists (:mod:`.sinks`), and what a builtin ``hash()`` value is used for (:mod:`.salting`)."""
