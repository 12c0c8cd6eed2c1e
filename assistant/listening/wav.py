"""Reading WAV bytes into samples, checked before anything is decoded. Pure."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Final

import numpy as np

from .errors import DamagedRecording, NotARecording, RecordingTooLarge

__all__ = ["MAX_AUDIO_BYTES", "MAX_AUDIO_SECONDS", "Audio", "read_wav"]


MAX_AUDIO_SECONDS: Final = 15
"""A spoken command takes a few seconds; this bounds the decoding time of one request."""


MAX_AUDIO_BYTES: Final = 5 * 1024 * 1024
"""15 s of 16-bit stereo at 48 kHz is 2.9 MB; anything much bigger is not one command."""


@dataclass(frozen=True, slots=True, eq=False)
class Audio:
    samples: np.ndarray
    """Mono float64 samples in [-1, 1]."""
    rate: int

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate


WAVE_PCM: Final = 0x0001


WAVE_FLOAT: Final = 0x0003


WAVE_EXTENSIBLE: Final = 0xFFFE
"""Format tags of a "fmt " chunk; extensible ones carry the real tag in a sub-format GUID."""


UNKNOWN_LENGTH: Final = 0xFFFFFFFF
"""Data size written by streaming encoders that never go back to fix the header."""


MIN_SOURCE_RATE: Final = 4000


MAX_SOURCE_RATE: Final = 384000
"""Sample rates outside these are a damaged header, not a recording."""


MAX_CHANNELS: Final = 8


NOT_WAV: Final = "Send the recording as a WAV file (RIFF/WAVE with PCM or float samples)."


@dataclass(frozen=True, slots=True)
class _Format:
    tag: int
    channels: int
    rate: int
    width: int
    """Bytes per sample of one channel."""


def read_wav(data: bytes) -> Audio:
    """Parse RIFF/WAVE bytes (PCM 8/16/24/32-bit or float 32/64, any channels, any rate)
    into mono samples. Raise RecordingTooLarge, NotARecording or DamagedRecording."""
    if len(data) > MAX_AUDIO_BYTES:
        raise RecordingTooLarge(
            f"The recording is too large ({len(data) / 1e6:.1f} MB); send at most {MAX_AUDIO_SECONDS} seconds of audio."
        )
    fmt, payload = _chunks(data)
    frame_bytes = fmt.channels * fmt.width
    frames = len(payload) // frame_bytes
    if frames / fmt.rate > MAX_AUDIO_SECONDS:
        raise RecordingTooLarge(
            f"The recording is {frames / fmt.rate:.0f} seconds long; say one command in at most "
            f"{MAX_AUDIO_SECONDS} seconds."
        )
    samples = _decode_samples(payload[: frames * frame_bytes], fmt)
    return Audio(samples.reshape(frames, fmt.channels).mean(axis=1), fmt.rate)


def _chunks(data: bytes) -> tuple[_Format, bytes]:
    """The format and the audio bytes of a RIFF/WAVE file."""
    if not data:
        raise DamagedRecording("The recording is empty: no bytes were sent.")
    if len(data) < 12 and b"RIFF".startswith(data[:4]):
        raise DamagedRecording("The recording is cut short: its WAV header is incomplete.")
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise NotARecording(NOT_WAV)
    fmt: _Format | None = None
    position = 12
    while position + 8 <= len(data):
        name, size = data[position : position + 4], struct.unpack_from("<I", data, position + 4)[0]
        start = position + 8
        if name == b"fmt ":
            fmt = _parse_format(data[start : start + size])
        elif name == b"data":
            if fmt is None:
                raise DamagedRecording("The WAV file is damaged: its audio comes before its format.")
            if size == UNKNOWN_LENGTH:
                size = len(data) - start
            if start + size > len(data):
                raise DamagedRecording("The recording is cut short: the WAV file ends inside its audio.")
            return fmt, data[start : start + size]
        position = start + size + (size & 1)  # chunks are padded to an even size
    raise DamagedRecording("The recording is cut short: the WAV file has no audio in it.")


def _parse_format(body: bytes) -> _Format:
    if len(body) < 16:
        raise DamagedRecording("The recording is cut short: its WAV format block is incomplete.")
    tag, channels, rate, _, block_align, bits = struct.unpack_from("<HHIIHH", body)
    if tag == WAVE_EXTENSIBLE:
        if len(body) < 26:
            raise DamagedRecording("The WAV file is damaged: its extended format block is incomplete.")
        tag = struct.unpack_from("<H", body, 24)[0]
    if tag not in (WAVE_PCM, WAVE_FLOAT):
        raise NotARecording(f"WAV encoding {tag:#06x} is not supported; send PCM or float samples.")
    if not (1 <= channels <= MAX_CHANNELS and MIN_SOURCE_RATE <= rate <= MAX_SOURCE_RATE):
        raise DamagedRecording(f"The WAV header is damaged: {channels} channels at {rate} Hz.")
    width = block_align // channels
    if block_align != width * channels or width == 0:
        raise DamagedRecording(f"The WAV header is damaged: {block_align}-byte frames of {channels} channels.")
    if width not in ((1, 2, 3, 4) if tag == WAVE_PCM else (4, 8)) or bits > 8 * width:
        raise NotARecording(f"Samples of {bits} bits in {width} bytes are not supported; send 16-bit PCM.")
    return _Format(tag, channels, rate, width)


def _decode_samples(payload: bytes, fmt: _Format) -> np.ndarray:
    """Interleaved little-endian samples as float64 in [-1, 1]."""
    if fmt.tag == WAVE_FLOAT:
        raw = np.frombuffer(payload, dtype="<f4" if fmt.width == 4 else "<f8").astype(np.float64)
        return np.clip(np.nan_to_num(raw, nan=0.0, posinf=1.0, neginf=-1.0), -1.0, 1.0)
    if fmt.width == 1:  # 8-bit WAV is unsigned
        return (np.frombuffer(payload, dtype=np.uint8).astype(np.float64) - 128.0) / 128.0
    if fmt.width == 3:
        triples = np.frombuffer(payload, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        values = triples[:, 0] | (triples[:, 1] << 8) | (triples[:, 2] << 16)
        return np.where(values >= 1 << 23, values - (1 << 24), values).astype(np.float64) / float(1 << 23)
    dtype = "<i2" if fmt.width == 2 else "<i4"
    return np.frombuffer(payload, dtype=dtype).astype(np.float64) / float(1 << (8 * fmt.width - 1))
