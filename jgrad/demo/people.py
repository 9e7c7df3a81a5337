"""Name and place material for synthetic registrants (all invented)."""

FAMILY_NAMES = [
    ("佐藤", "サトウ", "Sato"), ("鈴木", "スズキ", "Suzuki"), ("高橋", "タカハシ", "Takahashi"),
    ("田中", "タナカ", "Tanaka"), ("伊藤", "イトウ", "Ito"), ("渡辺", "ワタナベ", "Watanabe"),
    ("山本", "ヤマモト", "Yamamoto"), ("中村", "ナカムラ", "Nakamura"),
    ("小林", "コバヤシ", "Kobayashi"), ("加藤", "カトウ", "Kato"), ("吉田", "ヨシダ", "Yoshida"),
    ("山田", "ヤマダ", "Yamada"), ("佐々木", "ササキ", "Sasaki"), ("山口", "ヤマグチ", "Yamaguchi"),
    ("松本", "マツモト", "Matsumoto"), ("井上", "イノウエ", "Inoue"), ("木村", "キムラ", "Kimura"),
    ("林", "ハヤシ", "Hayashi"), ("清水", "シミズ", "Shimizu"), ("森", "モリ", "Mori"),
]
GIVEN_NAMES = [
    ("陽翔", "ハルト", "Haruto", "male"), ("蓮", "レン", "Ren", "male"),
    ("大翔", "ヒロト", "Hiroto", "male"), ("悠真", "ユウマ", "Yuma", "male"),
    ("健太", "ケンタ", "Kenta", "male"), ("翔太", "ショウタ", "Shota", "male"),
    ("拓海", "タクミ", "Takumi", "male"), ("直樹", "ナオキ", "Naoki", "male"),
    ("陽葵", "ヒマリ", "Himari", "female"), ("結衣", "ユイ", "Yui", "female"),
    ("美咲", "ミサキ", "Misaki", "female"), ("彩", "アヤ", "Aya", "female"),
    ("花子", "ハナコ", "Hanako", "female"), ("由美", "ユミ", "Yumi", "female"),
    ("真由", "マユ", "Mayu", "female"), ("千尋", "チヒロ", "Chihiro", "female"),
]
FOREIGN = {
    "CN": [("王", "Wang"), ("李", "Li"), ("張", "Zhang"), ("劉", "Liu")],
    "KR": [("金", "Kim"), ("朴", "Park"), ("李", "Lee")],
    "VN": [("Nguyen", "Nguyen"), ("Tran", "Tran")],
    "ID": [("Santoso", "Santoso"), ("Wijaya", "Wijaya")],
    "IN": [("Sharma", "Sharma"), ("Patel", "Patel")],
    "TH": [("Srisuk", "Srisuk")],
    "BD": [("Rahman", "Rahman")],
    "US": [("Smith", "Smith"), ("Johnson", "Johnson")],
    "DE": [("Müller", "Mueller")],
    "FR": [("Martin", "Martin")],
}
FOREIGN_GIVEN = [("Wei", "male"), ("Min", "female"), ("Anh", "female"), ("Budi", "male"),
                 ("Priya", "female"), ("Arun", "male"), ("Emily", "female"), ("Lukas", "male")]

UNIVERSITIES = [
    ("HKU", "Hokuriku University of Science", "北陸科学大学", True, "national"),
    ("MNU", "Minato National University", "みなと国立大学", True, "national"),
    ("KSU", "Kansai Sogo University", "関西総合大学", True, "private"),
    ("TIT", "Tohoku Institute of Technology", "東北工業技術大学", True, "national"),
    ("SMU", "Seto Medical University", "瀬戸医科大学", True, "private"),
    ("KYP", "Kyushu Prefectural University", "九州県立大学", True, "public"),
    ("ASU", "Asahi Private University", "朝日私立大学", False, "private"),
]
GRADUATE_SCHOOLS = {
    "02": ("Graduate School of Humanities", ["Philosophy", "History", "Linguistics"]),
    "03": ("Graduate School of Social Sciences", ["Economics", "Sociology", "Psychology"]),
    "04": ("Graduate School of Law and Management", ["Law", "Management"]),
    "05": ("Graduate School of Science", ["Physics", "Chemistry", "Mathematics", "Biology"]),
    "06": ("Graduate School of Informatics", ["Computer Science", "Data Science"]),
    "07": ("Graduate School of Engineering", ["Mechanical Engineering", "Materials Science",
                                              "Civil Engineering", "Electrical Engineering"]),
    "08": ("Graduate School of Agriculture", ["Agronomy", "Veterinary Science"]),
    "09": ("Graduate School of Medicine", ["Clinical Medicine", "Public Health", "Pharmacy"]),
    "01": ("Graduate School of Education", ["Education"]),
}
FIELD_WEIGHTS = {"05": 20, "07": 24, "09": 26, "03": 8, "02": 6, "06": 6, "08": 5, "01": 3,
                 "04": 2}
COMPANIES = ["Hikari Electronics", "Sakura Pharma", "Nippon Materials", "Aozora Software",
             "Kawa Motors", "Midori Foods", "Tsubasa Chemicals"]
INSTITUTES = ["National Institute of Advanced Research", "Institute for Marine Studies",
              "Center for Life Sciences"]
DEGREES = {"09": "Doctor of Medical Science", "07": "Doctor of Engineering",
           "05": "Doctor of Science"}
