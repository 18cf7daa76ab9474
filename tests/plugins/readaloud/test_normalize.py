"""The spoken form of real sentences from Party documents and provincial news, as an announcer
reads them (what `flask readaloud normalize` prints)."""
from __future__ import annotations

import pytest

from plugins.readaloud.normalize import expand_code, html_text, speakable, spoken_form

TABLE = [
    ("Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị.",
     "Nghị quyết số năm mươi bảy nghị quyết Trung ương ngày hai mươi hai tháng mười hai năm hai nghìn "
     "không trăm hai mươi bốn của Bộ Chính trị."),
    ("Đại hội XIII của Đảng đã thông qua Văn kiện.", "Đại hội mười ba của Đảng đã thông qua Văn kiện."),
    ("Hội nghị lần thứ 10 BCH TƯ khóa XIII họp lúc 8h30 ngày 18/9/2024.",
     "Hội nghị lần thứ mười Ban Chấp hành Trung ương khóa mười ba họp lúc tám giờ ba mươi ngày mười tám "
     "tháng chín năm hai nghìn không trăm hai mươi bốn."),
    ("UBND tỉnh và HĐND TP. Thái Nguyên đã ban hành QĐ số 123/QĐ-UBND.",
     "Ủy ban nhân dân tỉnh và Hội đồng nhân dân thành phố Thái Nguyên đã ban hành quyết định số một trăm "
     "hai mươi ba quyết định Ủy ban nhân dân."),
    ("Tỷ lệ kết nạp đạt 95,5%, tăng 2,3% so với năm 2023.",
     "Tỷ lệ kết nạp đạt chín mươi lăm phẩy năm phần trăm, tăng hai phẩy ba phần trăm so với năm hai nghìn "
     "không trăm hai mươi ba."),
    ("Kinh phí 1.250.000 đồng, đảng phí 500.000đ, hỗ trợ 2 triệu VNĐ.",
     "Kinh phí một triệu hai trăm năm mươi nghìn đồng, đảng phí năm trăm nghìn đồng, hỗ trợ hai triệu đồng."),
    ("Từ 15-20/10/2024, Đ/c Nguyễn Văn An dự họp BTV Tỉnh ủy.",
     "Từ mười lăm đến ngày hai mươi tháng mười năm hai nghìn không trăm hai mươi bốn, đồng chí Nguyễn Văn An "
     "dự họp Ban Thường vụ Tỉnh ủy."),
    ("Kết luận số 21-KL/TW, Chỉ thị 05-CT/TW, v.v.",
     "Kết luận số hai mươi mốt kết luận Trung ương, Chỉ thị năm chỉ thị Trung ương, vân vân"),
    ("Quy định 144-QĐ/TW và Hướng dẫn 12-HD/BTCTW.",
     "Quy định một trăm bốn mươi bốn quy định Trung ương và Hướng dẫn mười hai hướng dẫn Ban Tổ chức Trung ương."),
    ("Giai đoạn 2021-2025, họp từ 7h-11h30.",
     "Giai đoạn hai nghìn không trăm hai mươi mốt đến hai nghìn không trăm hai mươi lăm, họp từ bảy giờ đến "
     "mười một giờ ba mươi."),
    ("Hội nghị lần thứ 4 và lần thứ 1.", "Hội nghị lần thứ tư và lần thứ nhất."),
    ("Chương II, Điều 5 của Điều lệ Đảng; quý III/2024.",
     "Chương hai, Điều năm của Điều lệ Đảng; quý ba năm hai nghìn không trăm hai mươi bốn."),
    ("Nghị quyết TƯ 4 khóa XII, thế kỷ XXI.", "Nghị quyết Trung ương bốn khóa mười hai, thế kỷ hai mươi mốt."),
    ("Gần 1/3 số đảng viên trên 60 tuổi, 600 TCCS đảng, MTTQ.",
     "Gần một phần ba số đảng viên trên sáu mươi tuổi, sáu trăm tổ chức cơ sở đảng, Mặt trận Tổ quốc."),
    ("Lúc 14:30 ngày 03/02/2025.", "Lúc mười bốn giờ ba mươi ngày ba tháng hai năm hai nghìn không trăm hai mươi lăm."),
]


@pytest.mark.parametrize("written, spoken", TABLE)
def test_sentence_is_read_as_an_announcer_reads_it(written, spoken):
    assert spoken_form(written) == spoken


def test_combined_issuer_codes_are_split_and_unknown_ones_left():
    assert expand_code("BTCTW") == "Ban Tổ chức Trung ương"
    assert expand_code("UBKTTW") == "Ủy ban Kiểm tra Trung ương"
    assert expand_code("XYZ") == "XYZ"


def test_html_body_becomes_lines_and_nothing_else_is_spoken():
    text = html_text("<h2>Phần I</h2><p>Đảng viên &amp; quần chúng.</p><ul><li>Một</li><li>Hai</li></ul>")
    assert text.splitlines() == ["Phần I", "Đảng viên & quần chúng.", "Một", "Hai"]
    assert not speakable(spoken_form(" … — ! "))
    assert spoken_form("\n\n") == ""
