"""Search that finds Chinese words, and English ones as before.

Sphinx indexes Chinese (``html_search_language: zh``) by cutting text into words with
jieba (pinned in requirements.txt); English words are still indexed and stemmed. Two gaps
remain, and this extension fills them:

- jieba's dictionary does not know the book's terms: it cuts 学习率 into 学习 + 率, so the
  index has no 学习率. ``_ext/search_words.txt`` adds them (jieba's user dictionary,
  ``html_search_options: {dict: ...}``; one "word frequency part-of-speech" a line).
- The search page does not cut the reader's query: a Chinese phrase typed without spaces
  is looked up as one word. The page's splitter (``js_splitter_code``, in
  ``language_data.js``) cuts each run of Chinese characters into the longest words the
  index holds (forward maximum matching on the index's own terms); a leftover single
  character, which the index never holds, is dropped. Other text is split as Sphinx does.
"""

from pathlib import Path

from sphinx import search
from sphinx.application import Sphinx
from sphinx.search.zh import SearchChinese

WORDS = Path(__file__).with_name("search_words.txt")

SPLITTER_JS = r"""
function splitQuery(query) {
  const index = (typeof Search !== "undefined" && Search._index) || {};
  const terms = index.terms || {};
  const titles = index.titleterms || {};
  const known = (word) => word in terms || word in titles;
  const out = [];
  const parts = query.split(/[^\p{Letter}\p{Number}_\p{Emoji_Presentation}]+/gu);
  for (const part of parts.filter((p) => p)) {
    if (!/\p{Script=Han}/u.test(part) || known(part)) {
      out.push(part);
      continue;
    }
    for (let i = 0; i < part.length; ) {
      let j = part.length;
      while (j > i + 1 && !known(part.slice(i, j))) j--;
      if (j > i + 1 || known(part.slice(i, j))) out.push(part.slice(i, j));
      i = j;
    }
  }
  return out;
}
"""


class BookChinese(SearchChinese):
    js_splitter_code = SPLITTER_JS


def configure(app: Sphinx, config) -> None:
    if config.html_search_language == "zh":
        search.languages["zh"] = BookChinese
        config.html_search_options = {"dict": str(WORDS), **(config.html_search_options or {})}


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", configure)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
