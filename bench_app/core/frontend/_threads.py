"""OpenMP threads of the numba kernels sleep between calls instead of spinning.

The front end's kernels are ``parallel=True``; numba runs them on OpenMP (libgomp) threads,
whose default wait policy spins for a while after every parallel region. A virtual board calls
the front end for one 10 ms step at a time, 100 times a second, so its idle threads never
stopped spinning: an idle board used 55-100 % of a core (issue 9). ``PASSIVE`` makes them
sleep; large batches (the host's reference) lose nothing measurable. It must be set before
libgomp starts, i.e. before the first parallel call, which this package's import precedes; a
value the user set is kept.
"""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
