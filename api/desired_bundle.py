"""Every worker follows the deployment's desired-bundle row and tails the ticket log."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Executor
from pathlib import Path
from typing import Annotated

from fastapi import Depends

from api.deps import ModelHolder, StateDep
from api.lifecycle import reload
from api.metrics import Metrics
from api.settings import Settings
from api.ticket_log import TicketLogTail
from triage.errors import BundleError, TriageError
from triage.store.protocol import FeedbackStore

logger = logging.getLogger(__name__)


class BundleFollower:
    """Keeps this worker on the newest requested bundle and its index on the ticket log.

    A reload on any worker loads the bundle there, then writes a desired-bundle row; every
    worker polls that row and the log every `replica_poll_s` seconds, so a reload reaches all
    of them, and a resolved ticket is searchable everywhere, within about one poll interval
    (plus the load, or one embedding). Each response comes from one model, and names it.
    """

    def __init__(
        self,
        holder: ModelHolder,
        settings: Settings,
        metrics: Metrics,
        store: FeedbackStore,
        executor: Executor,
    ) -> None:
        self.holder, self.settings, self.metrics = holder, settings, metrics
        self.store, self.executor = store, executor
        self.log = TicketLogTail(store, metrics.ticket_log_delay.observe, metrics.count_log_tickets)
        self.generation = 0
        """The newest desired-bundle row this worker has acted on."""
        self._following = threading.Lock()  # a request and a poll never load at once
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bundle-follower", daemon=True)

    def load(self, bundle_dir: Path) -> tuple[str | None, str]:
        """Load and swap in `bundle_dir` here only (see `api.lifecycle.reload`)."""
        return reload(self.holder, bundle_dir, self.settings, self.metrics, self.log, self.executor)

    def request(self, bundle_dir: Path) -> tuple[str | None, str]:
        """Load `bundle_dir` here, then ask every worker to follow. A bundle that fails its
        checks raises `BundleError` and is never written as desired."""
        with self._following:
            result = self.load(bundle_dir)
            desired = self.store.request_bundle(str(bundle_dir.resolve()))
            self.generation = max(self.generation, desired.generation)
        return result

    def load_initial(self) -> None:
        """At start: the desired bundle if a reload was ever requested, else TRIAGE_BUNDLE_DIR.
        Serves unready (503) when neither loads."""
        desired = self.store.desired_bundle()
        if desired is not None:
            self.generation = desired.generation
            path = Path(desired.bundle_dir)
            if self._under_root(path) and self._try_load(path, f"desired (#{desired.generation})"):
                return
        if self.settings.bundle_dir is None:
            logger.warning(
                "no TRIAGE_BUNDLE_DIR: serving unready (503) until POST /v1/admin/reload"
            )
            return
        self._try_load(self.settings.bundle_dir, "TRIAGE_BUNDLE_DIR")

    def _under_root(self, bundle_dir: Path) -> bool:
        """A desired bundle outside this worker's TRIAGE_BUNDLE_ROOT is not followed (the row
        may have been written by a worker with another root, or by hand)."""
        root = self.settings.bundle_root
        if root is None or bundle_dir.resolve().is_relative_to(root.resolve()):
            return True
        logger.error(
            "desired bundle %s is outside TRIAGE_BUNDLE_ROOT %s: not loaded", bundle_dir, root
        )
        return False

    def _try_load(self, bundle_dir: Path, which: str) -> bool:
        try:
            self.load(bundle_dir)
        except TriageError as exc:
            current = self.holder.current.version if self.holder.current else "nothing"
            logger.error("%s bundle %s not loaded, serving %s: %s", which, bundle_dir, current, exc)
            return False
        return True

    def start(self) -> None:
        """Poll the desired-bundle row and the ticket log on a thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop polling (before the inference thread stops)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.settings.replica_poll_s):
            self.poll_once()

    def poll_once(self) -> None:
        """Follow a new desired bundle, then index what the log gained."""
        try:
            self._follow()
            self.executor.submit(self.log.tail, self.holder).result()
        except TriageError as exc:
            logger.warning("following the shared state failed, retrying next poll: %s", exc)
        except Exception:  # the thread's edge: a dead follower would leave this worker behind
            logger.exception("following the shared state failed, retrying next poll")

    def _follow(self) -> None:
        with self._following:
            desired = self.store.desired_bundle()
            if desired is None or desired.generation <= self.generation:
                return
            self.generation = desired.generation
            if not self._under_root(Path(desired.bundle_dir)):
                return
            try:
                previous, version = self.load(Path(desired.bundle_dir))
            except BundleError as exc:
                logger.error("desired bundle #%d not loaded: %s", desired.generation, exc)
                return
        logger.info("followed reload #%d: %s -> %s", desired.generation, previous, version)


async def get_follower(state: StateDep) -> BundleFollower:
    """This worker's `BundleFollower` (reloads go through it, so every worker follows)."""
    return state.follower


FollowerDep = Annotated[BundleFollower, Depends(get_follower)]
