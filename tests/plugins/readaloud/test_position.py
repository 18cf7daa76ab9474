"""Where the member stopped: sent by the player (seconds) or said without JavaScript (the part),
kept on the server per account, so it follows them to another phone; bad values are refused with
a message and change nothing."""
from __future__ import annotations

from tests.plugins.readaloud.support import position_of, published, reading_of
from tests.plugins.readaloud.test_listen import LONG


def test_the_part_reached_is_remembered_and_offered_next_time(app, as_role, accounts):
    item = published(as_role, body=LONG)
    member = as_role("member")
    assert "Lần trước đồng chí nghe đến" not in member.text(f"/readaloud/{item}")
    answer = member.submit(f"/readaloud/{item}/position", {"section": "2"}, form_page=f"/readaloud/{item}")
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/readaloud/{item}#where")
    assert position_of(app, accounts["member"]["login"], item) == (1, 0.0)
    page = member.text(f"/readaloud/{item}")
    assert "Đã ghi nhớ: đồng chí đang nghe đến phần 2." in page
    other_phone = as_role("member")  # a second sign-in: the place is on the server
    page = other_phone.text(f"/readaloud/{item}")
    assert "Lần trước đồng chí nghe đến phần 2, phút 0:00." in page and 'href="#part-2"' in page
    assert 'data-part="2"' in page and '<option value="2" selected>' in page


def test_the_player_sends_seconds_and_gets_nothing_back(app, as_role, accounts):
    item = published(as_role, body=LONG)
    member = as_role("member")
    member.text(f"/readaloud/{item}")
    answer = member.submit(f"/readaloud/{item}/position", {"section": "3", "seconds": "12.5"},
                           form_page=f"/readaloud/{item}", headers={"X-Readaloud": "position"})
    assert answer.status_code == 204
    assert position_of(app, accounts["member"]["login"], item) == (2, 12.5)
    page = member.text(f"/readaloud/{item}")
    assert 'data-part="3" data-seconds="12.5"' in page and "phần 3, phút 0:12" in page
    # Past the part's end: kept at its end, never beyond.
    member.submit(f"/readaloud/{item}/position", {"section": "1", "seconds": "4000"},
                  form_page=f"/readaloud/{item}", headers={"X-Readaloud": "position"})
    number, seconds = position_of(app, accounts["member"]["login"], item)
    assert number == 0 and abs(seconds - reading_of(app, item)["seconds"][0]) < 0.01


def test_bad_positions_are_refused_with_a_message(app, as_role, accounts):
    item = published(as_role)
    member = as_role("member")
    total = reading_of(app, item)["total"]
    for data in ({}, {"section": "abc"}, {"section": "0"}, {"section": str(total + 1)},
                 {"section": "1", "seconds": "-3"}, {"section": "1", "seconds": "nan"},
                 {"section": "1", "seconds": "1e300"}, {"section": "99999999999999999999"}):
        answer = member.submit(f"/readaloud/{item}/position", data, form_page=f"/readaloud/{item}")
        assert answer.status_code == 400, data
        assert "Đồng chí hãy chọn phần đã nghe đến." in answer.get_data(as_text=True), data
    assert position_of(app, accounts["member"]["login"], item) is None


def test_a_family_helper_keeps_a_place_of_their_own(app, as_role, accounts):
    item = published(as_role)
    helper = as_role("family_helper")
    assert helper.submit(f"/readaloud/{item}/position", {"section": "2"},
                         form_page=f"/readaloud/{item}").status_code == 302
    assert position_of(app, accounts["family_helper"]["login"], item) == (1, 0.0)
    assert position_of(app, accounts["member"]["login"], item) is None
