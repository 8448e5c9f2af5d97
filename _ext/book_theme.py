"""The book's fixes to its theme (sphinx-book-theme 1.3 on pydata-sphinx-theme 0.17).

Each fix is small, documented here, and checked by the browser tests:

1. **Navigation below 992 px.** pydata-sphinx-theme 0.17 renders a header band with its own
   ``.primary-toggle`` and a second search box; its script binds the first
   ``.primary-toggle`` it finds, the header's, which sphinx-book-theme hides: on a phone the
   sidebar never opens (pydata-sphinx-theme issue 2451; sphinx-book-theme issues 988/999).
   The upstream fix (sphinx-book-theme PR 1000, open; sphinx-book-theme 1.4 needs Sphinx 8
   and pydata-sphinx-theme 0.20, which still has the bug) drops that header's toggles. We
   empty ``navbar_persistent`` (the header's only item): the header is not rendered, the
   article header's toggle is the only ``.primary-toggle``, and the desktop page loses the
   empty 64 px band with its second search box.
2. **Launch and repository buttons only with a real repository.** ``repository.url`` in
   ``_config.yml`` is the one setting: empty means the book has no public repository yet,
   and then no repository, issues, Binder or Live Code (Thebe) button is built. When it
   is set, those buttons come on (the ``html`` section needs no change).
3. **Scripts once.** sphinx-thebe registers its configuration script at each read of the
   environment, so a page got it twice ("Identifier 'THEBE_JS_URL' has already been
   declared"): duplicate scripts are dropped from every page.
4. **MathJax only where there is math** (Sphinx math, or content that calls MathJax, such
   as jupyterquiz): myst-nb asks Sphinx to put every asset on every page.
5. **No 1.49 MB icon script.** pydata-sphinx-theme loads Font Awesome's ``fontawesome.js``
   (every icon, drawn by JavaScript) for the dozen icons a page shows. At the end of the
   build the icons the pages name are written, as CSS masks with the same SVG paths taken
   from that file, into ``_static/book-icons.css``, and the script tag is removed. Icons
   that the theme's CSS draws with Font Awesome's web font (admonitions, external links)
   keep it, cut down to those glyphs (156 kB to a few kB; fontTools, with brotli for
   WOFF2).
6. **Images compressed.** Figures are written as 64-colour palette PNGs when that is
   smaller (``compress_images``).
"""

import io
import re
from pathlib import Path
from urllib.parse import quote

from sphinx.application import Sphinx

ICONS_CSS = "book-icons.css"
FONTAWESOME_TAG = re.compile(
    r'\s*<script[^>]*src="[^"]*scripts/fontawesome\.js[^"]*"[^>]*></script>'
)
ICON_NAME = re.compile(r"\bfa-([a-z0-9-]+)")
PACKS = {"fas": ("fa-solid", "fas"), "fab": ("fa-brands", "fab"), "far": ("fa-regular", "far")}
# an icon in fontawesome.js: name:[width,height,[aliases],"unicode","svg path"]
ICON_ENTRY = re.compile(
    r'(?:"([a-z0-9-]+)"|\b([a-z0-9]+)):\[(\d+),(\d+),\[([^\]]*)\],"([0-9a-f]+)","([^"]+)"\]'
)
# the icons the theme's CSS draws with the web font: --pst-icon-NAME: "<private-use char>"
CSS_ICON = re.compile(r'--pst-icon-[a-z-]+:\s*"([\ue000-\uf8ff])"')
CSS_ESCAPE = re.compile(r'content:\s*"\\(f[0-9a-f]{3})"')
PACK_END = re.compile(r'\b[a-zA-Z_$]{1,3}\("(fa[bsr])",[a-zA-Z_$]{1,3}\)')


PALETTE_COLOURS = 64  # enough for the book's line plots (checked by eye); about 3/4 of 256's bytes


def repository_url(config) -> str:
    return (config.html_theme_options.get("repository_url") or "").strip()


def configure(app: Sphinx, config) -> None:
    options = config.html_theme_options
    options["navbar_persistent"] = []  # fix 1: no header band, one .primary-toggle
    has_repository = bool(repository_url(config))  # fix 2
    for button in ("use_repository_button", "use_issues_button"):
        options[button] = has_repository
    if not has_repository:
        options["launch_buttons"] = {}
        options["use_edit_page_button"] = False
        # sphinx-thebe would still write its configuration into every page: switch it off
        for event in ("env-before-read-docs", "doctree-resolved"):
            for listener in list(app.events.listeners.get(event, [])):
                if getattr(listener.handler, "__module__", "").startswith("sphinx_thebe"):
                    app.disconnect(listener.id)


def _script_key(script):
    # an inline script is registered with filename None by some extensions, "" by others
    filename = getattr(script, "filename", script) or ""
    return (str(filename), str(getattr(script, "attributes", "")))


def _is_mathjax(script):
    filename = str(getattr(script, "filename", "") or "")
    body = str(getattr(script, "attributes", {}).get("body", ""))
    return "mathjax" in filename.lower() or body.startswith("window.MathJax")


def _is_thebe(script):
    filename = str(getattr(script, "filename", "") or "")
    body = str(getattr(script, "attributes", {}).get("body", ""))
    return "thebe" in filename or "THEBE_JS_URL" in body


def page_has_math(app: Sphinx, pagename: str, body: str) -> bool:
    # the domain's own data: has_equations(pagename) also counts the pages a toctree includes
    own = app.env.get_domain("math").data["has_equations"].get(pagename, False)
    return own or 'class="math' in body or "MathJax" in body


