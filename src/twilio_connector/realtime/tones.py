"""DTMF (touch-tone) keys as call audio, and a detector that hears them again.

Each key is the sum of two sine waves, one of a row frequency (697, 770, 852, 941 Hz) and one
of a column frequency (1209, 1336, 1477, 1633 Hz) of the standard keypad::

            1209  1336  1477  1633
      697     1     2     3     A
      770     4     5     6     B
      852     7     8     9     C
      941     *     0     #     D

* :func:`dtmf_tone` and :func:`dtmf_sequence` make 8 kHz μ-law (``w`` in a sequence is a
  half-second pause and ``W`` a one-second pause, as in Twilio's ``sendDigits``);
* :func:`detect_dtmf` finds the keys in μ-law audio with the Goertzel algorithm: the power at
  the eight frequencies in 20 ms windows every 10 ms; a window holds a key when one row and
  one column frequency carry most of its energy (each well above the other frequencies of its
  group), and a key is reported once when two windows in a row hold it. Keys of 40 ms or more
  with gaps of 30 ms or more are found; speech and silence are not keys.

Pure standard library, over :mod:`.audio`.
"""

from __future__ import annotations

import math
import sys
from array import array

from . import audio

__all__ = [
    "DTMF_KEYS",
    "MAX_SEQUENCE",
    "MAX_TONE_MS",
    "detect_dtmf",
    "dtmf_frequencies",
    "dtmf_sequence",
    "dtmf_tone",
]

_ROWS = (697, 770, 852, 941)
_COLUMNS = (1209, 1336, 1477, 1633)
_KEYPAD = ("123A", "456B", "789C", "*0#D")
DTMF_KEYS = "".join(_KEYPAD)
"""Every key a tone exists for."""
MAX_TONE_MS = 10_000
"""The longest tone or gap :func:`dtmf_tone` / :func:`dtmf_sequence` make."""
MAX_SEQUENCE = 256
"""The most characters (keys and pauses) in one :func:`dtmf_sequence`."""
_PAUSES = {"w": 500, "W": 1000}
_AMPLITUDE = 8000  # each of the two sines: peaks of 16000 together, well clear of clipping

# the detector
_WINDOW = 160  # 20 ms: a frequency resolution of 50 Hz, against rows 73 Hz apart
_HOP = 80
_MIN_POWER = 200.0**2  # mean square of a window: quieter is silence
_MIN_SHARE = 0.6  # the row and column frequencies' share of the window's energy
_MIN_EACH = 0.1  # each one's share (a twist of up to about 7 dB)
_DOMINANCE = 6.0  # each at least this many times the next frequency of its group
_RELEASE = 2  # windows without the key before the same key counts again
_COEFFICIENTS = tuple(
    2 * math.cos(2 * math.pi * f / audio.SAMPLE_RATE) for f in (*_ROWS, *_COLUMNS)
)


def dtmf_frequencies(key: str) -> tuple[int, int]:
    """The (row, column) frequencies in Hz of ``key`` (``0``-``9``, ``*``, ``#``, ``A``-``D``;
    ``a``-``d`` too). ``ValueError`` for anything else."""
    upper = key.upper()
    if len(upper) == 1:
        for row, keys in zip(_ROWS, _KEYPAD, strict=True):
            column = keys.find(upper)
            if column >= 0:
                return row, _COLUMNS[column]
    raise ValueError(f"not a DTMF key: {key[:10]!r} (one of {DTMF_KEYS})")


def _check_ms(name: str, ms: int) -> None:
    if not 0 <= ms <= MAX_TONE_MS:
        raise ValueError(f"{name} is between 0 and {MAX_TONE_MS} ms, not {ms}")


