"""From text to the audio members get: spoken form, engine, encoding. Used by the job, the
administrator's sample and the `flask readaloud synth` command alike."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from core.api import setting
from plugins.readaloud.engines import EngineFailed, Pcm, encode, engine_named, join
from plugins.readaloud.normalize import speakable, spoken_form

DEFAULT_RATE = 145  # words per minute: a little slower than espeak-ng's 175, for elderly listeners


@dataclass(frozen=True)
class Choice:
    """The engine, voice and speed a province chose (settings), resolved for one organisation."""

    engine: str
    voice: str
    rate: int

    @classmethod
    def for_org(cls, org_id: int | None) -> "Choice":
        if org_id is None:
            return cls("espeak", "vi", DEFAULT_RATE)
        return cls(setting("readaloud.engine", org_id) or "espeak", setting("readaloud.voice", org_id) or "vi",
                   int(setting("readaloud.rate", org_id) or DEFAULT_RATE))

    @property
    def key(self) -> str:
        """What an audio file depends on besides the text."""
        return f"{self.engine}:{self.voice}:{self.rate}"


@dataclass(frozen=True)
class Audio:
    ogg: bytes
    seconds: float


def speak(text: str, choice: Choice) -> Pcm:
    """The PCM of `text` (written form); EngineFailed when there is nothing to say or the engine fails."""
    spoken = spoken_form(text)
    if not speakable(spoken):
        raise EngineFailed(_("There is nothing to read aloud."))
    engine = engine_named(choice.engine)
    voice = choice.voice if choice.voice in {v.id for v in engine.voices()} else engine.voices()[0].id
    return join([engine.speak(line, voice, choice.rate) for line in spoken.splitlines()], pause=0.3)


def synthesise(text: str, choice: Choice) -> Audio:
    pcm = speak(text, choice)
    return Audio(encode(pcm), pcm.seconds)
