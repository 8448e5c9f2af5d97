"""The bibliography's style: readable labels and linked arXiv ids and DOIs.

pybtex's default ``alpha`` labels turn a LaTeX accent into letters ("Doll{\\'a}r" made
Goyal et al. 2017 into ``[GDollarG+17]``). The ``book`` style (``bibtex_default_style:
book`` in ``_config.yml``) labels an entry by its first author and year, "Goyal et al.,
2017", with a, b, ... when two entries would get the same label; citations in the text
read "(Goyal et al., 2017)" (``bibtex_reference_style: author_year``). Entries are
formatted as pybtex's ``unsrt``, which links ``doi`` and ``eprint`` (arXiv) fields; an
entry that gives its arXiv id as ``howpublished = {arXiv:1706.02677}`` gets the same link.
"""

import re
from collections import Counter

from pybtex.database import Entry
from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle

ARXIV = re.compile(r"^\s*arXiv:\s*(\d{4}\.\d{4,5}(v\d+)?)\s*$", re.IGNORECASE)


def _last_name(person):
    return Text.from_latex(" ".join(person.last_names)).render_as("text")


def author_year(entry):
    """'Goyal et al., 2017', 'Smith and Topin, 2019', 'Smith, 2017'."""
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    year = entry.fields.get("year", "n.d.")
    if not people:
        return f"{entry.fields.get('title', entry.key)[:20]}, {year}"
    if len(people) == 1:
        names = _last_name(people[0])
    elif len(people) == 2:
        names = f"{_last_name(people[0])} and {_last_name(people[1])}"
    else:
        names = f"{_last_name(people[0])} et al."
    return f"{names}, {year}"


class AuthorYearLabels(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        labels = [author_year(entry) for entry in sorted_entries]
        counts, seen = Counter(labels), Counter()
        for label in labels:
            if counts[label] == 1:
                yield label
            else:
                seen[label] += 1
                yield label + "abcdefghijklmnopqrstuvwxyz"[seen[label] - 1]


class BookStyle(UnsrtStyle):
    default_label_style = "book_author_year"
    default_sorting_style = "author_year_title"

    def format_entry(self, label, entry, bib_data=None):
        found = ARXIV.match(entry.fields.get("howpublished", ""))
        if found and "eprint" not in entry.fields:
            fields = {k: v for k, v in entry.fields.items() if k.lower() != "howpublished"}
            fields["eprint"] = found.group(1)
            copy = Entry(entry.type, fields=fields, persons=entry.persons)
            copy.key = entry.key  # a copy: the database entry stays as written
            entry = copy
        return super().format_entry(label, entry, bib_data=bib_data)


register_plugin("pybtex.style.labels", "book_author_year", AuthorYearLabels)
register_plugin("pybtex.style.formatting", "book", BookStyle)


def setup(app):
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
