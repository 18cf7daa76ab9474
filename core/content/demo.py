"""Demo content for `flask seed-demo`: news, documents, announcements and useful-life pages
from every level above the demo branch. The text is made up for the demo (document numbers and
titles of the Centre are the public ones); nobody real is named."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from core.content.models import Attachment, ContentItem, Kind, Status
from core.content.service import search_text, to_html
from core.extensions import db
from core.files import save_bytes
from core.files.watermark import FONT
from core.localtime import today_local
from core.org.models import utcnow


@dataclass(frozen=True)
class Demo:
    """One demo item: who issues it (a key of the organisations given), what, and how long ago."""

    org: str
    kind: Kind
    title: str
    summary: str
    body: str
    days_ago: int
    number: str | None = None
    issuer: str | None = None
    issued_on: date | None = None
    level: str | None = None
    category: str | None = None


def seed_demo_content(province, district, grassroots, branch) -> int:
    """Publish the demo items for these organisations (anything with `.id` and `.name`);
    the caller commits. Returns how many were added."""
    orgs = {"province": province, "district": district, "grassroots": grassroots, "branch": branch}
    now = utcnow()
    items = _news(orgs) + _documents(orgs) + _announcements(orgs) + _life()
    made = []
    for demo in items:
        item = ContentItem(org_id=orgs[demo.org].id, kind=demo.kind.value, title=demo.title,
                           summary=demo.summary, body=to_html(demo.body), number=demo.number,
                           issuer=demo.issuer, issued_on=demo.issued_on, level=demo.level,
                           category=demo.category, status=Status.PUBLISHED.value,
                           publish_at=now - timedelta(days=demo.days_ago, hours=3), version=1,
                           created_at=now - timedelta(days=demo.days_ago, hours=4))
        item.search_text = search_text(item)
        db.session.add(item)
        made.append((demo, item))
    db.session.flush()
    for demo, item in made:
        if demo.category == "monthly_material":  # a file to open or download, as branches hand out
            _attach_pdf(item, demo)
    return len(items)


def _attach_pdf(item: ContentItem, demo: Demo) -> None:
    """The demo's monthly material as a one-page PDF attachment, in DejaVu Sans."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.add_font("dejavu", fname=FONT)
    pdf.set_font("dejavu", size=15)
    pdf.multi_cell(0, 8, demo.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("dejavu", size=12)
    for paragraph in [demo.summary, *demo.body.split("\n\n")]:
        pdf.ln(4)
        pdf.multi_cell(0, 7, paragraph, new_x="LMARGIN", new_y="NEXT")
    name = demo.title.replace("/", "-")  # "tháng 12/2026" is not a folder
    stored = save_bytes(bytes(pdf.output()), namespace="content", filename=f"{name}.pdf",
                        mimetype="application/pdf")
    db.session.add(Attachment(item_id=item.id, file_id=stored.id))


def _committee(org) -> str:
    """"Đảng bộ xã Tân Thịnh" → "Đảng ủy xã Tân Thịnh": the committee that issues its papers."""
    return org.name.replace(" (dữ liệu mẫu)", "").replace("Đảng bộ", "Đảng ủy", 1)


def _news(orgs) -> list[Demo]:
    district, year = orgs["district"].name, today_local(orgs["province"].id).year
    return [
        Demo("province", Kind.NEWS, f"Hội nghị Ban Chấp hành Đảng bộ tỉnh bàn nhiệm vụ năm {year + 1}",
             f"Hội nghị đánh giá kết quả năm {year} và thống nhất các chỉ tiêu chủ yếu cho năm {year + 1}.",
             "Trong hai ngày, Ban Chấp hành Đảng bộ tỉnh đã họp hội nghị thường kỳ để đánh giá tình "
             f"hình thực hiện nhiệm vụ chính trị năm {year}.\n\nHội nghị thống nhất tập trung vào ba "
             "khâu đột phá: hạ tầng giao thông, chuyển đổi số và phát triển nguồn nhân lực. Các cấp "
             "ủy được đề nghị quán triệt kết quả hội nghị tới từng chi bộ trong tháng.", 2),
        Demo("province", Kind.NEWS, "Phát động thi đua chào mừng Đại hội đại biểu toàn quốc lần thứ XIV của Đảng",
             "Mỗi chi bộ đăng ký ít nhất một công trình, phần việc cụ thể.",
             "Ban Thường vụ Tỉnh ủy phát động đợt thi đua cao điểm trong toàn Đảng bộ. Các chi bộ "
             "đăng ký công trình, phần việc thiết thực như sửa đường thôn, thắp sáng đường quê, "
             "giúp hộ khó khăn, và báo cáo kết quả về cấp ủy cấp trên trước ngày 15 hằng tháng.", 6),
        Demo("province", Kind.NEWS, "Đưa sổ tay đảng viên điện tử tới mọi chi bộ trong tỉnh",
             "Đảng viên đọc văn bản, nhận thông báo và tài liệu sinh hoạt ngay trên điện thoại.",
             "Sau giai đoạn thí điểm, sổ tay đảng viên điện tử được triển khai tới tất cả chi bộ. "
             "Bí thư chi bộ hướng dẫn đảng viên đăng nhập bằng số thẻ đảng viên; đảng viên cao tuổi "
             "có thể nhờ người thân hỗ trợ bằng tài khoản chỉ xem.", 12),
        Demo("district", Kind.NEWS, f"{district}: sơ kết việc học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
             "Nhiều mô hình hay ở cơ sở được biểu dương.",
             "Ban Thường vụ đã tổ chức sơ kết, biểu dương các tập thể và cá nhân tiêu biểu. Nhiều "
             "chi bộ đưa nội dung làm theo gương Bác vào sinh hoạt định kỳ, gắn với việc giải quyết "
             "những vấn đề bức xúc ở khu dân cư.", 4),
        Demo("district", Kind.NEWS, "Trao Huy hiệu 50 năm tuổi Đảng cho các đảng viên lão thành",
             "Buổi lễ trang trọng, ấm áp tình đồng chí.",
             "Thay mặt cấp ủy, đồng chí Bí thư đã trao Huy hiệu Đảng và chúc mừng các đồng chí đảng "
             "viên lão thành, mong các đồng chí tiếp tục là tấm gương cho thế hệ trẻ noi theo.", 9),
        Demo("district", Kind.NEWS, "Ra quân làm đường giao thông nông thôn mùa khô",
             "Nhân dân hiến đất, góp ngày công cùng Nhà nước làm đường.",
             "Các chi bộ vận động nhân dân góp công, góp đất mở rộng đường liên xóm. Đảng viên đi "
             "đầu, gương mẫu, tạo sức lan tỏa trong cộng đồng.", 15),
    ]


def _documents(orgs) -> list[Demo]:
    grassroots = _committee(orgs["grassroots"])
    today = today_local(orgs["province"].id)
    month = f"{today.month}/{today.year}"
    province = _committee(orgs["province"]).replace("Đảng ủy tỉnh", "Tỉnh ủy")
    return [
        Demo("province", Kind.DOCUMENT,
             "Nghị quyết về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia",
             "Khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số là đột phá quan trọng hàng đầu.",
             "Nghị quyết xác định phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số "
             "quốc gia là đột phá quan trọng hàng đầu, là động lực chính để phát triển nhanh lực "
             "lượng sản xuất hiện đại.\n\nChi bộ tổ chức học tập, liên hệ với việc sử dụng dịch vụ "
             "công trực tuyến và các ứng dụng số ở địa phương.", 20, "57-NQ/TW", "Bộ Chính trị",
             date(2024, 12, 22), "central", "resolution"),
        Demo("province", Kind.DOCUMENT,
             "Quy định về chuẩn mực đạo đức cách mạng của cán bộ, đảng viên trong giai đoạn mới",
             "Năm chuẩn mực: trung thành, gương mẫu, liêm chính, đoàn kết, gần dân.",
             "Quy định nêu những chuẩn mực đạo đức mà mỗi cán bộ, đảng viên phải tu dưỡng, rèn luyện "
             "và làm theo, là căn cứ để chi bộ đánh giá, xếp loại đảng viên hằng năm.", 40,
             "144-QĐ/TW", "Bộ Chính trị", date(2024, 5, 9), "central", "regulation"),
        Demo("province", Kind.DOCUMENT,
             "Chỉ thị về đại hội đảng bộ các cấp tiến tới Đại hội đại biểu toàn quốc lần thứ XIV của Đảng",
             "Đại hội chi bộ trước, đảng bộ cơ sở sau, đúng thời gian và quy trình.",
             "Chỉ thị yêu cầu chuẩn bị chu đáo văn kiện, nhân sự và công tác tổ chức đại hội; phát "
             "huy dân chủ, lắng nghe ý kiến đóng góp của đảng viên và nhân dân.", 60, "35-CT/TW",
             "Bộ Chính trị", date(2024, 6, 14), "central", "directive"),
        Demo("province", Kind.DOCUMENT,
             "Kết luận của Ban Thường vụ Tỉnh ủy về phát triển vùng chè đặc sản",
             "Nâng cao giá trị cây chè gắn với du lịch cộng đồng.",
             "Ban Thường vụ thống nhất hỗ trợ các hợp tác xã chè áp dụng quy trình sản xuất an toàn, "
             "xây dựng thương hiệu và bán hàng qua sàn thương mại điện tử.", 25, "118-KL/TU",
             province, today - timedelta(days=25), "province", "conclusion"),
        Demo("province", Kind.DOCUMENT, f"Hướng dẫn sinh hoạt chi bộ theo chuyên đề năm {today.year + 1}",
             "Mỗi quý ít nhất một kỳ sinh hoạt chuyên đề; chọn nội dung sát thực tế.",
             "Hướng dẫn nêu cách chọn chuyên đề, chuẩn bị tài liệu, phân công đảng viên chuẩn bị ý "
             "kiến và ghi biên bản sinh hoạt chuyên đề.", 8, "21-HD/BTGDVTU",
             "Ban Tuyên giáo và Dân vận Tỉnh ủy", today - timedelta(days=8), "province", "guidance"),
        Demo("district", Kind.DOCUMENT, f"Hướng dẫn đánh giá, xếp loại chất lượng đảng viên năm {today.year}",
             "Thời gian đánh giá ở chi bộ: trước ngày 25/12.",
             "Đảng viên tự kiểm điểm theo mẫu, chi bộ họp góp ý và đề xuất mức xếp loại, báo cáo "
             "cấp ủy cấp trên xem xét, quyết định.", 5, "12-HD/HU", None, today - timedelta(days=5),
             "local", "guidance"),
        Demo("branch", Kind.DOCUMENT, f"Tài liệu sinh hoạt chi bộ tháng {month}",
             "Thông tin thời sự, nhiệm vụ trọng tâm của xã và nội dung sinh hoạt trong tháng.",
             "Phần 1. Thông tin thời sự trong nước và của tỉnh.\n\nPhần 2. Nhiệm vụ trọng tâm của xã: "
             "chăm sóc cây trồng, phòng dịch cho gia súc, giữ gìn an ninh trật tự.\n\nPhần 3. Gợi ý "
             "thảo luận: mỗi đảng viên nhận giúp đỡ một hộ khó khăn.", 3, f"TL-{month}", grassroots,
             today.replace(day=1), "local", "monthly_material"),
        Demo("grassroots", Kind.DOCUMENT,
             f"Chuyên đề tháng {today.month}: Học và làm theo Bác về thực hành tiết kiệm, chống lãng phí",
             "Liên hệ việc tổ chức đám cưới, đám hiếu văn minh, tiết kiệm ở khu dân cư.",
             "Chuyên đề gồm lời dạy của Bác về tiết kiệm, những việc làm cụ thể ở khu dân cư và câu "
             "hỏi gợi ý để chi bộ thảo luận, đăng ký làm theo.", 7, f"CĐ-{month}", grassroots,
             today.replace(day=1), "local", "thematic_study"),
    ]


def _announcements(orgs) -> list[Demo]:
    year = today_local(orgs["province"].id).year
    return [
        Demo("branch", Kind.ANNOUNCEMENT,
             "Sinh hoạt chi bộ định kỳ tháng 12 vào 19h30 ngày 05/12 tại nhà văn hóa xóm",
             "Đề nghị các đồng chí đảng viên có mặt đúng giờ; ai vắng báo trước cho bí thư chi bộ.",
             "Nội dung: thông báo tình hình tháng 11, bàn nhiệm vụ tháng 12, đánh giá chất lượng "
             f"đảng viên năm {year}.", 1),
        Demo("grassroots", Kind.ANNOUNCEMENT, f"Hoàn thành thu nộp đảng phí năm {year} trước ngày 20/12",
             "Các chi bộ nộp đảng phí và danh sách về Văn phòng Đảng ủy.",
             "Chi bộ nào gặp khó khăn liên hệ Văn phòng Đảng ủy trong giờ hành chính.", 4),
    ]


def _life() -> list[Demo]:
    return [
        Demo("province", Kind.PAGE, "Phòng bệnh cho người cao tuổi khi trời trở lạnh",
             "Giữ ấm, ăn uống đủ chất, đo huyết áp thường xuyên.",
             "Khi trời lạnh, người cao tuổi nên giữ ấm cổ, ngực và bàn chân; uống nước ấm; không "
             "tắm muộn. Người có bệnh huyết áp cần uống thuốc đều và đo huyết áp tại trạm y tế xã.",
             5, category="health"),
        Demo("province", Kind.PAGE, "Giữ gìn lễ hội Lồng tồng của đồng bào Tày, Nùng",
             "Lễ hội xuống đồng đầu xuân, cầu mùa màng tốt tươi.",
             "Các thôn, xóm giữ nghi lễ truyền thống, tổ chức trò chơi dân gian và hát then, đàn tính, "
             "tránh thương mại hóa lễ hội.", 18, category="culture"),
        Demo("province", Kind.PAGE, "Xây dựng khu dân cư kiểu mẫu trong chương trình nông thôn mới",
             "Đường sạch, nhà gọn, vườn xanh, an ninh tốt.",
             "Kinh nghiệm của nhiều xóm: họp dân bàn bạc công khai, chi bộ đi đầu, mỗi hộ nhận một "
             "việc như trồng hoa, làm rãnh thoát nước, phân loại rác tại nhà.", 30, category="rural"),
    ]
