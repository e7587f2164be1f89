"""Threads for synchronous handlers that a hung handler cannot starve.

A thread cannot be stopped from outside. When a synchronous handler overruns its timeout,
the dispatcher records the attempt as failed and calls :meth:`HandlerThreads.abandon`: the
thread keeps running the handler in the background (its result is ignored), and the pool may
start one more thread in its place, so ``size`` threads stay available to the other events.
``spare`` bounds the replacements (a flood of hung handlers cannot create threads without
limit); past it, new work waits for a thread like in a plain pool. Threads are daemons: a
hung handler never keeps the process from exiting.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable
from queue import SimpleQueue
from typing import Any

__all__ = ["HandlerThreads"]

_Job = tuple["concurrent.futures.Future[Any]", Callable[[Any], Any], Any]


class HandlerThreads:
    """``size`` worker threads, plus one per abandoned (timed-out, still running) call."""

    def __init__(self, size: int, *, spare: int = 256, name: str = "twilio-handler") -> None:
        self._size = size
        self._spare = spare
        self._name = name
        self._queue: SimpleQueue[_Job | None] = SimpleQueue()
        self._lock = threading.Lock()
        self._threads = 0
        self._idle = 0
        self._abandoned: set[concurrent.futures.Future[Any]] = set()
        self._closed = False
        self._count = 0

    def _limit(self) -> int:
        return self._size + min(len(self._abandoned), self._spare)

    def _grow(self) -> None:  # with the lock held
        if self._idle == 0 and self._threads < self._limit() and not self._closed:
            self._threads += 1
            self._count += 1
            thread = threading.Thread(
                target=self._work, name=f"{self._name}-{self._count}", daemon=True
            )
            thread.start()

    def submit(self, func: Callable[[Any], Any], arg: Any) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self._queue.put((future, func, arg))
        with self._lock:
            self._grow()
        return future

    def abandon(self, future: concurrent.futures.Future[Any]) -> None:
        """The caller stopped waiting for ``future``: let another thread take its place."""
        with self._lock:
            if not future.done() and future.running():
                self._abandoned.add(future)
                self._grow()
            else:
                future.cancel()  # still queued: it never runs

    def _work(self) -> None:
        while True:
            with self._lock:
                self._idle += 1
            job = self._queue.get()
            with self._lock:
                self._idle -= 1
            if job is None:
                break
            future, func, arg = job
            if future.set_running_or_notify_cancel():
                try:
                    result = func(arg)
                except BaseException as exc:
                    future.set_exception(exc)
                else:
                    future.set_result(result)
            with self._lock:
                self._abandoned.discard(future)
                if self._threads > self._limit():
                    break  # a stand-in is no longer needed
        with self._lock:
            self._threads -= 1

    def shutdown(self) -> None:
        """Stop idle threads; threads still in a handler finish it in the background."""
        with self._lock:
            self._closed = True
            threads = self._threads
        for _ in range(threads):
            self._queue.put(None)
