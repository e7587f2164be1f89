"""Micro benchmark: the realtime wire layer's per-frame cost, against references in the same run.

A Media Streams call moves 50 frames a second per track (20 ms, 160 μ-law bytes). Timed per
frame, as the median of ``--runs`` rounds of ``--number`` calls:

  * encode  - PCM16 -> μ-law (``audio.ulaw_encode``: a 64 Ki-entry table through
              ``operator.itemgetter``), against ``audioop.lin2ulaw`` (C; Python <= 3.12);
  * decode  - μ-law -> PCM16 (``audio.ulaw_decode``: two ``bytes.translate``), against
              ``audioop.ulaw2lin``;
  * message - decode one Twilio ``media`` text frame into its struct, base64 payload
              included (``media_streams.decode_twilio_message``), and encode one app
              ``media`` frame (``media_streams.encode``), against ``json.loads`` +
              ``base64.b64decode`` and ``json.dumps`` + ``base64.b64encode``.

When ``audioop`` is missing (Python 3.13+) the codec rows compare against numpy if it is
installed, else print no ratio. The last lines price the target of issue 13: 100 concurrent
streams at 50 frames/s each, every frame decoded from its message and to PCM, every reply
frame encoded to μ-law and into its message, as a share of one core::

    PYTHONPATH=src .venv/bin/python bench/mulaw_bench.py [--runs 15] [--number 2000]
    taskset -c 1 ...   # pin it to one CPU on a shared machine
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import statistics
import timeit
import warnings
from collections.abc import Callable
from typing import Any

from twilio_connector.realtime import audio
from twilio_connector.realtime import media_streams as ms

STREAMS = 100
FRAMES_PER_SECOND = 1000 // audio.FRAME_MS  # 50

MZ = "MZ" + "0" * 32
PCM = b"".join(  # 20 ms of a 440 Hz tone, little-endian PCM16
    round(9000 * math.sin(2 * math.pi * 440 * i / 8000)).to_bytes(2, "little", signed=True)
    for i in range(audio.BYTES_PER_FRAME)
)
FRAME = audio.ulaw_encode(PCM)
MEDIA_TEXT = ms.encode(
    ms.Media(
        sequence_number="42",
        stream_sid=MZ,
        media=ms.MediaChunk(track="inbound", chunk="41", timestamp="800", payload=FRAME),
    )
)
REPLY = ms.media(MZ, FRAME)


def reference_codec() -> tuple[str, Callable[[], Any], Callable[[], Any]] | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            import audioop  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            audioop = None
    if audioop is not None:
        return (
            "audioop",
            lambda: audioop.lin2ulaw(PCM, 2),
            lambda: audioop.ulaw2lin(FRAME, 2),
        )
    try:
        import numpy as np  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    table_enc = np.frombuffer(audio._ENCODE, dtype=np.uint8)
    table_dec = np.array([audio.ulaw_decode_sample(c) for c in range(256)], dtype="<i2")
    return (
        "numpy",
        lambda: table_enc[np.frombuffer(PCM, dtype="<u2")].tobytes(),
        lambda: table_dec[np.frombuffer(FRAME, dtype=np.uint8)].tobytes(),
    )


def median_us(func: Callable[[], Any], runs: int, number: int) -> float:
    times = timeit.repeat(func, number=number, repeat=runs)
    return statistics.median(times) / number * 1e6


def stdlib_decode() -> Any:
    message = json.loads(MEDIA_TEXT)
    return base64.b64decode(message["media"]["payload"])


def stdlib_encode() -> str:
    payload = base64.b64encode(FRAME).decode()
    return json.dumps({"event": "media", "streamSid": MZ, "media": {"payload": payload}})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--number", type=int, default=2000)
    args = parser.parse_args()
    reference = reference_codec()

    rows: list[tuple[str, Callable[[], Any], Callable[[], Any] | None, str]] = [
        ("encode PCM16 -> μ-law", lambda: audio.ulaw_encode(PCM), None, ""),
        ("decode μ-law -> PCM16", lambda: audio.ulaw_decode(FRAME), None, ""),
        (
            "decode media message",
            lambda: ms.decode_twilio_message(MEDIA_TEXT),
            stdlib_decode,
            "json+base64",
        ),
        ("encode media message", lambda: ms.encode(REPLY), stdlib_encode, "json+base64"),
    ]
    if reference is not None:
        name, enc, dec = reference
        rows[0] = (*rows[0][:2], enc, name)
        rows[1] = (*rows[1][:2], dec, name)

    assert audio.ulaw_decode(FRAME) == (reference[2]() if reference else audio.ulaw_decode(FRAME))
    print(
        f"per 20 ms frame ({audio.BYTES_PER_FRAME} samples), median of {args.runs} x {args.number}"
    )
    print(f"{'':24} {'ours µs':>9} {'frames/s':>10} {'reference':>12} {'ref µs':>8} {'ratio':>7}")
    ours: dict[str, float] = {}
    for label, func, ref, ref_name in rows:
        us = median_us(func, args.runs, args.number)
        ours[label] = us
        if ref is None:
            print(f"{label:24} {us:9.2f} {1e6 / us:10,.0f} {'-':>12} {'-':>8} {'-':>7}")
            continue
        ref_us = median_us(ref, args.runs, args.number)
        print(
            f"{label:24} {us:9.2f} {1e6 / us:10,.0f} {ref_name:>12} {ref_us:8.2f} "
            f"{us / ref_us:6.2f}x"
        )

    per_frame = sum(ours.values())  # in: message + decode; out: encode + message
    frames = STREAMS * FRAMES_PER_SECOND
    share = frames * per_frame / 1e6
    print(
        f"\ntarget: {STREAMS} streams x {FRAMES_PER_SECOND} frames/s = {frames:,} frames/s each way"
    )
    print(
        f"  one frame in and one out through the wire layer: {per_frame:.2f} µs"
        f" -> {share * 100:.1f}% of one core (budget: well under 100%)"
    )


if __name__ == "__main__":
    main()
