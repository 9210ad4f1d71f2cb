"""Part 7 (opt-in): ``mediate simulate`` with 10,000 cases — the what-if must take under 5 minutes.

The process library and the demo county go into a fresh SQLite file; the draft is
``processes/deadlines.dmn`` with the town's ordinary overdue limit shortened, so both runs (live,
then draft) play every case through the diagrams, with one worker process per core.
"""

from __future__ import annotations

import os
import time

from api.extensions import db
from engine import config, demo, deploy, simulation, simulation_mix

from . import fixtures as fx


def draft_files() -> list[deploy.SourceFile]:
    """The live deadlines table with one overdue limit cut from 5 days to 2."""
    content = (config.ROOT / "processes" / "deadlines.dmn").read_bytes()
    old = b'<outputEntry id="deadlines_r4_o3"><text>\'P5D\''
    return [deploy.SourceFile("deadlines.dmn", content.replace(old, old.replace(b"P5D", b"P2D")))]


def run(cases: int, seed: int = 1, workers: int | None = None) -> dict:
    """Seconds for one what-if over ``cases`` synthetic cases (``workers`` processes, default one per core)."""
    with fx.fresh_database("sqlite", None):
        processes, forms = config.ROOT / "processes", config.ROOT / "forms"
        deploy.deploy(db.session, deploy.read_directories(processes, forms), "bench", max_bytes=10_000_000,
                      forms_dir=forms)
        demo.load(db.session)
        db.session.commit()
        start = time.perf_counter()
        result = simulation.what_if(db.session, draft_files(), simulation_mix.load(), cases=cases, seed=seed,
                                    workers=workers or os.cpu_count() or 1)
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "live": result.live, "draft": result.draft, "workers": workers or os.cpu_count() or 1}
