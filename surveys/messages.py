"""Every message surveys/ shows a person, in English and Japanese (no Flask needed here)."""
from __future__ import annotations

from dataclasses import dataclass, field

MESSAGES: dict[str, tuple[str, str]] = {
    # Definitions (English, Japanese).
    "file_too_large": ("The file is larger than {limit} bytes.",
                       "ファイルが {limit} バイトを超えています。"),
    "not_json": ("This is not JSON: {detail}", "JSON として読み取れません: {detail}"),
    "missing_property": ("{property} is missing.", "{property} がありません。"),
    "unknown_property": ("{property} is not a known property.",
                         "{property} は定義されていない項目です。"),
    "property_not_allowed": ("{property} is not allowed for type {type}.",
                             "種類 {type} には {property} を指定できません。"),
    "bad_name": ("\"{value}\" is not a valid name: a lower-case letter, then up to 31 lower-case "
                 "letters, digits or underscores.",
                 "「{value}」は名前として使えません。英小文字で始め、英小文字・数字・下線を"
                 "31 文字まで続けてください。"),
    "bad_pattern": ("\"{value}\" does not have the required form ({pattern}).",
                    "「{value}」は必要な形式（{pattern}）になっていません。"),
    "not_one_of": ("\"{value}\" is not allowed here; allowed: {allowed}.",
                   "「{value}」はここでは使えません。使えるもの: {allowed}"),
    "wrong_type": ("The value must be of type {type}.", "値の型は {type} でなければなりません。"),
    "too_small": ("Too short or too small (at least {limit}).",
                  "短すぎるか小さすぎます（{limit} 以上）。"),
    "too_large": ("Too long or too large (at most {limit}).",
                  "長すぎるか大きすぎます（{limit} 以下）。"),
    "invalid": ("Not valid ({detail}).", "正しくありません（{detail}）。"),
    "duplicate_name": ("The name {name} is used twice.", "名前 {name} が重複しています。"),
    "duplicate_code": ("The code {code} is used twice in this list.",
                       "コード {code} がこのリストで重複しています。"),
    "duplicate_value": ("The value {value} is used twice in this list.",
                        "値 {value} がこのリストで重複しています。"),
    "unknown_choice_list": ("There is no choice list named {name}.",
                            "選択肢リスト {name} がありません。"),
    "likert_scale": ("The Likert scale {name} needs at least 3 choices with ascending codes.",
                     "リッカート尺度 {name} には、コードが昇順の選択肢が 3 つ以上必要です。"),
    "min_above_max": ("The minimum {min} is above the maximum {max}.",
                      "最小値 {min} が最大値 {max} を上回っています。"),
    "career_in_career": ("A career block cannot contain another career block.",
                         "経歴ブロックの中に経歴ブロックは置けません。"),
    "mapping_outside_career": ("prefill and writeback are allowed only inside a career block.",
                               "prefill と writeback は経歴ブロックの中でのみ使えます。"),
    "career_item_unmapped": ("An item of a career block needs prefill or writeback.",
                             "経歴ブロックの項目には prefill か writeback が必要です。"),
    "unknown_career_field": ("{field} is not a career field; known: {allowed}.",
                             "{field} は経歴の項目ではありません。使える項目: {allowed}"),
    "career_type": ("{field} needs an item of type {type}.",
                    "{field} には種類 {type} の項目が必要です。"),
    "career_value": ("The choice value \"{value}\" is not a code of {field}; allowed: {allowed}.",
                     "選択肢の値「{value}」は {field} のコードではありません。使えるもの: {allowed}"),
    "duplicate_writeback": ("{field} is already written back by {other}.",
                            "{field} はすでに {other} が書き戻しています。"),
    # Conditions: syntax.
    "syntax_condition_too_long": ("The condition is longer than {limit} characters.",
                                  "条件式が {limit} 文字を超えています。"),
    "syntax_bad_variable": ("A variable must be written ${{name}} with a valid name.",
                            "変数は ${{名前}} の形で、正しい名前を書いてください。"),
    "syntax_unterminated_string": ("The string is not closed.", "文字列が閉じていません。"),
    "syntax_unexpected_character": ("The character \"{character}\" is not allowed.",
                                    "文字「{character}」は使えません。"),
    "syntax_unexpected_end": ("The condition ends too early.", "条件式が途中で終わっています。"),
    "syntax_unexpected_token": ("\"{token}\" is not expected here.",
                                "ここに「{token}」は置けません。"),
    "syntax_chained_comparison": ("Comparisons cannot be chained; join them with and.",
                                  "比較は連結できません。and でつないでください。"),
    "syntax_unknown_word": ("\"{word}\" is not a word of the condition language.",
                            "「{word}」は条件式で使える語ではありません。"),
    "syntax_bad_code": ("selected() needs an integer choice code.",
                        "selected() には整数の選択肢コードが必要です。"),
    "syntax_empty_condition": ("The condition is empty.", "条件式が空です。"),
    # Conditions: meaning.
    "variable_unknown": ("${{{name}}} is not a question of this survey.",
                         "${{{name}}} はこの調査の質問ではありません。"),
    "variable_later": ("${{{name}}} is not answered before this point (it comes later, or is "
                       "this question itself: use . in a constraint).",
                       "${{{name}}} はこの時点ではまだ回答されていません（後に出てくる質問か、"
                       "この質問自身です。制約では . を使ってください）。"),
    "not_boolean": ("This part is a value, not a true-or-false condition.",
                    "この部分は値であり、真偽を表す条件ではありません。"),
    "selected_needs_choice": ("selected() needs a choice question; ${{{name}}} is not one.",
                              "selected() には選択式の質問が必要ですが、${{{name}}} は違います。"),
    "code_not_in_list": ("{code} is not a choice code of ${{{name}}}.",
                         "{code} は ${{{name}}} の選択肢コードではありません。"),
    "count_needs_multiple": ("count-selected() needs a multiple-choice question; ${{{name}}} is "
                             "not one.",
                             "count-selected() には複数選択の質問が必要ですが、${{{name}}} は違います。"),
    "compare_null": ("A comparison with null is always false; use empty().",
                     "null との比較は常に偽になります。empty() を使ってください。"),
    "compare_boolean": ("true and false cannot be compared; use them as conditions.",
                        "true と false は比較できません。条件としてそのまま使ってください。"),
    "dot_outside_constraint": (". (this question's answer) is allowed only in a constraint.",
                               ". （この質問の回答）は制約の中でのみ使えます。"),
    "not_a_value": ("A comparison needs values on both sides.",
                    "比較の両辺には値が必要です。"),
    "compare_multiple": ("A multiple-choice answer cannot be compared; use selected() or "
                         "count-selected().",
                         "複数選択の回答は比較できません。selected() か count-selected() を"
                         "使ってください。"),
    "bad_date_literal": ("\"{text}\" is not a date written YYYY-MM-DD.",
                         "「{text}」は YYYY-MM-DD 形式の日付ではありません。"),
    "bad_year_month_literal": ("\"{text}\" is not a year and month written YYYY-MM.",
                               "「{text}」は YYYY-MM 形式の年月ではありません。"),
    "type_mismatch": ("A {left} cannot be compared with a {right}.",
                      "{left} と {right} は比較できません。"),
    # Answers: {label} is the question's label in the reader's language.
    "required": ("{label}: please answer this question.", "「{label}」に回答してください。"),
    "not_integer": ("{label}: enter a whole number.", "「{label}」には整数を入力してください。"),
    "not_decimal": ("{label}: enter a number.", "「{label}」には数値を入力してください。"),
    "below_min": ("{label}: enter {min} or more.",
                  "「{label}」には {min} 以上の値を入力してください。"),
    "above_max": ("{label}: enter {max} or less.",
                  "「{label}」には {max} 以下の値を入力してください。"),
    "not_a_choice": ("{label}: choose one of the options offered.",
                     "「{label}」は選択肢の中から選んでください。"),
    "one_answer_only": ("{label}: choose only one option.",
                        "「{label}」は一つだけ選んでください。"),
    "not_a_date": ("{label}: enter a date as YYYY-MM-DD.",
                   "「{label}」には日付を YYYY-MM-DD の形で入力してください。"),
    "not_a_year_month": ("{label}: enter a year and month as YYYY-MM.",
                         "「{label}」には年月を YYYY-MM の形で入力してください。"),
    "not_a_country": ("{label}: choose a country from the list.",
                      "「{label}」は一覧から国・地域を選んでください。"),
    "too_long": ("{label}: use at most {limit} characters.",
                 "「{label}」は {limit} 文字以内で入力してください。"),
    "constraint_failed": ("{label}: this answer is not accepted.",
                          "「{label}」のこの回答は受け付けられません。"),
    "constraint_custom": ("{label}: {text}", "「{label}」: {text}"),
    "hidden_answer": ("{label}: this question does not apply given your earlier answers, so "
                      "its answer was not accepted.",
                      "「{label}」はこれまでの回答により対象外のため、回答は受け付けられませんでした。"),
    "not_on_page": ("{name} is not a question on this page.",
                    "{name} はこのページの質問ではありません。"),
    # REDCap data dictionaries.
    "not_csv": ("This is not a readable CSV file: {detail}",
                "CSV ファイルとして読み取れません: {detail}"),
    "redcap_not_dictionary": ("This is not a REDCap data dictionary: the first row must be its "
                              "18 column names.",
                              "REDCap のデータ辞書ではありません。1 行目はデータ辞書の 18 列の"
                              "列名でなければなりません。"),
    "redcap_empty": ("The data dictionary has no fields.", "データ辞書にフィールドがありません。"),
    "too_many_rows": ("The file has more than {limit} rows.", "ファイルが {limit} 行を超えています。"),
    "redcap_columns": ("The row has {count} cells; a data dictionary row has 18.",
                       "この行のセルは {count} 個です。データ辞書の行は 18 列です。"),
    "cell_too_long": ("A cell is longer than {limit} characters.",
                      "{limit} 文字を超えるセルがあります。"),
    "redcap_bad_name": ("\"{value}\" cannot be a variable here: a lower-case letter, then up to 31 "
                        "lower-case letters, digits or underscores (so that it survives Stata).",
                        "「{value}」は変数名として使えません。英小文字で始め、英小文字・数字・下線を"
                        "31 文字まで続けてください（Stata で使える長さです）。"),
    "redcap_bad_form": ("\"{value}\" is not a valid form name.",
                        "「{value}」はフォーム名として正しくありません。"),
    "redcap_unknown_type": ("\"{type}\" is not a REDCap field type; REDCap has: {allowed}.",
                            "「{type}」は REDCap のフィールド種類ではありません。"
                            "REDCap の種類: {allowed}"),
    "redcap_bad_choices": ("The choices of {variable} must be written \"1, Yes | 2, No\".",
                           "{variable} の選択肢は「1, Yes | 2, No」の形で書いてください。"),
    "redcap_bad_annotation": ("The @JGRAD annotation of {variable} is not a JSON object.",
                              "{variable} の @JGRAD 注釈が JSON オブジェクトではありません。"),
    "redcap_bad_bound": ("The validation bound \"{value}\" is not a number.",
                         "検証の範囲「{value}」が数値ではありません。"),
    "skip_record_id": ("skipped: the record identifier, which REDCap assigns.",
                       "読み込みません: REDCap が割り当てるレコード ID です。"),
    "skip_no_equivalent": ("skipped: {type} fields have no equivalent here.",
                           "読み込みません: {type} フィールドに相当するものがありません。"),
    "skip_depends": ("skipped: its branching logic depends on the skipped field {other}.",
                     "読み込みません: 分岐ロジックが、読み込まなかったフィールド {other} に"
                     "依存しています。"),
    "skip_logic": ("skipped: the branching logic \"{logic}\" cannot be translated (at {detail}).",
                   "読み込みません: 分岐ロジック「{logic}」を変換できません（{detail} の箇所）。"),
    "skip_codes": ("skipped: its choice codes are not integers.",
                   "読み込みません: 選択肢のコードが整数ではありません。"),
    "note_slider": ("the slider was loaded as a whole number from {min} to {max}.",
                    "スライダーは {min} から {max} までの整数として読み込みました。"),
    "note_validation": ("the validation {validation} is not enforced; loaded as text.",
                        "検証 {validation} は適用されません。テキストとして読み込みました。"),
    "note_date_bounds": ("the date range is not enforced.", "日付の範囲は適用されません。"),
    "note_section": ("the section header before it was loaded as a note.",
                     "前にあるセクション見出しは説明文として読み込みました。"),
    "redcap_logic_lost": ("REDCap cannot express the condition {logic}; the field is always "
                          "shown there.",
                          "条件 {logic} は REDCap では表現できないため、REDCap では常に表示されます。"),
    # XLSForm workbooks.
    "xlsform_not_workbook": ("This is not an .xlsx workbook.",
                             "これは .xlsx 形式のブックではありません。"),
    "xlsform_no_survey": ("The workbook has no sheet named survey.",
                          "ブックに survey という名前のシートがありません。"),
    "too_many_columns": ("The sheet has more than {limit} columns.",
                         "シートの列が {limit} を超えています。"),
    "xlsform_bad_code": ("The choice name \"{value}\" is not an integer code.",
                         "選択肢の名前「{value}」は整数のコードではありません。"),
    "xlsform_unknown_type": ("\"{type}\" is not a question type XLSForm has.",
                             "「{type}」は XLSForm の質問の種類ではありません。"),
    "xlsform_nested_group": ("Groups inside a page must be a matrix (appearance table-list) or "
                             "a career block (appearance career).",
                             "ページ内のグループは、マトリクス（appearance が table-list）か"
                             "経歴ブロック（appearance が career）でなければなりません。"),
    "xlsform_unbalanced": ("begin group and end group do not match.",
                           "begin group と end group が対応していません。"),
    "xlsform_matrix_row": ("Every row of a matrix must be select_one from the same list.",
                           "マトリクスの各行は、同じリストの select_one でなければなりません。"),
}

