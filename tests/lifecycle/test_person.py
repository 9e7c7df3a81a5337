"""Rule 8: how a deleted person's identifiers are recognised in free text."""
from jgrad.lifecycle.person import Needles, Person, scrub_json, scrub_text

PERSON = Person(registrant_id=1, account_id=2, doctor_id="JD123456789",
                emails=("ruriko.k@example.org",),
                names=("Kuroshio", "Li", "Ruriko", "瑠璃子", "黒潮"),
                full_names=(("黒潮", "瑠璃子"), ("Kuroshio", "Ruriko")),
                student_numbers=("D21-001",))


def test_rule8_identifiers_are_found_as_whole_tokens_in_any_case_and_script():
    finder = Needles.of([PERSON]).matcher()
    for text in ("jd123456789", "mail RURIKO.K@example.org now", "student D21-001.",
                 "Dear Dr Kuroshio,", "黒潮 瑠璃子 様", "黒潮瑠璃子さん", "to: ruriko.k@example.org>",
                 "Mr Li"):
        assert finder.search(text), text
    for text in ("filters", "D21-0012", "JD1234567890", "ruri.k@example.org", "Kuroshiox",
                 "other@example.org"):
        assert not finder.search(text), text


def test_rule8_only_full_names_count_where_a_surname_may_be_someone_else_s():
    finder = Needles.of([PERSON]).matcher(names=False, numbers=False)
    assert finder.search("Kuroshio\n  Ruriko") and finder.search("Ruriko Kuroshio")
    assert finder.search("黒潮　瑠璃子")
    assert not finder.search("Dr Kuroshio") and not finder.search("瑠璃子")


def test_rule8_scrubbing_keeps_the_shape_of_text_and_details():
    finder = Needles.of([PERSON]).matcher()
    assert scrub_text("Dear Dr Kuroshio,\n\nwelcome.", finder) == "Dear Dr [removed],\n\nwelcome."
    assert scrub_text("黒潮 瑠璃子 様", finder) == "[removed] 様"
    details = {"filters": {"name": "kuroshio", "status": "enrolled"}, "rows": 3,
               "ids": ["JD123456789", "x"]}
    assert scrub_json(details, finder) == {"filters": {"name": "[removed]", "status": "enrolled"},
                                          "rows": 3, "ids": ["[removed]", "x"]}
