"""Fixed classifications used in records, forms, imports and statistics."""
from __future__ import annotations

from functools import lru_cache

from flask_babel import lazy_gettext as _l

SEX = {
    "female": _l("Female"),
    "male": _l("Male"),
    "other": _l("Other"),
    "undisclosed": _l("Prefer not to say"),
}

# ISCED-F 2013 broad fields of education and training.
FIELD = {
    "00": _l("Generic programmes and qualifications"),
    "01": _l("Education"),
    "02": _l("Arts and humanities"),
    "03": _l("Social sciences, journalism and information"),
    "04": _l("Business, administration and law"),
    "05": _l("Natural sciences, mathematics and statistics"),
    "06": _l("Information and communication technologies"),
    "07": _l("Engineering, manufacturing and construction"),
    "08": _l("Agriculture, forestry, fisheries and veterinary"),
    "09": _l("Health and welfare"),
    "10": _l("Services"),
}

PROGRAMME_TYPE = {
    "integrated": _l("Five-year integrated doctoral programme"),
    "latter": _l("Doctoral programme (latter three years)"),
    "four_year": _l("Four-year doctoral programme (medicine, dentistry, pharmacy, veterinary)"),
    "other": _l("Other doctoral programme"),
}

ENROLMENT_STATUS = {
    "enrolled": _l("Enrolled"),
    "on_leave": _l("On leave"),
    "degree_awarded": _l("Degree awarded"),
    "completed_without_degree": _l("Coursework completed without degree"),
    "withdrawn": _l("Withdrawn"),
}

LABOUR_STATUS = {
    "employed": _l("Employed"),
    "self_employed": _l("Self-employed"),
    "seeking": _l("Not employed, seeking work"),
    "studying": _l("In education or training"),
    "not_in_labour_force": _l("Not in the labour force"),
}

SECTOR = {
    "university": _l("University or college"),
    "public_research": _l("Public research institute"),
    "government": _l("Government"),
    "company": _l("Company"),
    "non_profit": _l("Non-profit organisation"),
    "self_employed": _l("Self-employed"),
    "other": _l("Other"),
}

ACADEMIC_RANK = {
    "professor": _l("Professor"),
    "associate_professor": _l("Associate professor"),
    "lecturer": _l("Lecturer"),
    "assistant_professor": _l("Assistant professor"),
    "research_associate": _l("Research associate"),
    "postdoc": _l("Postdoctoral researcher"),
    "researcher": _l("Researcher"),
    "other": _l("Other"),
}

EMPLOYMENT_TERM = {
    "permanent": _l("Permanent (no fixed term)"),
    "fixed_term": _l("Fixed-term"),
}

WORKING_HOURS = {
    "full_time": _l("Full time"),
    "part_time": _l("Part time"),
}

# Annual income in Japanese yen.
INCOME_BAND = {
    "lt2m": _l("Under 2 million yen"),
    "2to4m": _l("2 to 4 million yen"),
    "4to6m": _l("4 to 6 million yen"),
    "6to8m": _l("6 to 8 million yen"),
    "8to10m": _l("8 to 10 million yen"),
    "10to15m": _l("10 to 15 million yen"),
    "ge15m": _l("15 million yen or more"),
    "undisclosed": _l("Prefer not to say"),
}

RELATEDNESS = {
    "closely": _l("Closely related to my doctorate"),
    "somewhat": _l("Somewhat related"),
    "unrelated": _l("Not related"),
}

# JIS X 0401 prefecture codes.
PREFECTURE = {
    "01": ("Hokkaido", "北海道"), "02": ("Aomori", "青森県"), "03": ("Iwate", "岩手県"),
    "04": ("Miyagi", "宮城県"), "05": ("Akita", "秋田県"), "06": ("Yamagata", "山形県"),
    "07": ("Fukushima", "福島県"), "08": ("Ibaraki", "茨城県"), "09": ("Tochigi", "栃木県"),
    "10": ("Gunma", "群馬県"), "11": ("Saitama", "埼玉県"), "12": ("Chiba", "千葉県"),
    "13": ("Tokyo", "東京都"), "14": ("Kanagawa", "神奈川県"), "15": ("Niigata", "新潟県"),
    "16": ("Toyama", "富山県"), "17": ("Ishikawa", "石川県"), "18": ("Fukui", "福井県"),
    "19": ("Yamanashi", "山梨県"), "20": ("Nagano", "長野県"), "21": ("Gifu", "岐阜県"),
    "22": ("Shizuoka", "静岡県"), "23": ("Aichi", "愛知県"), "24": ("Mie", "三重県"),
    "25": ("Shiga", "滋賀県"), "26": ("Kyoto", "京都府"), "27": ("Osaka", "大阪府"),
    "28": ("Hyogo", "兵庫県"), "29": ("Nara", "奈良県"), "30": ("Wakayama", "和歌山県"),
    "31": ("Tottori", "鳥取県"), "32": ("Shimane", "島根県"), "33": ("Okayama", "岡山県"),
    "34": ("Hiroshima", "広島県"), "35": ("Yamaguchi", "山口県"), "36": ("Tokushima", "徳島県"),
    "37": ("Kagawa", "香川県"), "38": ("Ehime", "愛媛県"), "39": ("Kochi", "高知県"),
    "40": ("Fukuoka", "福岡県"), "41": ("Saga", "佐賀県"), "42": ("Nagasaki", "長崎県"),
    "43": ("Kumamoto", "熊本県"), "44": ("Oita", "大分県"), "45": ("Miyazaki", "宮崎県"),
    "46": ("Kagoshima", "鹿児島県"), "47": ("Okinawa", "沖縄県"),
}


def prefecture_name(code: str | None, locale: str | None = None) -> str:
    """Return a prefecture's name in the given language."""
    if not code or code not in PREFECTURE:
        return ""
    en, ja = PREFECTURE[code]
    return ja if str(locale or "").startswith("ja") else en


def country_names(locale=None) -> dict[str, str]:
    """Return ISO 3166 alpha-2 codes and their names in the given language."""
    return _country_names(str(locale or "en"))


@lru_cache(maxsize=8)
def _country_names(locale: str) -> dict[str, str]:
    from babel import Locale

    territories = Locale.parse(locale).territories
    return {
        code: name
        for code, name in sorted(territories.items(), key=lambda item: item[1])
        if len(code) == 2 and code.isalpha() and code not in {"ZZ", "QO", "EU", "EZ", "UN"}
    }


COUNTRY_CODES = frozenset(country_names("en"))


def label(codes: dict, value: str | None) -> str:
    """Return the display label of a code, or an empty string."""
    if value is None:
        return ""
    return str(codes.get(value, value))
