"""The conformance report: one line per check (level, name, pass / fail / n/a, and why).

A check that cannot run because the board says it lacks the feature is "n/a" with the reason;
anything the board got wrong, and any level the link broke off, is "fail". `Report.exit_code`
is 0 when nothing failed and 1 otherwise (`bench-app conformance` exits with it).
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from typing import Any

PASS, FAIL, NA = "pass", "fail", "n/a"
#: The levels and what each checks (for --help, the README and the report's header).
LEVELS = {
    "L0": "HELLO / INFO: protocol version, front-end config, capabilities",
    "L1": "injected golden PCM: bit-exact FRAMEs and the PCM echoed",
    "L2": "RESULT scores equal the host twin's TFLM run on the board's own frames",
    "L3": "live microphone: non-zero level, frame cadence, overflow counters",
    "L4": "soak (optional): nothing dropped for --soak-s seconds",
}


@dataclasses.dataclass(frozen=True)
class Check:
    """One check's verdict and its one-sentence reason."""

    level: str
    name: str
    status: str
    reason: str
    seconds: float = 0.0

    def line(self) -> str:
        return f"{self.level}  {self.name:<24} {self.status.upper():<5} {self.reason}"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class Report:
    """Every check of one conformance run, with what the board said it was."""

    device: str
    checks: list[Check] = dataclasses.field(default_factory=list)
    info: dict[str, Any] | None = None
    link: dict[str, Any] | None = None
    started: float = dataclasses.field(default_factory=time.time)

    def add(self, level: str, name: str, status: str, reason: str, seconds: float = 0.0
            ) -> Check:  # fmt: skip
        check = Check(level, name, status, reason, round(seconds, 3))
        self.checks.append(check)
        return check

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if c.status == FAIL]

    @property
    def exit_code(self) -> int:
        """0 when no check failed (n/a is not a failure), else 1."""
        return 1 if self.failed else 0

    def status(self, level: str) -> str:
        """The level's verdict: fail if any check failed, pass if any passed, else n/a."""
        got = {c.status for c in self.checks if c.level == level}
        return FAIL if FAIL in got else PASS if PASS in got else NA

    def summary(self) -> str:
        levels = sorted({c.level for c in self.checks})
        counts = {s: sum(c.status == s for c in self.checks) for s in (PASS, FAIL, NA)}
        return (" ".join(f"{lv} {self.status(lv)}" for lv in levels)
                + f" ({counts[PASS]} pass, {counts[FAIL]} fail, {counts[NA]} n/a)")

    def lines(self) -> list[str]:
        return [c.line() for c in self.checks]

    def to_dict(self) -> dict[str, Any]:
        return {"device": self.device, "started": self.started,
                "result": "fail" if self.failed else "pass", "exit_code": self.exit_code,
                "levels": {lv: self.status(lv) for lv in sorted({c.level for c in self.checks})},
                "checks": [c.to_dict() for c in self.checks], "info": self.info,
                "link": self.link}  # fmt: skip

    def write(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=2) + "\n")