LOCATED = ("{where}: {message}", "{where}：{message}")
AT_CHARACTER = (" (at character {position})", "（{position} 文字目）")


def message(key: str, lang: str = "en", **params) -> str:
    """Return the message `key` in `lang` ("ja" or "en") with its parameters filled in."""
    english, japanese = MESSAGES[key]
    return (japanese if lang == "ja" else english).format(**params)


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "ja" else pair[0]


@dataclass(frozen=True)
class Problem:
    """One reason a file is refused: where (a JSON path, row or cell), which rule, details."""

    where: str
    key: str
    params: dict = field(default_factory=dict)

    def __init__(self, where: str, key: str, **params):
        object.__setattr__(self, "where", where)
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "params", params)

    def text(self, lang: str = "en") -> str:
        params = {k: v for k, v in self.params.items() if k != "position"}
        text = message(self.key, lang, **params)
        if "position" in self.params:
            text += _pick(AT_CHARACTER, lang).format(position=self.params["position"] + 1)
        return _pick(LOCATED, lang).format(where=self.where, message=text)

    def __str__(self) -> str:
        return self.text("en")


class DefinitionError(ValueError):
    """A survey file refused as a whole, with every problem found in it."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems

    def texts(self, lang: str = "en") -> list[str]:
        return [problem.text(lang) for problem in self.problems]
