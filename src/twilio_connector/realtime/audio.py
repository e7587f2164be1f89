"""The audio of a Twilio call: G.711 μ-law at 8 kHz, mono, in 20 ms frames of 160 bytes.

Media Streams carry raw μ-law (no header), base64-encoded in each ``media`` message
(TWILIO.md §22.3). This module converts between that and 16-bit linear PCM, and reads and
writes WAV files, with the standard library alone (``audioop`` is gone from Python 3.13):

* :func:`ulaw_encode` / :func:`ulaw_decode`: PCM16 (little-endian signed, as in WAV) <->
  μ-law, through precomputed tables: a 65,536-entry table indexed by the 16-bit sample to
  encode, and ``bytes.translate`` with two 256-entry tables (low and high byte of each
  sample) to decode, so decoding runs entirely in C.
* The encoder is ITU-T G.711 as the ITU-T's own reference code (G.191 Software Tool Library,
  ``ulaw_compress``/``ulaw_expand``) computes it: the 16-bit sample is truncated to 14 bits,
  negative samples through their one's complement (so ``-1`` is "negative zero", ``0x7F``,
  as ``0`` is ``0xFF``). ``audioop.lin2ulaw`` differs from it by one code on a few hundred
  negative inputs (it truncates the two's complement); both decode identically.
* :func:`split_frames`, :func:`silence`, :data:`SILENCE_FRAME`, :func:`frame_timestamp_ms`:
  the 20 ms framing and its timing (frame ``n`` starts at ``20 * n`` ms).
* :func:`encode_payload` / :func:`decode_payload`: base64 payloads (160 bytes -> 216 chars).
* :func:`read_wav` / :func:`write_wav` and :func:`to_8k_mono`: PCM16 WAV files at any sample
  rate (8, 16, 22.05, 44.1, 48 kHz...), mono or stereo, to 8 kHz mono. Stereo is mixed to
  mono by averaging the two channels. Downsampling averages, for each output sample, the
  source samples that fall in its 125 µs period (a box filter: a crude low-pass that keeps
  the band under 4 kHz and damps what would alias); upsampling (a source under 8 kHz)
  interpolates linearly between neighbouring samples. Good enough for test audio and
  speech; not a studio resampler.

Everything is bounded: a WAV longer than ``max_seconds`` (10 minutes by default, Twilio's
own limit on buffered outbound audio) is refused before it is read. A streamed WAV (the
header's sizes are placeholders, as ``espeak-ng --stdout`` writes them) is read to the end of
the stream, at most one sample past ``max_seconds``.
"""

from __future__ import annotations

import base64
import binascii
import io
import itertools
import operator
import os
import struct
import sys
import wave
from array import array
from collections.abc import Iterator
from typing import BinaryIO

from twilio_connector.errors import TwilioError

__all__ = [
    "BYTES_PER_FRAME",
    "FRAME_MS",
    "MAX_WAV_SECONDS",
    "SAMPLE_RATE",
    "SILENCE_BYTE",
    "SILENCE_FRAME",
    "AudioFormatError",
    "decode_payload",
    "duration_ms",
    "encode_payload",
    "frame_timestamp_ms",
    "mulaw_to_wav",
    "read_wav",
    "silence",
    "split_frames",
    "to_8k_mono",
    "ulaw_decode",
    "ulaw_decode_sample",
    "ulaw_encode",
    "ulaw_encode_sample",
    "wav_to_mulaw",
    "write_wav",
]

SAMPLE_RATE = 8000
"""Samples per second of call audio (and of every Media Streams payload)."""
FRAME_MS = 20
"""Milliseconds of audio in one Media Streams frame."""
BYTES_PER_FRAME = SAMPLE_RATE * FRAME_MS // 1000  # 160: one byte per μ-law sample
"""Bytes of μ-law in one 20 ms frame."""
SILENCE_BYTE = 0xFF
"""μ-law's code for a zero sample."""
SILENCE_FRAME = bytes([SILENCE_BYTE]) * BYTES_PER_FRAME
"""20 ms of silence, as μ-law."""
MAX_WAV_SECONDS = 600.0
"""The longest WAV :func:`read_wav` accepts by default (10 minutes)."""

