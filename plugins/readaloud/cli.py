"""`flask --app wsgi readaloud …`: what operators and tests use to hear the text as members will."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from plugins.readaloud.engines import ENGINES, EngineFailed
from plugins.readaloud.normalize import spoken_form
from plugins.readaloud.speech import DEFAULT_RATE, Choice, synthesise


@click.group("readaloud", cls=AppGroup)
def cli():
    """Read-aloud tools: the spoken form of a text, and its audio."""


@cli.command("normalize")
@click.argument("text")
def normalize(text):
    """Print TEXT as it will be spoken."""
    click.echo(spoken_form(text))


@cli.command("synth")
@click.argument("text")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The Ogg Opus file to write.")
@click.option("--engine", type=click.Choice(sorted(ENGINES)), default="espeak", show_default=True)
@click.option("--voice", default="vi", show_default=True)
@click.option("--rate", type=click.IntRange(80, 300), default=DEFAULT_RATE, show_default=True,
              help="Words per minute.")
def synth(text, output, engine, voice, rate):
    """Write the audio members would get for TEXT to FILE, and print its duration and size."""
    try:
        audio = synthesise(text, Choice(engine, voice, rate))
    except EngineFailed as failed:
        raise click.ClickException(str(failed)) from failed
    output.write_bytes(audio.ogg)
    kbytes = len(audio.ogg) / 1024
    per_minute = kbytes / audio.seconds * 60 if audio.seconds else 0
    click.echo(_("%(file)s: %(seconds).1f s, %(kb).1f KB (%(rate).0f KB per minute), Ogg Opus mono",
                 file=str(output), seconds=audio.seconds, kb=kbytes, rate=per_minute))
