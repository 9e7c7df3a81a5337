"""A release's files in English and Japanese, the reader's first; releases stored before
files had languages still read and download; import problems in the reader's language."""
import csv
import io
import json
import re
import shutil

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from sqlalchemy.orm.attributes import flag_modified

from jgrad.accounts.models import Role
from jgrad.extensions import db
from jgrad.statistics import services
from jgrad.statistics.charts import can_draw
from jgrad.statistics.models import StatRelease
from tests.imports.test_import import ROW, csv_bytes
from tests.test_japanese_everywhere import ENGLISH_RUN, visible_text

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.fixture
def released(runner, tmp_path, make_account, login, client):
    runner.invoke(args=["demo-data", "--registrants", "600"])
    out = tmp_path / "release"
    result = runner.invoke(args=["stats", "release", "--out", str(out)])
    assert result.exit_code == 0, result.output
    make_account(role=Role.ANALYST, email="analyst@example.org")
    login("analyst@example.org")
    return db.session.scalar(sa.select(StatRelease)), out


def _english(text: str) -> list[str]:
    return sorted(set(ENGLISH_RUN.findall(text)))


def _svg_text(svg: str) -> str:
    return " ".join(re.findall(r"<text\b[^>]*>([^<]*)</text>", svg))


def test_every_file_of_a_release_is_written_in_japanese_without_english(released, client):
    row, out = released
    assert row.meta["languages"] == ["en", "ja"]
    words = json.loads((out / "ja" / "release.json").read_text(encoding="utf-8"))
    english = json.loads((out / "en" / "release.json").read_text(encoding="utf-8"))
    assert words["language"] == "ja" and english["language"] == "en"
    for same in ("rules", "hidden_by_rule", "as_of"):  # codes and figures: one version
        assert words[same] == english[same]
    said = [*words["flags"].values(), *words["notes"], *words["rule_names"].values(),
            *(t["title"] for t in words["tables"]),
            *(t["withheld"] or "" for t in words["tables"]),
            *(name for t in words["tables"] for name in t["dimension_names"].values())]
    assert not _english(" \n ".join(said)), _english(" \n ".join(said))
    assert all(JAPANESE.search(text) for text in words["flags"].values())
    assert english["flags"] == {"x": "not published"}  # one sign for every hidden cell
    assert words["flags"] == {"x": "秘匿（非公表）"}
    published = [t for t in words["tables"] if not t["withheld"]]
    assert len(published) > 20
    found = {}
    for table in published:
        text = (out / "ja" / f"{table['id']}.csv").read_text(encoding="utf-8-sig")
        sheet = load_workbook(out / "ja" / f"{table['id']}.xlsx", read_only=True)
        assert sheet.sheetnames == ["表", "注記"]
        notes = " \n ".join(str(r[0]) for r in sheet["注記"].iter_rows(values_only=True))
        runs = _english(text + " \n " + notes)
        if runs:
            found[table["id"]] = runs
        assert JAPANESE.search(next(csv.reader(io.StringIO(text)))[0]), table["id"]
    assert not found, found
    # The same figures in both languages: only the words differ.
    first = published[0]["id"]
    en_rows = list(csv.reader(io.StringIO(
        (out / "en" / f"{first}.csv").read_text(encoding="utf-8-sig"))))
    ja_rows = list(csv.reader(io.StringIO(
        (out / "ja" / f"{first}.csv").read_text(encoding="utf-8-sig"))))
    assert [r[1:] for r in en_rows[1:]] == [r[1:] for r in ja_rows[1:]]
    assert en_rows[0] != ja_rows[0]
    # Charts in the site's default language (English) are drawn with the release; the
    # Japanese ones when first asked for, then kept beside the other Japanese files.
    folder = services.folder_of(row)
    assert (folder / "en" / "working_abroad_by_field.png").exists()
    assert not (folder / "ja" / "working_abroad_by_field.svg").exists()
    for table in ("registrants_by_status_field", "working_abroad_by_field"):
        svg = client.get(f"/stats/{row.id}/files/ja/{table}.svg").get_data(as_text=True)
        assert JAPANESE.search(_svg_text(svg)) and not _english(_svg_text(svg)), table
        assert (folder / "ja" / f"{table}.svg").exists()
    png = client.get(f"/stats/{row.id}/files/ja/working_abroad_by_field.png")
    assert png.status_code == 200 and png.data[:4] == b"\x89PNG"
    # Without a Japanese font here, the Japanese PNG is the English one (documented).
    assert (folder / "ja" / "working_abroad_by_field.png").exists() == can_draw("ja", "png")