def dtmf_tone(key: str, ms: int = 100) -> bytes:
    """``ms`` milliseconds of ``key``'s tone as 8 kHz μ-law (one byte a sample)."""
    _check_ms("a tone", ms)
    low, high = dtmf_frequencies(key)
    step_low = 2 * math.pi * low / audio.SAMPLE_RATE
    step_high = 2 * math.pi * high / audio.SAMPLE_RATE
    samples = array(
        "h",
        (
            round(_AMPLITUDE * (math.sin(step_low * n) + math.sin(step_high * n)))
            for n in range(ms * audio.SAMPLE_RATE // 1000)
        ),
    )
    if sys.byteorder == "big":  # pragma: no cover - big-endian hosts
        samples.byteswap()
    return audio.ulaw_encode(samples.tobytes())


def dtmf_sequence(digits: str, tone_ms: int = 100, gap_ms: int = 50) -> bytes:
    """The keys of ``digits`` one after another, ``gap_ms`` of silence between two tones;
    ``w`` is a 500 ms pause and ``W`` a 1 s pause (instead of the gap). 8 kHz μ-law.

    ``ValueError`` for a character that is neither a key nor a pause, for more than
    :data:`MAX_SEQUENCE` characters, or durations outside 0-:data:`MAX_TONE_MS` ms.
    """
    if len(digits) > MAX_SEQUENCE:
        raise ValueError(f"a DTMF sequence has at most {MAX_SEQUENCE} characters")
    _check_ms("a tone", tone_ms)
    _check_ms("a gap", gap_ms)
    tones: dict[str, bytes] = {}
    parts: list[bytes] = []
    after_tone = False
    for char in digits:
        pause = _PAUSES.get(char)
        if pause is not None:
            parts.append(audio.silence(pause))
            after_tone = False
            continue
        key = char.upper()
        if key not in tones:
            tones[key] = dtmf_tone(key, tone_ms)
        if after_tone:
            parts.append(audio.silence(gap_ms))
        parts.append(tones[key])
        after_tone = True
    return b"".join(parts)


def _window_key(samples: list[int]) -> str | None:
    """The key one window of samples holds, if any (Goertzel at the eight frequencies)."""
    energy = math.fsum(v * v for v in samples)
    if energy < _MIN_POWER * len(samples):
        return None
    powers = []
    for coefficient in _COEFFICIENTS:
        previous = before = 0.0
        for value in samples:
            previous, before = value + coefficient * previous - before, previous
        powers.append(previous * previous + before * before - coefficient * previous * before)
    # a full-scale sine of N samples has a Goertzel power of N²A²/4 and an energy of NA²/2
    shares = [2 * p / (len(samples) * energy) for p in powers]
    rows, columns = shares[:4], shares[4:]
    row, column = _dominant(rows), _dominant(columns)
    if row is None or column is None or rows[row] + columns[column] < _MIN_SHARE:
        return None
    return _KEYPAD[row][column]


def _dominant(shares: list[float]) -> int | None:
    """The index of the one frequency standing out of its group, if one does."""
    ranked = sorted(range(len(shares)), key=shares.__getitem__, reverse=True)
    best, second = ranked[0], ranked[1]
    if shares[best] < _MIN_EACH or shares[best] < _DOMINANCE * shares[second]:
        return None
    return best


def detect_dtmf(mulaw: bytes | bytearray | memoryview) -> str:
    """The DTMF keys heard in 8 kHz μ-law audio, in order (``""`` when none).

    A key held for a long time counts once; the same key again counts again after a gap.
    Pauses are not reported (``w``/``W`` are what a sender asks for, not what is heard).
    """
    pcm = array("h", audio.ulaw_decode(mulaw))
    if sys.byteorder == "big":  # pragma: no cover - big-endian hosts
        pcm.byteswap()
    samples = pcm.tolist()
    heard: list[str] = []
    held: str | None = None
    previous: str | None = None
    quiet = 0
    for start in range(0, len(samples) - _WINDOW + 1, _HOP):
        key = _window_key(samples[start : start + _WINDOW])
        if key is None:
            quiet += 1
            if quiet >= _RELEASE:
                held = None
        else:
            quiet = 0
            if key == previous and key != held:
                heard.append(key)
                held = key
        previous = key
    return "".join(heard)