def prune_scripts(app: Sphinx, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    body = context.get("body", "")
    has_repository = bool(repository_url(app.config))
    for script in scripts:
        key = _script_key(script)
        if key in seen:  # fix 3
            continue
        seen.add(key)
        if _is_mathjax(script) and not page_has_math(app, pagename, body):  # fix 4
            continue
        if _is_thebe(script) and not has_repository:  # fix 2: no Thebe without Binder
            continue
        kept.append(script)
    scripts[:] = kept
    if not has_repository:
        styles = context.get("css_files", [])
        styles[:] = [css for css in styles if "thebe" not in str(css.filename)]


def fontawesome_icons(script: Path) -> dict:
    """``{pack: {name: (width, height, path)}}`` from Font Awesome's ``fontawesome.js``."""
    text = script.read_text(encoding="utf-8")
    icons, start = {}, 0
    for end in PACK_END.finditer(text):
        pack = icons.setdefault(end.group(1), {})
        for match in ICON_ENTRY.finditer(text, start, end.start()):
            quoted, bare, width, height, aliases, code, path = match.groups()
            names = [quoted or bare] + re.findall(r'"([a-z0-9-]+)"', aliases)
            for name in names:
                pack.setdefault(name, (int(width), int(height), path, int(code, 16)))
        start = end.end()
    return icons


def icon_css(names, icons) -> str:
    """CSS drawing each named icon as a mask in the current text color."""
    rules = [
        ".fa-solid, .fa-brands, .fa-regular, .fas, .fab, .far { display: inline-block; "
        "line-height: 1; }",
        ".fa-lg { font-size: 1.25em; }",
    ]
    for name in sorted(names):
        for pack, classes in PACKS.items():
            if name not in icons.get(pack, {}):
                continue
            width, height, path, _ = icons[pack][name]
            svg = (
                f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}'>"
                f"<path d='{path}'/></svg>"
            )
            selectors = ", ".join(f".{cls}.fa-{name}::before" for cls in classes)
            rules.append(
                f"{selectors} {{ content: ''; display: inline-block; height: 1em; "
                f"width: {width / height:.4f}em; vertical-align: -0.125em; "
                "background-color: currentColor; "
                f'-webkit-mask: url("data:image/svg+xml,{quote(svg)}") no-repeat center / '
                f'contain; mask: url("data:image/svg+xml,{quote(svg)}") no-repeat center / '
                "contain; }"
            )
    return "\n".join(rules) + "\n"


def replace_fontawesome(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    script = outdir / "_static" / "scripts" / "fontawesome.js"
    if not script.is_file():
        return
    names = set()
    for page in outdir.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        names.update(ICON_NAME.findall(html))
        stripped = FONTAWESOME_TAG.sub("", html)
        if stripped != html:
            page.write_text(stripped, encoding="utf-8")
    for theme_script in (outdir / "_static" / "scripts").glob("*.js"):
        if theme_script.name != "fontawesome.js":
            names.update(ICON_NAME.findall(theme_script.read_text(encoding="utf-8")))
    icons = fontawesome_icons(script)
    (outdir / "_static" / ICONS_CSS).write_text(icon_css(names, icons), encoding="utf-8")
    codepoints = {icon[3] for pack in icons.values() for n, icon in pack.items() if n in names}
    for sheet in (outdir / "_static").glob("styles/*.css"):
        text = sheet.read_text(encoding="utf-8")
        codepoints.update(ord(char) for char in CSS_ICON.findall(text))
        if "pydata" not in sheet.name:  # that sheet holds Font Awesome's whole list
            codepoints.update(int(code, 16) for code in CSS_ESCAPE.findall(text))
    subset_icon_fonts(outdir / "_static" / "vendor" / "fontawesome", codepoints)


def subset_icon_fonts(folder: Path, codepoints) -> None:
    """Keep in Font Awesome's WOFF2 fonts only the glyphs the book's pages can show."""
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = []
    options.notdef_outline = True
    for font_file in folder.rglob("*.woff2"):
        font = subset.load_font(str(font_file), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(codepoints))
        subsetter.subset(font)
        subset.save_font(font, str(font_file), options)


def compress_images(app: Sphinx, exception) -> None:
    """Fix 6: opaque PNG figures as 64-colour palette PNGs (about a third of the bytes).

    A plot has a few colours and their anti-aliased edges: median-cut quantisation keeps
    them visually intact. Images with transparency, and palettes already, are left alone;
    a result that is not smaller is discarded.
    """
    if exception is not None or app.builder.format != "html":
        return
    from PIL import Image

    for path in (Path(app.outdir) / "_images").glob("*.png"):
        with Image.open(path) as image:
            image.load()
        if image.mode not in {"RGB", "RGBA"}:
            continue
        if image.mode == "RGBA" and image.getchannel("A").getextrema()[0] < 255:
            continue
        buffer = io.BytesIO()
        quantized = image.convert("RGB").quantize(PALETTE_COLOURS, method=Image.Quantize.MEDIANCUT)
        quantized.save(buffer, "PNG", optimize=True)
        if buffer.tell() < path.stat().st_size:
            path.write_bytes(buffer.getvalue())


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", configure)
    app.connect("html-page-context", prune_scripts, priority=900)
    app.connect("build-finished", replace_fontawesome)
    app.connect("build-finished", compress_images)
    app.add_css_file(ICONS_CSS)  # _static/book.css and book.js: jupyter-book adds them
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
