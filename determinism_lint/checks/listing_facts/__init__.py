"""The facts the DET3xx rules share: what a directory listing is (:mod:`.listings`), the shape of
a walk loop (:mod:`.walks`), and how a listing can be sorted where it stands (:mod:`.wrapping`)."""