_LITTLE_ENDIAN = sys.byteorder == "little"


class AudioFormatError(TwilioError, ValueError):
    """Audio that cannot be used: not PCM16, too long, an odd byte count, bad base64..."""


# --------------------------------------------------------------------------- the codec


def ulaw_encode_sample(sample: int) -> int:
    """The μ-law code of one signed 16-bit sample (ITU-T G.711, as G.191's reference)."""
    if not -32768 <= sample <= 32767:
        raise AudioFormatError(f"a PCM16 sample is between -32768 and 32767, not {sample}")
    # 14-bit magnitude (one's complement for negatives), biased by 33, clipped at 0x1FFF.
    magnitude = min(((~sample if sample < 0 else sample) >> 2) + 33, 0x1FFF)
    segment = max(1, magnitude.bit_length() - 5)  # 1..8
    code = ((8 - segment) << 4) | (15 - ((magnitude >> segment) & 0x0F))
    return code | 0x80 if sample >= 0 else code


def ulaw_decode_sample(code: int) -> int:
    """The signed 16-bit sample a μ-law code stands for (the middle of its interval)."""
    if not 0 <= code <= 0xFF:
        raise AudioFormatError(f"a μ-law code is a byte (0-255), not {code}")
    inverted = ~code & 0xFF
    exponent = (inverted >> 4) & 0x07
    step = 4 << (exponent + 1)
    value = (0x80 << exponent) + step * (inverted & 0x0F) + step // 2 - 4 * 33
    return value if code >= 0x80 else -value


# Encoding: the code of every 16-bit pattern, indexed by the sample read as unsigned.
_ENCODE = bytes(ulaw_encode_sample(u - 65536 if u >= 32768 else u) for u in range(65536))
_ENCODE_LOOKUP = _ENCODE.__getitem__
# Decoding: the low and the high byte (little-endian) of every code's sample.
_DECODED = [ulaw_decode_sample(c) & 0xFFFF for c in range(256)]
_DECODE_LOW = bytes(v & 0xFF for v in _DECODED)
_DECODE_HIGH = bytes(v >> 8 for v in _DECODED)


def _samples(pcm: bytes | bytearray | memoryview) -> memoryview | array[int]:
    """The unsigned 16-bit view of little-endian PCM16 bytes."""
    if len(pcm) % 2:
        raise AudioFormatError(f"PCM16 audio has an even number of bytes, not {len(pcm)}")
    if _LITTLE_ENDIAN:
        return memoryview(pcm).cast("B").cast("H")
    samples = array("H", bytes(pcm))  # pragma: no cover - big-endian hosts
    samples.byteswap()  # pragma: no cover
    return samples  # pragma: no cover


def ulaw_encode(pcm: bytes | bytearray | memoryview) -> bytes:
    """Little-endian signed 16-bit PCM -> μ-law, one byte per sample."""
    samples = _samples(pcm)
    if len(samples) <= _ENCODE_CHUNK:
        return _encode_chunk(samples)
    return b"".join(
        _encode_chunk(samples[i : i + _ENCODE_CHUNK]) for i in range(0, len(samples), _ENCODE_CHUNK)
    )


_ENCODE_CHUNK = 4096  # samples per itemgetter call: a bounded argument tuple


def _encode_chunk(samples: memoryview | array[int]) -> bytes:
    if len(samples) > 1:  # itemgetter of one index returns the item, not a tuple
        return bytes(operator.itemgetter(*samples)(_ENCODE))
    return bytes(map(_ENCODE_LOOKUP, samples))


def ulaw_decode(mulaw: bytes | bytearray | memoryview) -> bytes:
    """μ-law -> little-endian signed 16-bit PCM (two bytes per code)."""
    data = bytes(mulaw)
    out = bytearray(2 * len(data))
    out[0::2] = data.translate(_DECODE_LOW)
    out[1::2] = data.translate(_DECODE_HIGH)
    return bytes(out)


