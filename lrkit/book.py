"""Where the book's pages are: the table of contents and which pages are notebooks.

Used by the tests (every notebook page must be tested), the book benchmark and the quiz bank
(a question's chapter must be a page of the book).
"""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def toc_pages(root=ROOT):
    """Every page named in ``_toc.yml``, as paths relative to ``root`` without suffix."""
    toc = yaml.safe_load((Path(root) / "_toc.yml").read_text(encoding="utf-8"))
    pages = [toc["root"]]

    def walk(entries):
        for entry in entries:
            if "file" in entry:
                pages.append(entry["file"])
            walk(entry.get("sections", []))
            walk(entry.get("chapters", []))

    walk(toc.get("parts", []))
    walk(toc.get("chapters", []))
    return pages


def is_notebook(path):
    """A Markdown page is a notebook when its front matter names a kernel."""
    path = Path(path)
    if path.suffix != ".md" or not path.is_file():
        return False
    text = path.read_text(encoding="utf-8")
    return text.startswith("---") and "kernelspec:" in text.split("\n---", 1)[0]


def notebook_pages(root=ROOT):
    """The pages of ``_toc.yml`` that are notebooks, as ``.md`` paths relative to ``root``."""
    root = Path(root)
    return [Path(f"{page}.md") for page in toc_pages(root) if is_notebook(root / f"{page}.md")]
