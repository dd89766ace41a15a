"""What else the machine did while we measured: a busy neighbour makes a run's figures worthless.

Background CPU = all CPU time used on the machine minus the server's and the driver's own, per second of
wall time; steal = time the hypervisor gave our vCPUs to someone else. Both are printed with the results.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import psutil

NOISY_CORES = 0.15  # more background than this and the run should be repeated


def _busy_and_steal() -> tuple[float, float]:
    t = psutil.cpu_times()
    total = sum(t)
    steal = float(getattr(t, "steal", 0.0))
    idle = float(t.idle + getattr(t, "iowait", 0.0))
    return total - idle - steal, steal


@dataclass
class LoadWatch:
    """Snapshot at start(); finish() returns background cores and steal cores over the interval."""

    busy0: float = 0.0
    steal0: float = 0.0
    wall0: float = 0.0
    own0: float = 0.0

    def start(self, own_cpu_s: float) -> None:
        self.busy0, self.steal0 = _busy_and_steal()
        self.wall0 = time.monotonic()
        self.own0 = own_cpu_s

    def finish(self, own_cpu_s: float) -> dict[str, float]:
        busy, steal = _busy_and_steal()
        wall = max(time.monotonic() - self.wall0, 1e-9)
        background = (busy - self.busy0 - (own_cpu_s - self.own0)) / wall
        return {"background_cpu_cores": max(background, 0.0), "steal_cores": (steal - self.steal0) / wall, "seconds": wall}
