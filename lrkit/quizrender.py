"""The quiz bank rendered: self-checks and model answers for the book's pages, Anki decks.

- :func:`show_self_checks`: interactive questions (jupyterquiz; static HTML, no kernel),
  options shuffled by a seed, in English, Chinese or both (``_static/quiz.js`` then
  shows the language the reader chose, keeps a running score and a reset button);
- :func:`answers_markdown`, :func:`glue_answers`, :func:`glue_interview`: folded bilingual
  model answers as MyST (language tabs synchronized over the page and remembered);
- :func:`export_anki`: an ``.apkg`` deck (genanki), one note per question.

Nothing here imports torch; the bank's ``source`` field is never rendered.
"""

from __future__ import annotations

import re
from pathlib import Path

from lrkit.quizbank import (
    CHAPTERS,
    CHAPTERS_ZH,
    DIFFICULTIES,
    REPO_ROOT,
    Question,
    format_number,
    load,
    option_order,
    tolerance,
)

PAGE_SEED = 0  # the built pages shuffle options with this seed
LANG_NAMES = {"en": "English", "zh": "中文"}
DIFFICULTY_ZH = {"easy": "简单", "medium": "中等", "hard": "困难"}
ALL_THAT_APPLY = {"en": "(Select all that apply.)", "zh": "（多选：选出所有正确的选项。）"}
TRUE_FALSE = {"en": "(True or false.)", "zh": "（判断题。）"}
ANKI_MODEL_ID = 1_607_392_319  # fixed: re-importing a deck updates its notes
ANKI_DECK_ID = 2_059_400_110


def markdown_to_html(text: str) -> str:
    """Markdown to HTML with raw HTML escaped; line breaks inside a paragraph become spaces
    (a hard break would split a sentence), a single paragraph is returned inline.

    >>> markdown_to_html("a *b*\\nc `x<y`")
    'a <em>b</em> c <code>x&lt;y</code>'
    """
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark", {"html": False}).render(text).strip()
    parts = re.split(r"(<pre>.*?</pre>)", html, flags=re.DOTALL)
    inline = re.compile(r"(?<!>)\n|\n(?!<)")  # a newline that is not between two tags
    html = "".join(p if p.startswith("<pre>") else inline.sub(" ", p) for p in parts)
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html


def question_text(q: Question, lang: str) -> str:
    """The question, with "select all that apply" or "true or false" where it applies."""
    text = q.question[lang].strip()
    if q.check["type"] == "many":
        text += " " + ALL_THAT_APPLY[lang]
    elif q.check.get("true_false"):
        text += " " + TRUE_FALSE[lang]
    return text


# ----------------------------------------------------------------------------- self-checks


def _numeric_item(q, lang):
    check, key = q.check, q.key
    tol = tolerance(check, key)
    right = f"{'Correct:' if lang == 'en' else '正确：'} {format_number(key)}"
    answers = [{"type": "range", "range": [key - tol, key + tol], "correct": True}]
    answers[0]["feedback"] = markdown_to_html(right)
    for wrong in check.get("wrong") or []:
        value = float(wrong["value"])
        tol_w = tolerance(check, value)
        answers.append(
            {
                "type": "range",
                "range": [value - tol_w, value + tol_w],
                "correct": False,
                "feedback": markdown_to_html(wrong["feedback"][lang]),
            }
        )
    default = {
        "en": "Not quite: compute it step by step (step is 0-based) and try again.",
        "zh": "不对：请按步骤重新计算（step 从 0 开始），再试一次。",
    }
    answers.append({"type": "default", "feedback": markdown_to_html(default[lang])})
    return {"type": "numeric", "answers": answers}