# --------------------------------------------------------------------------- frames and timing


def split_frames(mulaw: bytes | bytearray | memoryview, *, pad: bool = True) -> Iterator[bytes]:
    """The 160-byte (20 ms) frames of ``mulaw``, in order.

    A last partial frame is padded with silence (``pad=True``, what a caller's phone would
    send) or yielded short (``pad=False``).
    """
    data = bytes(mulaw)
    for start in range(0, len(data), BYTES_PER_FRAME):
        frame = data[start : start + BYTES_PER_FRAME]
        if pad and len(frame) < BYTES_PER_FRAME:
            frame += SILENCE_FRAME[len(frame) :]
        yield frame


def silence(ms: int) -> bytes:
    """``ms`` milliseconds of μ-law silence (rounded down to whole samples)."""
    if ms < 0:
        raise AudioFormatError(f"a duration is not negative: {ms} ms")
    return bytes([SILENCE_BYTE]) * (ms * SAMPLE_RATE // 1000)


def frame_timestamp_ms(index: int) -> int:
    """When frame ``index`` (0-based) starts, in ms since the stream started: ``20 * index``.

    Twilio's ``media.timestamp`` is this value as a string, and ``media.chunk`` is
    ``index + 1`` (chunks count from ``"1"``).
    """
    if index < 0:
        raise AudioFormatError(f"a frame index is not negative: {index}")
    return index * FRAME_MS


def duration_ms(mulaw_bytes: int) -> int:
    """How long ``mulaw_bytes`` bytes of 8 kHz μ-law play, in whole milliseconds."""
    return mulaw_bytes * 1000 // SAMPLE_RATE


def encode_payload(mulaw: bytes | bytearray | memoryview) -> str:
    """The base64 text of a ``media.payload`` (160 bytes -> 216 characters)."""
    return base64.b64encode(mulaw).decode("ascii")


def decode_payload(payload: str | bytes) -> bytes:
    """The raw μ-law of a base64 ``media.payload`` (:class:`AudioFormatError` if not base64)."""
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise AudioFormatError(f"media.payload is not valid base64: {exc}") from None


# --------------------------------------------------------------------------- WAV and resampling


def _mix_and_resample(samples: array[int], channels: int, rate: int) -> array[int]:
    """Signed 16-bit samples (``channels`` interleaved) at ``rate`` -> 8 kHz mono.

    One second at a time: output samples ``k*8000 ..`` come from source samples
    ``k*rate ..`` exactly (integer bounds), so memory stays that of one second of audio
    whatever the length.
    """
    frames = len(samples) // channels
    out_count = frames * SAMPLE_RATE // rate
    out = array("h")
    for second in range(0, -(-out_count // SAMPLE_RATE)):
        first = second * rate  # the block's first source frame
        # one frame more than the second holds: linear interpolation reads past the end
        block = samples[first * channels : (first + rate + 1) * channels]
        mixed: list[int] | array[int] = (
            list(map(operator.add, block[0::2], block[1::2])) if channels == 2 else block
        )
        wanted = min(SAMPLE_RATE, out_count - second * SAMPLE_RATE)
        out.extend(_resample_block(mixed, channels, rate, wanted))
    return out


def _resample_block(
    mixed: list[int] | array[int], channels: int, rate: int, wanted: int
) -> list[int]:
    """``wanted`` 8 kHz samples from ``mixed`` (sums of ``channels`` channels) at ``rate``."""
    if rate == SAMPLE_RATE:
        return [v // channels for v in mixed[:wanted]] if channels == 2 else list(mixed[:wanted])
    if rate > SAMPLE_RATE:
        # Box filter: output i averages source samples [i*rate/8000, (i+1)*rate/8000).
        sums = [0, *itertools.accumulate(mixed)]
        bounds = [i * rate // SAMPLE_RATE for i in range(wanted + 1)]
        return [
            _clip(round((sums[b] - sums[a]) / ((b - a) * channels)))
            for a, b in itertools.pairwise(bounds)
        ]
    # Upsampling: linear interpolation between the two source samples around each output.
    last = len(mixed) - 1
    values = []
    for i in range(wanted):
        position = i * rate / SAMPLE_RATE
        left = int(position)
        right = min(left + 1, last)
        value = mixed[left] + (mixed[right] - mixed[left]) * (position - left)
        values.append(_clip(round(value / channels)))
    return values


def _clip(value: int) -> int:
    return -32768 if value < -32768 else 32767 if value > 32767 else value


def to_8k_mono(pcm: bytes | bytearray | memoryview, *, rate: int, channels: int = 1) -> bytes:
    """Little-endian PCM16 at ``rate`` Hz with ``channels`` (1 or 2) -> 8 kHz mono PCM16."""
    if channels not in (1, 2):
        raise AudioFormatError(f"audio is mono or stereo, not {channels} channels")
    if not 1000 <= rate <= 384000:
        raise AudioFormatError(f"a sample rate is between 1000 and 384000 Hz, not {rate}")
    if len(pcm) % (2 * channels):
        raise AudioFormatError(
            f"{channels}-channel PCM16 has a multiple of {2 * channels} bytes, not {len(pcm)}"
        )
    samples = array("h", bytes(pcm))
    if not _LITTLE_ENDIAN:  # pragma: no cover - big-endian hosts
        samples.byteswap()
    out = _mix_and_resample(samples, channels, rate)
    if not _LITTLE_ENDIAN:  # pragma: no cover
        out.byteswap()
    return out.tobytes()


WavSource = str | os.PathLike[str] | BinaryIO

_STREAMED_SIZE = 0x7FFF0000
"""A declared size from here up (``espeak-ng`` writes 0x7FFFF000, others 0xFFFFFFFF), or 0,
stands for "until the end of the stream"."""
_MAX_CHUNKS = 64  # chunks skipped (LIST, fact...) before the data chunk must have come
_MAX_FMT = 1024
_PCM, _EXTENSIBLE = 1, 0xFFFE
_READ_BLOCK = 1 << 16


def read_wav(source: WavSource, *, max_seconds: float = MAX_WAV_SECONDS) -> bytes:
    """A PCM16 WAV file (mono or stereo, any rate) as 8 kHz mono PCM16 (little-endian).

    A streamed WAV, whose header gives the RIFF and data sizes as 0 or as the placeholder a
    writer that cannot seek back uses (``espeak-ng --stdout`` writes 0x7FFFF000; others
    0xFFFFFFFF), is read to the end of the stream: the bytes present are the audio, still at
    most ``max_seconds`` of it.

    :class:`AudioFormatError` names what is wrong: not a WAV, not 16-bit PCM, more than two
    channels, or longer than ``max_seconds``.
    """
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as file:
            return _read_wav(file, max_seconds)
    return _read_wav(source, max_seconds)


def _not_wav(reason: str) -> AudioFormatError:
    return AudioFormatError(f"not a PCM WAV file: {reason}")


def _read_exactly(file: BinaryIO, size: int) -> bytes:
    """Up to ``size`` bytes: fewer only at the end of the stream (pipes return short reads)."""
    parts, left = [], size
    while left > 0:
        part = file.read(min(left, 1 << 24))
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def _skip(file: BinaryIO, size: int) -> None:
    while size > 0:
        part = file.read(min(size, _READ_BLOCK))
        if not part:
            return
        size -= len(part)


def _read_wav(file: BinaryIO, max_seconds: float) -> bytes:
    head = _read_exactly(file, 12)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:] != b"WAVE":
        raise _not_wav("no RIFF/WAVE header")
    layout: tuple[int, int] | None = None  # (channels, rate) once the fmt chunk is read
    for _ in range(_MAX_CHUNKS):
        header = _read_exactly(file, 8)
        if len(header) < 8:
            raise _not_wav("no data chunk" if layout else "no fmt chunk")
        kind, size = header[:4], int.from_bytes(header[4:], "little")
        if kind == b"fmt ":
            if not 16 <= size <= _MAX_FMT:
                raise _not_wav(f"a fmt chunk of {size} bytes")
            body = _read_exactly(file, size + (size & 1))
            if len(body) < size:
                raise _not_wav("the fmt chunk is cut short")
            layout = _pcm16_layout(body[:size])
        elif kind == b"data":
            if layout is None:
                raise _not_wav("the data chunk comes before the fmt chunk")
            channels, rate = layout
            return to_8k_mono(
                _read_data(file, size, channels, rate, max_seconds), rate=rate, channels=channels
            )
        else:
            _skip(file, size + (size & 1))
    raise _not_wav(f"no data chunk in the first {_MAX_CHUNKS} chunks")


def _pcm16_layout(fmt: bytes) -> tuple[int, int]:
    """(channels, rate) of a fmt chunk, or :class:`AudioFormatError` if not PCM16 mono/stereo."""
    tag, channels, rate, _byte_rate, _align, bits = struct.unpack_from("<HHIIHH", fmt)
    if tag == _EXTENSIBLE and len(fmt) >= 26:
        tag = int.from_bytes(fmt[24:26], "little")  # the sub-format GUID starts with the tag
    if tag != _PCM:
        raise _not_wav(f"format {tag} is not integer PCM")
    if bits != 16:
        raise AudioFormatError(f"a WAV is read as 16-bit PCM, not {bits}-bit")
    if channels not in (1, 2):
        raise AudioFormatError(f"a WAV is mono or stereo, not {channels} channels")
    if not 1000 <= rate <= 384000:
        raise AudioFormatError(f"a sample rate is between 1000 and 384000 Hz, not {rate}")
    return channels, rate


def _read_data(file: BinaryIO, size: int, channels: int, rate: int, max_seconds: float) -> bytes:
    """The data chunk's whole frames: its declared size, or the rest of a streamed WAV."""
    frame = 2 * channels
    limit = int(max_seconds * rate)  # frames allowed
    if size == 0 or size >= _STREAMED_SIZE:
        data = _read_exactly(file, (limit + 1) * frame)  # one frame more tells "too long"
        if len(data) // frame > limit:
            raise AudioFormatError(f"the WAV lasts more than the {max_seconds:g} s allowed")
    else:
        if size // frame > limit:
            raise AudioFormatError(
                f"the WAV lasts {size // frame / rate:.1f} s, "
                f"more than the {max_seconds:g} s allowed"
            )
        data = _read_exactly(file, size)
    return data[: len(data) - len(data) % frame]


def write_wav(
    target: WavSource, pcm: bytes | bytearray | memoryview, *, rate: int = SAMPLE_RATE
) -> None:
    """Write mono little-endian PCM16 at ``rate`` Hz as a WAV file (path or binary file)."""
    if len(pcm) % 2:
        raise AudioFormatError(f"PCM16 audio has an even number of bytes, not {len(pcm)}")
    with wave.open(
        target if not isinstance(target, os.PathLike) else os.fspath(target), "wb"
    ) as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(bytes(pcm))


def wav_to_mulaw(source: WavSource, *, max_seconds: float = MAX_WAV_SECONDS) -> bytes:
    """A PCM16 WAV (any rate, mono or stereo) as 8 kHz μ-law, ready for :func:`split_frames`."""
    return ulaw_encode(read_wav(source, max_seconds=max_seconds))


def mulaw_to_wav(mulaw: bytes | bytearray | memoryview) -> bytes:
    """8 kHz μ-law as the bytes of a mono PCM16 WAV file (e.g. what an agent said)."""
    buffer = io.BytesIO()
    write_wav(buffer, ulaw_decode(mulaw))
    return buffer.getvalue()
