"""A release's notes, in English words an analyst understands (the application translates
them: :mod:`jgrad.statistics.texts` recognises each)."""

#: Conventional rounding (series begun before keyed random rounding).
ROUNDING_NOTE = ("Counts are rounded to base {0}; totals are rounded from exact sums, so cells "
                 "may not add up to totals.")

#: Keyed random rounding (stats.cellkey).
RANDOM_ROUNDING_NOTE = (
    "Counts are rounded at random to a multiple of {0}: up with a chance that grows with the "
    "remainder (with a base of 5, a count of 12 becomes 10 three times in five and 15 twice), "
    "so figures are right on average and each, when drawn, is less than {0} from its count. "
    "The draw depends only on who is counted, so the same people get the same figure in "
    "every table, "
    "and each series draws afresh. Totals are rounded from exact sums, so cells may not add up "
    "to totals. A release that continues a series keeps a figure while its count stays "
    "within {0} of it.")

PERCENT_NOTE = "Percentages are computed from the published rounded figures."

#: The release note on what the protection knows (translated by the application).
PROTECTION_NOTE = (
    "No hidden cell can be narrowed to fewer than {0} people by combining any tables of this "
    "release, knowing that completers are degree holders and those who completed without a "
    "degree, that a university type is its universities and that employees are among those "
    "in work. A table whose own rules would hide more than two thirds of its cells is "
    "withheld as too sparse.")

#: The release note on protection levels (stats.audit.levels), translated likewise.
LEVELS_NOTE = (
    "Combining any tables of this release, and knowing that completers are degree holders "
    "and those who completed without a degree, that a university type is its universities "
    "and that employees are among those in work, no one can tell whether a hidden count "
    "below {0} is 0 or as much as {0}, nor narrow any hidden count to a range less than {1} "
    "wide. A table whose own rules would hide more than two thirds of its cells is withheld "
    "as too sparse.")

#: The release note on merged categories (translated by the application).
AGGREGATION_NOTE = (
    "Categories with fewer than {0} people in the smallest population a table counts them "
    "in are merged, in every table alike: rare sexes, fields, sectors and nationalities into "
    "one other category, a rare unknown postdoctoral position, employment term or place of "
    "work into no, permanent or Japan, rare bands at either end of age, income and "
    "completion cohort into their neighbour. The release's metadata lists each merged "
    "category and its members; within a series the merges stay as the series began.")

#: The release note on thresholds drawn for each series (stats.cellkey.drawn_threshold).
THRESHOLD_NOTE = (
    "Where a nationality or university is shown on its own (from {0} or {1} registrants) and "
    "where a category is merged (below {2} people) is decided when a series begins, at a "
    "threshold drawn at random for each, up to half as much again, so that a category "
    "crossing it between two series cannot be tied to one person.")

#: The release note on categories of next to no one (stats.empty).
EMPTY_NOTE = (
    "A category that next to no one in a table's population falls into is shown as 0 "
    "throughout the table when the table counts at least {0} people and at least two other "
    "categories of the same kind hold more, and so is every figure that lies inside it: "
    "next to no one means none, or fewer than {1} people, up to a number drawn for each "
    "series and category, so that no reader can tell which, nor tie a category shown as 0 "
    "in one series and hidden in the next to one person. Other small counts, zeros "
    "included, are hidden.")

#: The release note on hidden cells within a series (stats.carry.frozen).
SERIES_NOTE = (
    "A release that continues a series hides the same cells as the one before while no "
    "count has moved more than {0} from the counts they were decided on, so that one arrival "
    "or departure changes no hidden cell; a larger change has them decided again.")