def to_jupyterquiz(questions, lang: str = "en", seed: int | None = PAGE_SEED) -> list[dict]:
    """The self-checks as jupyterquiz's list of dicts, options in display order."""
    quiz = []
    for q in questions:
        item = {"question": markdown_to_html(question_text(q, lang))}
        if q.check["type"] == "numeric":
            item.update(_numeric_item(q, lang))
        else:
            options = q.check["options"]
            item["type"] = "multiple_choice" if q.check["type"] == "single" else "many_choice"
            item["answers"] = [
                {
                    "answer": markdown_to_html(options[i]["text"][lang]),
                    "correct": options[i]["correct"],
                    "feedback": markdown_to_html(options[i]["feedback"][lang]),
                }
                for i in option_order(q, seed)
            ]
        quiz.append(item)
    return quiz


def pick(chapter=None, ids=None, num=None, bank_dir=None) -> list[Question]:
    """A chapter's questions, or the questions ``ids`` (in that order), at most ``num``."""
    if ids is not None:
        by_id = {q.id: q for q in load(bank_dir)}
        unknown = [i for i in ids if i not in by_id]
        if unknown:
            raise ValueError(f"ids: no such question {unknown}")
        questions = [by_id[i] for i in ids]
    else:
        questions = load(bank_dir, chapter=chapter)
    if num is not None:
        if isinstance(num, bool) or not isinstance(num, int) or num < 1:
            raise ValueError(f"num must be a positive integer, got {num!r}")
        questions = questions[:num]
    return questions


def show_self_checks(
    chapter=None, ids=None, num=None, lang: str = "both", *, seed=PAGE_SEED, bank_dir=None
) -> None:
    """Display interactive self-checks from the bank (jupyterquiz; works in static HTML).

    ``chapter`` (``3``, ``03`` or a stem) or ``ids``; ``num`` keeps the first ones;
    ``lang`` is ``"en"``, ``"zh"`` or ``"both"`` (the page then shows the reader's choice,
    see ``_static/quiz.js``).
    """
    from IPython.display import HTML, display

    if lang not in ("en", "zh", "both"):
        raise ValueError(f"lang must be 'en', 'zh' or 'both', got {lang!r}")
    questions = pick(chapter, ids, num, bank_dir)
    blocks = [
        quiz_html(to_jupyterquiz(questions, one, seed), one)
        for one in (("en", "zh") if lang == "both" else (lang,))
    ]
    display(HTML("".join(blocks)))


# jupyterquiz typesets its questions 0.5 s after the page loads; if the book's MathJax is still
# loading then, it overwrites window.MathJax and fetches MathJax from a CDN: offline, that fails
# with console errors and breaks the page's own math. Wait for the book's MathJax instead.
_FORCE_LOAD_MATHJAX = re.compile(
    r"console\.log\('WARNING: Trying to force load MathJax 3'\);.*?"
    r"document\.head\.appendChild\(script\);\s*\}\)\(\);",
    re.DOTALL,
)
_WAIT_FOR_MATHJAX = (
    "(function wait(tries) { if (window.MathJax && MathJax.typeset) {"
    " MathJax.typeset([container]); } else if (tries > 0) {"
    " setTimeout(function () { wait(tries - 1); }, 200); } })(50);"
)


def quiz_html(items: list[dict], lang: str) -> str:
    """jupyterquiz's quiz as one self-contained HTML block marked with its language.

    ``display_quiz`` displays an unclosed ``<div>`` and a separate script; gathering both
    into one closed block keeps the page's structure intact and lets ``_static/quiz.js``
    show one language at a time.
    """
    import jupyterquiz.dynamic.display as jq

    shown = []
    original = jq.display
    jq.display = lambda *objects, **kwargs: shown.extend(objects)
    try:
        jq.display_quiz(items, shuffle_answers=False)
    finally:
        jq.display = original
    html, script = shown[0].data, shown[1].data.replace("</", "<\\/")
    script, found = _FORCE_LOAD_MATHJAX.subn(_WAIT_FOR_MATHJAX, script)
    if not found:
        raise RuntimeError("jupyterquiz's script changed: review quiz_html's MathJax patch")
    return (
        f'<div class="lrq-block" data-lrq-block="{lang}" lang="{lang}">{html}</div></div>'
        f"<script>{script}</script>"
    )


# ----------------------------------------------------------------------------- model answers


