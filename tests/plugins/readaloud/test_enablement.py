"""Read-aloud off for a province: its pages and audio answer 404, "Nghe" leaves the items' pages,
its job is refused (at enqueue, and when a job queued before runs); on again, it all works without
a restart. The other province is not affected."""
from __future__ import annotations

import pytest

from core.extensions import db
from core.jobs import JobRecord, JobRefused, enqueue, run_job
from tests.plugins.readaloud.support import published, reading_of
from tests.plugins.readaloud.test_listen import audio_links
from tests.plugins.support import province_of_role, switch


def test_off_for_the_province_then_on_again_without_a_restart(app, as_role, accounts):
    item = published(as_role)
    province = province_of_role(app, accounts, "member")
    member = as_role("member")
    link = audio_links(member.text(f"/readaloud/{item}"))[0]
    switch(app, province, "readaloud", False)
    assert ">Nghe<" not in member.text(f"/c/{item}")
    for url in (f"/readaloud/{item}", link):
        assert member.get(url).status_code == 404, url
    assert member.submit(f"/readaloud/{item}/position", {"section": "1"},
                         form_page="/account").status_code == 404
    with app.app_context(), pytest.raises(JobRefused):
        enqueue("readaloud.make", province_id=province, item_id=item)
    # A new item published meanwhile gets no audio (the plugin hears nothing).
    quiet = published(as_role)
    assert reading_of(app, quiet) == {}
    switch(app, province, "readaloud", True)
    assert ">Nghe<" in member.text(f"/c/{item}")
    assert member.get(link).status_code == 200
    member.text(f"/readaloud/{quiet}")  # the first listen asks for it
    assert reading_of(app, quiet)["status"] == "ready"


def test_a_job_queued_before_the_province_turned_it_off_is_refused_when_run(app, as_role, accounts):
    item = published(as_role)
    province = province_of_role(app, accounts, "member")
    app.config["JOBS_EAGER"] = False
    app.extensions["sotay.jobs"] = _Held()
    with app.app_context():
        record = enqueue("readaloud.make", province_id=province, item_id=item)
        db.session.commit()
        switch(app, province, "readaloud", False)
        run_job(record.id)
        assert db.session.get(JobRecord, record.id).status == "refused"


class _Held:
    """A queue that holds jobs until the test runs them."""

    def submit(self, record_id: str, job=None) -> None:
        pass