def test_pages_offer_the_readers_language_first_and_show_no_english(released, client):
    row, _ = released
    client.submit("/lang", {"lang": "ja", "next": "/"})
    page = client.get(f"/stats/{row.id}").get_data(as_text=True)
    text = visible_text(page)
    assert not _english(text), _english(text)
    table = "registrants_by_status_field"
    ja_link = page.index(f"/stats/{row.id}/files/ja/{table}.csv")
    assert ja_link < page.index(f"/stats/{row.id}/files/en/{table}.csv")
    for table_id in (table, "working_abroad_by_field.sex", "survey.career-wave-2025.v1.labour_status"):
        shown = client.get(f"/stats/{row.id}/tables/{table_id}").get_data(as_text=True)
        assert not _english(visible_text(shown)), (table_id, _english(visible_text(shown)))
    response = client.get(f"/stats/{row.id}/files/ja/{table}.csv")
    assert response.status_code == 200
    assert f"{table}_ja.csv" in response.headers["Content-Disposition"]
    # The reader's language when none is named.
    assert client.get(f"/stats/{row.id}/files/{table}.csv").data == response.data
    english = client.get(f"/stats/{row.id}/files/en/{table}.csv")
    assert english.data != response.data and "Total" in english.get_data(as_text=True)
    # A breakdown's chart is drawn in the language asked for, when first asked for.
    svg = client.get(f"/stats/{row.id}/files/ja/working_abroad_by_field.sex.svg")
    assert svg.status_code == 200 and JAPANESE.search(_svg_text(svg.get_data(as_text=True)))
    png = client.get(f"/stats/{row.id}/files/ja/{table}.png")
    assert png.status_code == 200 and png.data[:4] == b"\x89PNG"
    for bad in (f"files/fr/{table}.csv", f"files/ja/{table}.pickle", "files/ja/release.pickle",
                f"files/ja/..%2F{table}.csv", "files/ja/no_such_table.csv"):
        assert client.get(f"/stats/{row.id}/{bad}").status_code == 404, bad
    metadata = client.get(f"/stats/{row.id}/files/ja/release.json")
    assert metadata.status_code == 200 and metadata.json["language"] == "ja"


def test_a_release_stored_before_files_had_languages_still_reads_and_downloads(
        released, client):
    row, _ = released
    folder = services.folder_of(row)
    for path in (folder / "en").iterdir():  # the old layout: one set of files, English
        if not path.name.endswith((".png", ".svg")):
            shutil.move(path, folder / path.name)
    shutil.rmtree(folder / "en")
    shutil.rmtree(folder / "ja")
    row.meta = {k: v for k, v in row.meta.items() if k != "languages"}
    flag_modified(row, "meta")
    db.session.commit()
    page = client.get(f"/stats/{row.id}").get_data(as_text=True)
    assert f"/stats/{row.id}/files/registrants_by_status_field.csv" in page
    assert "/files/ja/" not in page
    response = client.get(f"/stats/{row.id}/files/registrants_by_status_field.csv")
    assert response.status_code == 200 and "Total" in response.get_data(as_text=True)
    assert "registrants_by_status_field.csv" in response.headers["Content-Disposition"]
    assert client.get(f"/stats/{row.id}/files/release.json").json["as_of"]
    assert client.get(f"/stats/{row.id}/files/ja/release.json").status_code == 404
    chart = client.get(f"/stats/{row.id}/files/working_abroad_by_field.svg")
    assert chart.status_code == 200 and (folder / "working_abroad_by_field.svg").exists()
    client.submit("/lang", {"lang": "ja", "next": "/"})
    shown = client.get(f"/stats/{row.id}/tables/working_abroad_by_field").get_data(as_text=True)
    assert not _english(visible_text(shown)), _english(visible_text(shown))