def _chapter_link(q):
    """MyST links to the question's section (its title, via ``{ref}``) and to its chapter."""
    chapter = f"{{doc}}`{CHAPTERS[q.chapter]} <../chapters/{q.chapter}>`"
    if q.section:
        return f"{{ref}}`{q.section}` ({chapter})"
    return chapter


def _check_fences(text):
    """Bank text may use ``` fences only; longer ones would close our directives."""
    if re.search(r"^\s*````", text, re.MULTILINE):
        raise ValueError("bank text may only use ``` code fences")
    return text


def question_markdown(q: Question, number: int | None = None) -> str:
    """One question as a folded MyST dropdown, English and Chinese in synchronized tabs
    (sphinx-design keeps the reader's choice for every tab set on every page)."""
    title = _title(q.question["en"])
    label = f"{number}. " if number is not None else ""
    tabs = []
    model = {"en": "**Model answer.**", "zh": "**参考答案。**"}
    for lang in ("en", "zh"):
        body = [
            _check_fences(q.question[lang].strip()),
            "",
            model[lang],
            "",
            _check_fences(q.answer_text(lang).strip()),
        ]
        if q.solution:
            body += ["", "```python", q.solution.rstrip(), "```"]
        tabs += [f"````{{tab-item}} {LANG_NAMES[lang]}", f":sync: {lang}", "", *body, "````"]
    meta = f"*{q.difficulty}* · tags: {', '.join(q.tags)} · explained in {_chapter_link(q)}"
    return "\n".join(
        [
            f"::::::{{dropdown}} {label}{title} ({q.difficulty})",
            "`````{tab-set}",
            ":sync-group: lang",
            "",
            *tabs,
            "`````",
            "",
            meta,
            "::::::",
            "",
        ]
    )


def _title(text, width=110):
    """One line for a dropdown's title: the question's text, shortened at a word.

    >>> _title("Where is `x`   after 3 steps?")
    'Where is `x` after 3 steps?'
    >>> _title("word " * 30, width=12)
    'word word …'
    >>> _title('It says: "a long quotation that goes on', width=30)
    'It says: …'
    """
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[:width].rsplit(" ", 1)[0]
    for mark in '`"':  # do not leave a code span or a quotation open
        if cut.count(mark) % 2:
            cut = cut[: cut.rfind(mark)].rstrip()
    return cut + " …"


def answers_markdown(questions, *, heading_level: int = 2, by_chapter: bool = False) -> str:
    """MyST Markdown: questions grouped by difficulty (and chapter), each folded."""
    hashes = "#" * heading_level
    out, number = [], 0
    groups = (
        [(stem, [q for q in questions if q.chapter == stem]) for stem in CHAPTERS]
        if by_chapter
        else [(None, list(questions))]
    )
    for stem, group in groups:
        if not group:
            continue
        if stem is not None:
            out += [
                f"{hashes} {CHAPTERS[stem]} ({CHAPTERS_ZH[stem]})",
                "",
                f"Chapter: {{doc}}`../chapters/{stem}` · quiz: {{doc}}`quiz_{stem[:2]}`",
                "",
            ]
        for difficulty in DIFFICULTIES:
            chosen = [q for q in group if q.difficulty == difficulty]
            if not chosen:
                continue
            sub = hashes + "#" if stem is not None else hashes
            where = f"{CHAPTERS[stem]}: " if stem is not None else ""
            out += [f"{sub} {where}{difficulty} ({len(chosen)})", ""]
            for q in chosen:
                number += 1
                out.append(question_markdown(q, number))
    return "\n".join(out)


def glue_answers(chapter: str, name: str = "answers", bank_dir=None) -> None:
    """Glue a chapter's folded model answers for a ``{glue:md}`` block (format: myst)."""
    _glue(name, answers_markdown(load(bank_dir, chapter=chapter)))


def glue_interview(name: str = "interview", bank_dir=None) -> None:
    """Glue the interview-mode page: every question by chapter and difficulty."""
    _glue(name, answers_markdown(load(bank_dir), by_chapter=True))


