"""Speech engines behind one small interface, and the encoding members download.

An engine turns spoken-form text (normalize.spoken_form) into mono PCM; `encode` turns PCM into
Ogg Opus at a low bit rate. The default engine, espeak-ng (Debian, voice "vi"), installs with
`./sotay` and works offline. vietTTS is used only from a weights folder the operator provides
(READALOUD_VIETTTS_DIR): weights cannot be downloaded at run time here."""
from __future__ import annotations

import io
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

log = logging.getLogger(__name__)
DEFAULT_TIMEOUT = 120  # seconds one section may take before the engine counts as failed
DEFAULT_BITRATE = 16  # kbit/s: ~140 KB per minute of speech, measured (docs/bench.md)


class EngineFailed(Exception):
    """The engine is missing, failed or took too long; str() is the Vietnamese reason."""


@dataclass(frozen=True)
class Voice:
    id: str
    title: str


@dataclass(frozen=True)
class Pcm:
    """Mono 16-bit PCM and its rate: what every engine returns."""

    frames: bytes
    rate: int

    @property
    def seconds(self) -> float:
        return len(self.frames) / 2 / self.rate

    def wav(self) -> bytes:
        out = io.BytesIO()
        with wave.open(out, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(self.rate)
            w.writeframes(self.frames)
        return out.getvalue()


def read_wav(data: bytes) -> Pcm:
    with wave.open(io.BytesIO(data)) as w:
        if w.getsampwidth() != 2:
            raise EngineFailed(_("The speech engine gave audio in a form that cannot be used."))
        frames = w.readframes(w.getnframes())
        if w.getnchannels() == 2:  # keep the left channel: speech is mono
            frames = b"".join(frames[i:i + 2] for i in range(0, len(frames), 4))
        return Pcm(frames, w.getframerate())


def join(parts: list[Pcm], pause: float = 0.4) -> Pcm:
    """One recording of several parts, with a short pause between them."""
    if not parts:
        return Pcm(b"", 22050)
    rate = parts[0].rate
    gap = b"\0\0" * int(rate * pause)
    return Pcm(gap.join(p.frames for p in parts if p.rate == rate), rate)


class Engine:
    """What every engine offers: a name kept in settings, a title, its voices, whether it can
    run here (`problem`: None, or why not, in Vietnamese), and `speak`."""

    name = ""
    title = ""

    def voices(self) -> list[Voice]:
        return []

    def problem(self) -> str | None:
        return None

    def speak(self, text: str, voice: str, rate: int) -> Pcm:
        raise NotImplementedError


def _run(argv: list[str], timeout: int, **kwargs) -> subprocess.CompletedProcess:
    try:
        done = subprocess.run(argv, capture_output=True, timeout=timeout, **kwargs)
    except FileNotFoundError as exc:
        raise EngineFailed(_("The speech engine is not installed on the server.")) from exc
    except subprocess.TimeoutExpired as exc:
        raise EngineFailed(_("The speech engine took too long.")) from exc
    if done.returncode != 0:
        log.warning("%s failed: %s", argv[0], done.stderr[-500:])
        raise EngineFailed(_("The speech engine failed."))
    return done


def timeout() -> int:
    return int(current_app.config.get("READALOUD_TIMEOUT") or DEFAULT_TIMEOUT)


class Espeak(Engine):
    """espeak-ng with its Vietnamese voices: robotic but with the right tones, very fast."""

    name = "espeak"
    title = _l("espeak-ng (installed with the system, works offline)")

    def binary(self) -> str:
        return current_app.config.get("READALOUD_ESPEAK") or "espeak-ng"

    def voices(self) -> list[Voice]:
        return [Voice("vi", _("Northern voice")), Voice("vi-vn-x-central", _("Central voice")),
                Voice("vi-vn-x-south", _("Southern voice"))]

    def problem(self) -> str | None:
        if shutil.which(self.binary()) is None:
            return _("espeak-ng is not installed on the server (Debian package espeak-ng).")
        return None

    def speak(self, text: str, voice: str, rate: int) -> Pcm:
        if voice not in {v.id for v in self.voices()}:
            voice = "vi"
        with tempfile.TemporaryDirectory(prefix="readaloud-") as folder:
            out = Path(folder) / "speech.wav"
            _run([self.binary(), "-v", voice, "-s", str(rate), "-b", "1", "-w", str(out)],
                 timeout(), input=text.encode("utf-8"))
            return read_wav(out.read_bytes())


# The files vietTTS's synthesizer reads, relative to the operator's folder (it runs there).
VIETTTS_FILES = ("assets/infore/nat/duration_latest_ckpt.pickle",
                 "assets/infore/nat/acoustic_latest_ckpt.pickle",
                 "assets/infore/hifigan", "assets/infore/lexicon.txt")


@lru_cache(maxsize=8)
def _importable(python: str, module: str) -> bool:
    try:
        return subprocess.run([python, "-c", f"import {module}"], capture_output=True,
                              timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


class VietTTS(Engine):
    """vietTTS (duration + acoustic model + HiFi-GAN), from weights the operator put in
    READALOUD_VIETTTS_DIR, run with READALOUD_VIETTTS_PYTHON (an interpreter where the vietTTS
    package is installed; by default this one). More natural than espeak-ng, ~3–4.5 s per 10 s
    of speech on 2 cores."""

    name = "viettts"
    title = _l("vietTTS (natural voice, needs its model files)")

    def folder(self) -> Path | None:
        value = current_app.config.get("READALOUD_VIETTTS_DIR") or os.environ.get("READALOUD_VIETTTS_DIR")
        return Path(value) if value else None

    def python(self) -> str:
        return current_app.config.get("READALOUD_VIETTTS_PYTHON") or sys.executable

    def voices(self) -> list[Voice]:
        return [Voice("infore", _("Female voice (InfoRe)"))]

    def problem(self) -> str | None:
        folder = self.folder()
        if folder is None:
            return _("vietTTS is not installed: the operator has not set READALOUD_VIETTTS_DIR, "
                     "the folder of its model files.")
        missing = [name for name in VIETTTS_FILES if not (folder / name).exists()]
        if missing:
            return _("vietTTS is not installed: %(folder)s lacks %(files)s.", folder=str(folder),
                     files=", ".join(missing))
        if not _importable(self.python(), "vietTTS"):
            return _("vietTTS is not installed: the vietTTS package cannot be imported by %(python)s.",
                     python=self.python())
        return None

    def speak(self, text: str, voice: str, rate: int) -> Pcm:
        reason = self.problem()
        if reason:
            raise EngineFailed(reason)
        with tempfile.TemporaryDirectory(prefix="readaloud-") as tmp:
            out = Path(tmp) / "speech.wav"
            _run([self.python(), "-m", "vietTTS.synthesizer", "--text", text, "--output", str(out),
                  "--lexicon-file", "assets/infore/lexicon.txt", "--silence-duration", "0.2"],
                 timeout(), cwd=str(self.folder()))
            return read_wav(out.read_bytes())


ENGINES: dict[str, Engine] = {engine.name: engine for engine in (Espeak(), VietTTS())}


def engine_named(name: str | None) -> Engine:
    return ENGINES.get(name or "", ENGINES["espeak"])


def bitrate() -> int:
    return int(current_app.config.get("READALOUD_BITRATE") or DEFAULT_BITRATE)


def encode(pcm: Pcm, kbps: int | None = None) -> bytes:
    """Mono Ogg Opus at a low bit rate (every Android phone plays it; iPhones from iOS 17)."""
    if not pcm.frames:
        raise EngineFailed(_("There is nothing to read aloud."))
    binary = current_app.config.get("READALOUD_OPUSENC") or "opusenc"
    try:
        done = subprocess.run([binary, "--quiet", "--bitrate", str(kbps or bitrate()), "--downmix-mono",
                               "-", "-"], input=pcm.wav(), capture_output=True, timeout=timeout())
    except FileNotFoundError as exc:
        raise EngineFailed(_("The audio encoder is not installed on the server (Debian package opus-tools).")) from exc
    except subprocess.TimeoutExpired as exc:
        raise EngineFailed(_("The speech engine took too long.")) from exc
    if done.returncode != 0 or not done.stdout.startswith(b"OggS"):
        log.warning("opusenc failed: %s", done.stderr[-500:])
        raise EngineFailed(_("The audio could not be encoded."))
    return done.stdout