def test_import_problems_are_shown_in_japanese(client, login, make_university, make_account):
    home = make_university(code="HOME")
    editor = make_account(role=Role.STAFF, university=home, email="editor@home.example")
    editor.staff_role = "editor"
    db.session.commit()
    login("editor@home.example")
    client.submit("/lang", {"lang": "ja", "next": "/"})
    bad_rows = csv_bytes(
        dict(ROW, entry_date="2021-02-30", sex="maybe", nationality="XX", birth_year="95"),
        dict(ROW, email="kenta@", family_name="", status="withdrawn", status_date=""),
        dict(ROW, student_number="D21-002", email="a@example.org"),
        dict(ROW, student_number="D21-002", email="b@example.org"),
        dict(ROW, student_number="D21-009", email="c@example.org", major="z" * 300,
             status_date="2020-01-01", degree=""))
    no_column = csv_bytes(ROW, columns=[c for c in ROW if c != "sex"] + ["shoe_size"])
    not_utf8 = "学籍番号\n".encode("shift_jis")
    for name, data, wanted in (("a.csv", bad_rows, "YYYY-MM-DD 形式の日付ではありません"),
                               ("b.csv", no_column, "列がありません"),
                               ("c.csv", not_utf8, "UTF-8 のテキストではありません"),
                               ("d.xlsx", b"PK not a workbook", "XLSX ブックではありません")):
        response = client.submit("/records/import", {"file": (io.BytesIO(data), name)},
                                 content_type="multipart/form-data")
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and wanted in page, (name, visible_text(page))
        text = visible_text(page).replace("Graduate School of Engineering", "")
        assert not _english(text), (name, _english(text))
    for message in ("必須です", "同じ学籍番号", "2文字の国コード", "は年ではありません",
                    "メールアドレスではありません", "文字を超えています", "入学日）より前", "学位が授与された場合は必須"):
        assert message in visible_text(client.submit(
            "/records/import", {"file": (io.BytesIO(bad_rows), "a.csv")},
            content_type="multipart/form-data").get_data(as_text=True)), message


def test_the_signs_of_releases_stored_before_keep_their_own_meaning(app):
    """Releases stored before wrote four signs, "x" then meaning a small count; the words
    written beside a sign decide what it means, so old and new releases both read right."""
    from flask_babel import force_locale

    from jgrad.statistics import texts

    old = {"x": "small count, zero included (below threshold)",
           "s": "hidden to protect another cell"}
    with app.test_request_context(), force_locale("ja"):
        assert texts.signs({"x": "not published"}) == {"x": "秘匿（非公表）"}
        assert texts.signs(old) == {"x": "少数（0 を含み、基準値未満）",
                                    "s": str(texts.MEANINGS["hidden to protect another cell"])}
        assert texts.sign("x") == "少数（0 を含み、基準値未満）"  # no words kept: the old sign


def test_the_release_page_lists_its_merged_categories_in_both_languages(released, client):
    row, _ = released
    merged = row.meta["aggregation"]
    assert "sector" in merged  # 600 registrants: the rare sectors are one
    page = client.get(f"/stats/{row.id}").get_data(as_text=True)
    assert "Merged categories" in page and "Other or unknown sector" in page
    members = merged["sector"]["Other or unknown sector"]
    names = {"university": "University or college", "public_research":
             "Public research institute", "government": "Government", "company": "Company",
             "non_profit": "Non-profit organisation", "self_employed": "Self-employed",
             "other": "Other", "Unknown": "Unknown"}
    assert all(names[m] in page for m in members), members
    client.submit("/lang", {"lang": "ja", "next": "/"})
    page = visible_text(client.get(f"/stats/{row.id}").get_data(as_text=True))
    assert "統合した区分" in page and "その他・不明の部門" in page
    assert "表が数える最も小さい母集団で 50 人未満の区分" in page


def test_merged_bands_are_named_in_words_in_both_languages(app):
    from flask_babel import force_locale

    from jgrad.statistics import labels

    bands = ("lt4m", ">=8m", ">=12m", "before FY2006", "<1970", ">=1990", "Other fields")
    with app.test_request_context():
        with force_locale("en"):
            assert [labels.value(b) for b in bands] == [
                "Under 4 million yen", "8 million yen or more", "12 million yen or more",
                "Before FY2006", "Born before 1970", "Born in 1990 or later", "Other fields"]
        with force_locale("ja"):
            assert [labels.value(b) for b in bands] == [
                "400万円未満", "800万円以上", "1,200万円以上", "2006年度より前",
                "1970年より前に生まれた者", "1990年以降に生まれた者", "その他の分野"]