def _glue(name, text):
    from IPython.display import Markdown
    from myst_nb import glue

    glue(name, Markdown(text), display=False)


# ----------------------------------------------------------------------------- Anki


def published_base_url(config_file: Path | None = None) -> str | None:
    """The published book's address: ``html.baseurl`` in ``_config.yml`` when set, else
    GitHub Pages of ``repository.url`` (``https://OWNER.github.io/NAME/``); ``None`` while
    neither is set (the book is not published yet: cards then name the chapter, unlinked).
    """
    import yaml

    config_file = config_file or REPO_ROOT / "_config.yml"
    config = yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}
    base = (config.get("html") or {}).get("baseurl")
    if base:
        return base.rstrip("/") + "/"
    url = (config.get("repository") or {}).get("url") or ""
    if not url:
        return None
    found = re.match(r"https://github\.com/([^/]+)/([^/]+?)(?:\.git)?/?$", url)
    if not found:
        raise ValueError(f"_config.yml: set html.baseurl (repository.url {url!r} is not GitHub)")
    return f"https://{found.group(1)}.github.io/{found.group(2)}/"


def page_url(q: Question, base: str) -> str:
    """The published page (and section) that explains ``q``."""
    return f"{base}chapters/{q.chapter}.html" + (f"#{q.section}" if q.section else "")


def anki_fields(q: Question, lang: str, seed: int | None, base: str | None) -> tuple[str, str]:
    """Front and back of one card (HTML): options lettered in display order; the back says
    which option(s) are right, then the model answer and a link to the page."""
    front = markdown_to_html(question_text(q, lang))
    right = ""
    if q.is_choice:
        order = option_order(q, seed)
        options = q.check["options"]
        letters = "ABCDEFGH"
        items = "".join(
            f"<li>{letters[pos]}. {markdown_to_html(options[i]['text'][lang])}</li>"
            for pos, i in enumerate(order)
        )
        front += f'<ul style="list-style:none">{items}</ul>'
        chosen = [
            f"{letters[pos]}. {markdown_to_html(options[i]['text'][lang])}"
            for pos, i in enumerate(order)
            if options[i]["correct"]
        ]
        word = "Right:" if lang == "en" else "正确选项："
        right = f"<p><b>{word}</b> {'; '.join(chosen)}</p>"
    back = right + markdown_to_html(q.answer_text(lang))
    if q.solution:
        back += markdown_to_html("```python\n" + q.solution.rstrip() + "\n```")
    title = CHAPTERS[q.chapter] if lang == "en" else CHAPTERS_ZH[q.chapter]
    back += f'<p><a href="{page_url(q, base)}">{title}</a></p>' if base else f"<p>{title}</p>"
    return front, back


def export_anki(questions, path, lang: str = "en", seed: int | None = None) -> int:
    """Write an Anki ``.apkg`` deck, one note per question; return the number of notes.

    Tags: ``lrbook``, the chapter, the difficulty and the question's topic tags.
    Raises ValueError naming ``path`` when the file cannot be written.
    """
    import genanki

    model = genanki.Model(
        ANKI_MODEL_ID,
        "Learning-Rate Book question",
        fields=[{"name": "Front"}, {"name": "Back"}],
        templates=[
            {
                "name": "Card 1",
                "qfmt": "{{Front}}",
                "afmt": '{{FrontSide}}<hr id="answer">{{Back}}',
            }
        ],
    )
    deck = genanki.Deck(ANKI_DECK_ID, "The Learning Rate: interview questions")
    base = published_base_url()
    for q in questions:
        front, back = anki_fields(q, lang, seed, base)
        tags = ["lrbook", q.chapter, q.difficulty, *q.tags]
        deck.add_note(
            genanki.Note(
                model=model, fields=[front, back], tags=tags, guid=genanki.guid_for(q.id, lang)
            )
        )
    path = Path(path)
    try:
        genanki.Package(deck).write_to_file(str(path))
    except OSError as exc:
        raise ValueError(f"path: cannot write the Anki deck to {path}: {exc.strerror}") from exc
    return len(questions)
