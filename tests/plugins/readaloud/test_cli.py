"""`flask readaloud normalize` and `flask readaloud synth`, with the real default engine: the file
written is mono Ogg Opus of the length printed, within the 150 KB per minute target."""
from __future__ import annotations

import pytest
from mutagen.oggopus import OggOpus

from tests.plugins.support import dispose, make_app


@pytest.fixture
def app(db_uri, tmp_path):
    app = make_app(db_uri, tmp_path / "instance")
    yield app
    dispose(app)


def test_normalize_prints_the_spoken_form(app):
    result = app.test_cli_runner().invoke(args=["readaloud", "normalize", "Đại hội XIII, ngày 22/12/2024"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == ("Đại hội mười ba, ngày hai mươi hai tháng mười hai năm hai nghìn "
                                     "không trăm hai mươi bốn")


def test_synth_writes_mono_opus_and_prints_duration_and_size(app, tmp_path):
    out = tmp_path / "nq57.ogg"
    text = ("Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị về đột phá phát triển khoa học, "
            "công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia.")
    result = app.test_cli_runner().invoke(args=["readaloud", "synth", text, "-o", str(out)])
    assert result.exit_code == 0, result.output
    audio = OggOpus(str(out))
    assert audio.info.channels == 1
    assert 6 < audio.info.length < 20
    printed = float(result.output.split(": ", 1)[1].split(" ")[0])
    assert abs(printed - audio.info.length) < 0.2
    kb_per_minute = out.stat().st_size / 1024 / audio.info.length * 60
    assert kb_per_minute <= 150
    assert f"{out.stat().st_size / 1024:.1f} KB" in result.output


def test_synth_of_nothing_speakable_fails_with_a_message(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["readaloud", "synth", " … ", "-o", str(tmp_path / "x.ogg")])
    assert result.exit_code != 0
    assert "Không có nội dung nào để đọc." in result.output
    assert not (tmp_path / "x.ogg").exists()


def test_a_missing_engine_binary_says_so(app, tmp_path):
    app.config["READALOUD_ESPEAK"] = "/nonexistent/espeak-ng"
    result = app.test_cli_runner().invoke(args=["readaloud", "synth", "Xin chào", "-o", str(tmp_path / "x.ogg")])
    assert result.exit_code != 0
    assert "chưa được cài" in result.output


def test_viettts_without_its_weights_folder_says_it_is_not_installed(app, tmp_path):
    from plugins.readaloud.engines import ENGINES

    with app.app_context():
        assert ENGINES["espeak"].problem() is None
        assert "READALOUD_VIETTTS_DIR" in ENGINES["viettts"].problem()
        app.config["READALOUD_VIETTTS_DIR"] = str(tmp_path)
        assert "acoustic_latest_ckpt.pickle" in ENGINES["viettts"].problem()
    result = app.test_cli_runner().invoke(args=["readaloud", "synth", "Xin chào", "--engine", "viettts",
                                                "-o", str(tmp_path / "x.ogg")])
    assert result.exit_code != 0 and "vietTTS" in result.output
