"""Web inbox benchmark: page render time against a store of 10,000 and 100,000 messages.

Each store holds ``count`` messages in ``count / 20`` conversations (both directions), in a
SQLite file as with the CLI. An in-process emulator serves it; every figure is the median
wall time of ``--samples`` signed-in ``GET``s (server render + loopback HTTP):

* ``inbox``: the first sidebar page with the newest conversation open;
* ``oldest page``: the last sidebar page (its ``before=`` cursor), which must cost what the
  first page does (a keyset range, never ``OFFSET``);
* ``search text``: a word no body holds (the worst case: the whole search window is read);
* ``search number``: part of a number.

Baselines in the same run: the sidebar query of the previous inbox (grouping the latest
2,000 messages, so older conversations were unreachable) timed as SQL on the same store,
and the cost the ``conversations`` upkeep adds to inserting messages (batches of 1 and of
1,000, against the bare ``INSERT``).

Product views (Services, Verify, Templates) against a store of ``--products`` records of
each (default 5,000 verifications over 500 numbers, 5,000 services, 5,000 templates):
the first page and the last page (walked through the "More" links) of each view, against
the same run's baseline: the control plane's JSON list of the same 100 verifications
(``GET /_emulator/verifications?limit=100``) and the messages inbox page. Run::

    .venv/bin/python bench/ui_bench.py [--samples 30] [--products 5000] [--products-only]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import httpx  # noqa: E402

from twilio_connector.emulator import Emulator  # noqa: E402
from twilio_connector.emulator.accounts.state import DEFAULT_ACCOUNT_SID  # noqa: E402
from twilio_connector.emulator.content.records import ContentRecord  # noqa: E402
from twilio_connector.emulator.content.repository import ContentRepository  # noqa: E402
from twilio_connector.emulator.messages.records import MessageRecord  # noqa: E402
from twilio_connector.emulator.messages.repository import _INSERT, MessageRepository, _row  # noqa: E402
from twilio_connector.emulator.messaging_services.records import ServiceRecord  # noqa: E402
from twilio_connector.emulator.messaging_services.repository import ServiceRepository  # noqa: E402
from twilio_connector.emulator.messaging_services.state import DEFAULT_SETTINGS  # noqa: E402
from twilio_connector.emulator.store import Store  # noqa: E402
from twilio_connector.emulator.verify.records import (  # noqa: E402
    SendAttempt,
    VerificationRecord,
    VerifyServiceRecord,
)
from twilio_connector.emulator.verify.repository import VerifyRepository  # noqa: E402

OURS = "+15017122661"
UI = "/_emulator/ui"
OLD_SIDEBAR = (  # the previous inbox's query (main before this change), for comparison
    "SELECT local, peer, COUNT(*), MAX(seq) FROM ("
    " SELECT seq, CASE WHEN direction = 'inbound' THEN to_ ELSE from_ END AS local,"
    " CASE WHEN direction = 'inbound' THEN from_ ELSE to_ END AS peer"
    " FROM messages WHERE account_sid IN (?) ORDER BY seq DESC LIMIT 2000)"
    " GROUP BY local, peer ORDER BY MAX(seq) DESC LIMIT 100"
)


def record(i: int, peers: int, ts: float) -> MessageRecord:
    peer = f"+1555{i % peers:07d}"
    inbound = i % 3 == 0
    return MessageRecord(
        sid=f"SM{i:032x}", account_sid=DEFAULT_ACCOUNT_SID,
        direction="inbound" if inbound else "outbound-api",
        from_=peer if inbound else OURS, to=OURS if inbound else peer,
        body=f"Order {i} for customer {i % peers} is on its way", status="delivered",
        num_segments=1, num_media=0, date_created=ts, date_updated=ts, date_sent=ts,
    )  # fmt: skip


def build(path: str, count: int) -> None:
    store = Store(path)
    repo = MessageRepository(store)
    peers, start = max(1, count // 20), time.time() - count
    for lo in range(0, count, 20_000):
        repo.insert([record(i, peers, start + i) for i in range(lo, min(count, lo + 20_000))])
        store.commit()
    store.conn.execute("ANALYZE")
    store.close()


def median_ms(fn: Callable[[], object], samples: int) -> float:
    for _ in range(3):
        fn()
    times = []
    for _ in range(samples):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def oldest_page(http: httpx.Client) -> str:
    import re
    from html import unescape

    url: str | None = UI
    last = UI
    while url is not None:
        last = url
        found = re.search(r'<a class="older" rel="next" href="([^"]+)"', http.get(url).text)
        url = unescape(found.group(1)) if found else None
    return last


def pages(path: str, samples: int) -> dict[str, float]:
    out: dict[str, float] = {}
    with (
        Emulator(db_path=path, phone_numbers=(OURS,)) as emu,
        httpx.Client(
            base_url=emu.base_url, auth=(emu.account_sid, emu.auth_token), timeout=60
        ) as http,
    ):

        def get(url: str, params: dict[str, str] | None = None) -> Callable[[], object]:
            def run() -> None:
                r = http.get(url, params=params)
                r.raise_for_status()

            return run

        out["inbox"] = median_ms(get(UI), samples)
        out["oldest page"] = median_ms(get(oldest_page(http)), samples)
        out["search text"] = median_ms(get(UI, {"view": "search", "q": "zebra"}), samples)
        out["search number"] = median_ms(get(UI, {"view": "search", "q": "555 000 12"}), samples)
    store = Store(path)
    try:
        out["old sidebar SQL"] = median_ms(
            lambda: store.query(OLD_SIDEBAR, (DEFAULT_ACCOUNT_SID,)), samples
        )
    finally:
        store.close()
    return out


def build_products(path: str, count: int) -> None:
    """``count`` verifications (over ``count / 10`` numbers, one Verify Service), services
    and templates of the main account, written straight to the store."""
    store = Store(path)
    now = time.time()
    verify = VerifyRepository(store)
    verify.save_service(VerifyServiceRecord("VA" + "1" * 32, DEFAULT_ACCOUNT_SID, "Bench", {}))
    for i in range(count):
        sid = f"VE{i:032x}"
        verify.save(
            VerificationRecord(
                sid,
                "VA" + "1" * 32,
                DEFAULT_ACCOUNT_SID,
                f"+1555{i % max(1, count // 10):07d}",
                "sms",
                f"{i % 1_000_000:06d}",
                "approved" if i % 3 else "pending",
                now + i,
                now + i,
                now + 10**9,
                [SendAttempt(f"VL{i:032x}", "sms", now + i)],
            )
        )
    services = ServiceRepository(store)
    contents = ContentRepository(store)
    types = {"twilio/quick-reply": {"body": "Hi {{1}}", "actions": [{"title": "Yes"}]}}
    for i in range(count):
        services.save(
            ServiceRecord(
                f"MG{i:032x}",
                DEFAULT_ACCOUNT_SID,
                f"Service {i}",
                dict(DEFAULT_SETTINGS),
                now + i,
                now + i,
            )
        )
        contents.save(
            ContentRecord(
                f"HX{i:032x}",
                DEFAULT_ACCOUNT_SID,
                f"template {i}",
                "en",
                {"1": "Ada"},
                types,
                None,
                now + i,
                now + i,
            )
        )
    store.commit()
    store.close()


def last_page(http: httpx.Client, url: str) -> str:
    import re
    from html import unescape

    next_url: str | None = url
    while next_url is not None:
        url = next_url
        found = re.search(r'<a class="older" rel="next" href="([^"]+)"', http.get(url).text)
        next_url = unescape(found.group(1)) if found else None
    return url


def product_pages(path: str, samples: int) -> dict[str, float]:
    out: dict[str, float] = {}
    with (
        Emulator(db_path=path, phone_numbers=(OURS,)) as emu,
        httpx.Client(
            base_url=emu.base_url, auth=(emu.account_sid, emu.auth_token), timeout=60
        ) as http,
    ):

        def get(url: str) -> Callable[[], object]:
            def run() -> None:
                http.get(url).raise_for_status()

            return run

        out["control JSON (100)"] = median_ms(get("/_emulator/verifications?limit=100"), samples)
        out["messages inbox"] = median_ms(get(UI), samples)
        for view in ("verify", "services", "templates"):
            first = f"{UI}?view={view}"
            out[f"{view} first"] = median_ms(get(first), samples)
            out[f"{view} last"] = median_ms(get(last_page(http, first)), samples)
    return out


def insert_cost(batch: int, total: int) -> tuple[float, float]:
    """µs per message: (bare INSERT, INSERT + conversations upkeep), in memory."""
    results = []
    for upkeep in (False, True):
        store = Store()
        repo = MessageRepository(store)
        records = [record(i, 500, 1000.0 + i) for i in range(total)]
        t0 = time.perf_counter()
        for lo in range(0, total, batch):
            chunk = records[lo : lo + batch]
            if upkeep:
                repo.insert(chunk)
            else:
                store.executemany(_INSERT, (_row(m) for m in chunk))
        store.commit()
        results.append((time.perf_counter() - t0) / total * 1e6)
        store.close()
    return results[0], results[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--products", type=int, default=5_000)
    parser.add_argument("--products-only", action="store_true", help="skip the messages part")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "products.db")
        build_products(db, args.products)
        figures = product_pages(db, args.samples)
        base = figures["control JSON (100)"]
        print(f"product views, {args.products:,} records each (median ms, ratio to control JSON)")
        for key, value in figures.items():
            print(f"  {key:<22}{value:>8.2f}{value / base:>8.2f}x")
    if args.products_only:
        return
    with tempfile.TemporaryDirectory() as tmp:
        figures = {}
        for count in (10_000, 100_000):
            db = str(Path(tmp) / f"ui-{count}.db")
            t0 = time.perf_counter()
            build(db, count)
            print(f"built {count:,} messages in {time.perf_counter() - t0:.1f} s", flush=True)
            figures[count] = pages(db, args.samples)
        print(f"{'page (median ms)':<20}{'10k msgs':>10}{'100k msgs':>11}")
        for key in figures[10_000]:
            print(f"{key:<20}{figures[10_000][key]:>10.2f}{figures[100_000][key]:>11.2f}")
        for count, f in figures.items():
            print(f"{count:,}: oldest page / first page = {f['oldest page'] / f['inbox']:.2f}x")
    for batch in (1, 1000):
        bare, kept = insert_cost(batch, 20_000)
        print(
            f"insert, batches of {batch}: bare {bare:.1f} us/msg, with conversations "
            f"{kept:.1f} us/msg (+{kept - bare:.1f} us)"
        )


if __name__ == "__main__":
    main()
