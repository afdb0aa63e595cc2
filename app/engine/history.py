"""The loss history of one run, bounded whatever the epoch count.

A point is (epoch, training loss, test loss). The newest ``RECENT`` points are kept at
full resolution; when the history grows past ``LIMIT`` points, every other one of the
older points is dropped, so the older a part of the curve, the more thinly it is kept
(the spacing doubles each time the budget fills) and a session holds at most ``LIMIT``
points — 96 KB — however long it trains.

Clients read it incrementally by a cursor: ``total`` counts every point ever appended
in this run, and point number ``i`` of that sequence (``i`` ≥ ``tail_index``) still sits
at position ``tail_position + (i - tail_index)``. A client that has the first ``since``
points gets the rest from there; one that fell behind a thinning gets the whole history
again (``since_position`` returns None).
"""

from __future__ import annotations

from array import array
from typing import Any

LIMIT = 4000
RECENT = 1000


class History:
    def __init__(self) -> None:
        self.epochs = array("q")
        self.train = array("d")
        self.test = array("d")
        self.total = 0  # points ever appended in this run
        self.tail_position = 0  # from here on the points are contiguous …
        self.tail_index = 0  # … and this is the first one's number in the whole sequence

    def __len__(self) -> int:
        return len(self.train)

    def append(self, epoch: int, train: float, test: float) -> None:
        self.epochs.append(epoch)
        self.train.append(train)
        self.test.append(test)
        self.total += 1
        if len(self.train) > LIMIT:
            self._thin()

    def set_last(self, train: float, test: float) -> None:
        """Replace the newest point's losses (after a hand edit or new data)."""
        if self.train:
            self.train[-1] = train
            self.test[-1] = test

    def truncate(self, epoch: int, train: float, test: float) -> None:
        """Drop the points after ``epoch`` (from the first one past it on); the last point
        is then (epoch, train, test), appended if thinning had dropped it. The numbering
        of the points kept stays, so a client's cursor past the end gets it all again."""
        keep = next((i for i, e in enumerate(self.epochs) if e > epoch), len(self.epochs))
        del self.epochs[keep:]
        del self.train[keep:]
        del self.test[keep:]
        if keep >= self.tail_position:
            self.total = self.tail_index + keep - self.tail_position
        else:  # into the thinned part: number the points kept from 0, all contiguous
            self.total, self.tail_position, self.tail_index = keep, 0, 0
        if self.epochs and self.epochs[-1] == epoch:
            self.set_last(train, test)
        else:
            self.append(epoch, train, test)

    def _thin(self) -> None:
        """Keep every other point of all but the newest RECENT ones."""
        old = len(self.train) - RECENT
        del self.epochs[1:old:2]
        del self.train[1:old:2]
        del self.test[1:old:2]
        self.tail_position = len(self.train) - RECENT
        self.tail_index = self.total - RECENT

    def since_position(self, since: int) -> int | None:
        """Where point number ``since`` sits, or None when it was thinned away (or the
        client claims more points than there are)."""
        if since > self.total or since < self.tail_index:
            return None
        return self.tail_position + (since - self.tail_index)

    # -- saving and loading -----------------------------------------------------------
    def counters(self) -> dict[str, int]:
        return {
            "total": self.total,
            "tail_position": self.tail_position,
            "tail_index": self.tail_index,
        }

    @classmethod
    def load(
        cls, epochs: Any, train: Any, test: Any, counters: dict[str, int] | None = None
    ) -> History:
        """A history from its columns (and counters; without them, one never thinned)."""
        h = cls()
        h.epochs = array("q", (int(e) for e in epochs))
        h.train = array("d", (float(v) for v in train))
        h.test = array("d", (float(v) for v in test))
        if not len(h.epochs) == len(h.train) == len(h.test):
            raise ValueError("history columns differ in length")
        c = counters or {"total": len(h.train), "tail_position": 0, "tail_index": 0}
        h.total, h.tail_position, h.tail_index = c["total"], c["tail_position"], c["tail_index"]
        if not 0 <= h.tail_position <= len(h.train) <= h.total or h.tail_index > h.total:
            raise ValueError("history counters do not fit its points")
        return h
