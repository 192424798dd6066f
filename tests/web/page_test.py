#!/usr/bin/env python3
"""Real-browser test of the coordinator's page (service/web/) served by
`haplomatch serve`.

Starts the server on a free loopback port, drives headless Chromium with
Selenium, and compares what the page shows with what the command line says
for the same input (the example family): the order of the donors, each
status badge, every reason sentence verbatim, the pedigree's members and
haplotype letters, the printed PDF, the typing error marker, the console,
and a narrow window. tests/web/README.md says how to run it.

Usage (from anywhere; paths are taken relative to the repository root):
  python3 tests/web/page_test.py --haplomatch build/release/cli/haplomatch \
      [--screenshots DIR] [--as-of 2026-11-26]
Exit status 0 when every check passes, 1 on the first failure, 2 on a usage
or environment error (no Chromium, no chromedriver, no pdftotext).
"""

import argparse
import base64
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FAMILY_CSV = "data/examples/family_segregation.csv"
ANTIBODIES = "data/examples/patient_antibodies.txt"

# What the badge says for each eligibility status (service/web/app.js STATUS).
BADGE = {
    "eligible": "ELIGIBLE",
    "needs-review": "NEEDS REVIEW",
    "not-eligible": "NOT ELIGIBLE",
    "not-assessed": "NOT ASSESSED",
}
REASON_GROUPS = ("excludes", "to_check", "passes", "notes")

# Lines in the server's log that mean something went wrong.
ALARMING = re.compile(
    r"(?i)\b(fatal|abort|assert|sanitizer|segmentation|terminate called|exception|panic|"
    r"internal error|error)\b|\s5\d\d\s[\d.]+\s*ms")

# A typing with an error inside (offset 8: an allele IMGT lacks) and one
# whose error is at its very end (an allele field missing after "DRB1*14:").
BAD_TYPING_INSIDE = "A*01:01+A*99:99^B*08:01+B*44:02"
BAD_TYPING_END_SUFFIX = "^DRB1*14:"


class Failure(Exception):
    """A check that did not hold; the message says what and why."""


def ok(message):
    print(f"ok: {message}", flush=True)


def check(condition, message):
    if not condition:
        raise Failure(message)


def free_port():
    # The server may not print the port it got for port 0, so pick one here.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(base, path, body=None, timeout=10):
    """GET or POST (JSON) to the service; returns (status, headers, text)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data,
                                 headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()


class Server:
    """`haplomatch serve` on a free loopback port, with its log in a file."""

    def __init__(self, binary, web_dir=None, token_file=None):
        self.binary = binary
        self.web_dir = web_dir
        self.token_file = token_file
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile("w+", prefix="haplomatch-serve-", suffix=".log", delete=False)
        self.proc = None

    def start(self):
        command = [self.binary, "serve", "--listen", f"127.0.0.1:{self.port}"]
        if self.web_dir:
            command += ["--web-dir", self.web_dir]
        if self.token_file:
            command += ["--token-file", self.token_file]
        self.proc = subprocess.Popen(command, cwd=REPO, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise Failure(f"the server exited with status {self.proc.returncode}:\n{self.log_text()}")
            try:
                status, _, _ = http(self.base, "/v1/health", timeout=2)
                if status == 200 or (self.token_file and status == 401):
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise Failure(f"the server did not answer /v1/health within 30 s:\n{self.log_text()}")

    def log_text(self):
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def cleanup(self):
        self.log.close()
        os.unlink(self.log.name)


def run_cli(binary, *args):
    """The CLI's JSON for the same input the page was given."""
    proc = subprocess.run([binary, *args], cwd=REPO, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise Failure(f"haplomatch {' '.join(args)} exited {proc.returncode}: {proc.stderr}")
    return json.loads(proc.stdout)


def start_browser(chromium, chromedriver):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--window-size=1280,1800",
                 "--disable-dev-shm-usage", "--disable-gpu", "--lang=en-US"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(chromedriver), options=options)


class Page:
    """The page in the browser, with the waits the checks need."""

    def __init__(self, driver, base):
        self.d = driver
        self.base = base
        self.console = []  # every browser log entry seen so far

    def js(self, script, *args):
        return self.d.execute_script(script, *args)

    def wait(self, predicate, what, timeout=30):
        deadline = time.time() + timeout
        last_error = None
        while time.time() < deadline:
            try:
                value = predicate()
                if value:
                    return value
            except Exception as e:  # the element may not exist yet
                last_error = e
            time.sleep(0.1)
        alerts = self.js("return document.getElementById('alerts').innerText")
        raise Failure(f"timed out after {timeout} s waiting for {what}"
                      f"{f' (last error: {last_error})' if last_error else ''}; page alerts: {alerts!r}")

    def drain_console(self):
        self.console.extend(self.d.get_log("browser"))

    def run_count(self):
        return int(self.js("return document.getElementById('results').dataset.run"))

    def wait_for_run(self, after):
        """Waits for a check newer than run `after`, and for it to have succeeded."""
        self.wait(lambda: self.run_count() > after and
                  self.js("return document.getElementById('results').dataset.state") in ("done", "failed"),
                  "the results")
        state = self.js("return document.getElementById('results').dataset.state")
        alerts = self.js("return document.getElementById('alerts').innerText").strip()
        check(state == "done", f"the check failed on the page: {alerts!r}")
        check(alerts == "", f"the page shows errors after the check: {alerts!r}")

    def set_value(self, element_id, value):
        # A date input's typed format depends on the locale: set the value and
        # fire the events the page listens to.
        self.js("""const e = document.getElementById(arguments[0]); e.value = arguments[1];
                   e.dispatchEvent(new Event('input', {bubbles: true}));
                   e.dispatchEvent(new Event('change', {bubbles: true}));""", element_id, value)


def check_sources(web_dir):
    """What the CSP forbids, caught in the files before a browser refuses it:
    inline scripts, styles and handlers; and the DOM built from text only."""
    html = (web_dir / "index.html").read_text()
    js = (web_dir / "app.js").read_text()
    for pattern, what in ((r"<script(?![^>]*\bsrc=)[^>]*>", "an inline <script>"),
                          (r"\sstyle\s*=", "a style attribute"),
                          (r"\son[a-z]+\s*=", "an inline event handler"),
                          (r"<style", "a <style> element"),
                          (r"(?i)(src|href)\s*=\s*[\"']?(https?:)?//", "a resource from another origin")):
        check(not re.search(pattern, html), f"index.html has {what}")
    for pattern, what in ((r"\.innerHTML|\.outerHTML|insertAdjacentHTML", "HTML from strings"),
                          (r"\beval\s*\(|new\s+Function\s*\(", "eval"),
                          (r"setAttribute\(\s*[\"']style", "a style attribute"),
                          (r"localStorage|sessionStorage|document\.cookie", "browser storage")):
        check(not re.search(pattern, js), f"app.js uses {what}")
    check(js.lstrip().startswith("/*") and '"use strict";' in js, "app.js is not in strict mode")
    ok("the page's files: no inline script, style or handler, nothing from another origin; "
       "app.js builds no HTML from strings, uses no eval and no browser storage")


def check_results(page, match, rank):
    """Order, badges, reasons and totals of every donor against the CLI's documents."""
    ranked = [d["id"] for d in rank["donors"]]
    excluded = [d["id"] for d in match["donors"] if d["id"] not in ranked]
    expected = ranked + excluded
    shown = page.js("return Array.from(document.querySelectorAll('#donor-results article.donor')).map(a => a.dataset.donorId)")
    check(shown == expected, f"donor order on the page {shown}, expected rank's then the excluded in input order {expected}")
    ok(f"donor order is rank's then the excluded: {', '.join(shown)}")

    for donor in match["donors"]:
        did = donor["id"]
        e = donor["eligibility"]
        card = page.js("""
            const card = Array.from(document.querySelectorAll('#donor-results article.donor'))
                              .find(a => a.dataset.donorId === arguments[0]);
            if (!card) return null;
            const groups = {};
            for (const g of card.querySelectorAll('.reason-group'))
              groups[g.dataset.group] = Array.from(g.querySelectorAll('li')).map(li => li.textContent);
            return {
              badge: card.querySelector('.badge-label').textContent,
              icon: card.querySelector('.badge-icon').textContent,
              groups,
              totals: card.querySelector('.totals').textContent,
              text: card.textContent,
            };""", did)
        check(card is not None, f"no section with data-donor-id={did!r} on the page")
        want = BADGE[e["status"]]
        check(card["badge"] == want, f"{did}: badge {card['badge']!r}, expected {want!r} (status {e['status']})")
        check((card["badge"] == "ELIGIBLE") == (e["status"] == "eligible" and e["eligible"] is True),
              f"{did}: ELIGIBLE shown without the server saying eligible")
        check(card["icon"] in ("✓", "?", "✗", "–"), f"{did}: badge icon {card['icon']!r}")
        for group in REASON_GROUPS:
            got = card["groups"].get(group, [])
            check(got == e[group], f"{did}: {group} on the page {got}, the CLI says {e[group]}")
        t = donor["total"]
        totals = f"{t['matches']}/{t['out_of']} allele matches; GvH {t['gvh_mismatches']}, HvG {t['hvg_mismatches']}"
        check(card["totals"] == totals, f"{did}: totals {card['totals']!r}, expected {totals!r}")
        check(donor["haplo"]["verdict"] in card["text"], f"{did}: the haplo verdict {donor['haplo']['verdict']!r} is not shown")
        for dsa in e["dsa"]:
            check(dsa["specificity"] in card["text"], f"{did}: the antibody {dsa['specificity']} is not shown")
        # The HLA-B leader and KIR facts, in the server's words.
        check(donor["b_leader"]["basis"] in card["text"], f"{did}: the HLA-B leader basis is not shown")
        if donor["b_leader"]["status"]:
            check(donor["b_leader"]["status"] in card["text"], f"{did}: the leader status is not shown")
        check(donor["kir_ligands"]["basis"] in card["text"], f"{did}: the KIR-ligand basis is not shown")
        if donor["donor_kir"]:
            check(f"KIR B content: {donor['donor_kir']['category']}" in card["text"],
                  f"{did}: the KIR B content is not shown")
            check(donor["donor_kir"]["basis"] in card["text"], f"{did}: the donor KIR basis is not shown")
        n = sum(len(e[g]) for g in REASON_GROUPS)
        ok(f"{did}: {want}, {n} reasons verbatim in their groups, totals {totals}")

    counts = page.js("""const out = {};
        for (const c of document.querySelectorAll('#summary .count'))
          out[c.querySelector('dt').textContent] = c.querySelector('dd').textContent;
        return out;""")
    for label, key in (("read", "read"), ("ranked", "ranked"), ("eligible", "eligible"),
                       ("needs review", "needs_review"), ("excluded", "excluded"), ("rejected", "rejected")):
        want = "—" if rank[key] is None else str(rank[key])
        check(counts.get(label) == want, f"summary {label}: {counts.get(label)!r}, rank says {want!r}")
    ok(f"summary counts match rank: {counts}")


def check_pedigree(page, family):
    members = [m for f in family["families"] for m in f["members"]]
    nodes = page.js("""return Array.from(document.querySelectorAll('svg .pedigree-node')).map(n => ({
        id: n.dataset.id, haplotypes: n.querySelector('.haplotypes').textContent,
        patient: n.classList.contains('is-patient'), title: n.querySelector('title').textContent}))""")
    check(len(nodes) == len(members), f"{len(nodes)} pedigree nodes, the family has {len(members)} members")
    by_id = {n["id"]: n for n in nodes}
    check(len(by_id) == len(nodes), f"pedigree node ids repeat: {[n['id'] for n in nodes]}")
    for m in members:
        n = by_id.get(m["id"])
        check(n is not None, f"no pedigree node for {m['id']!r}")
        check(n["haplotypes"] == m["haplotypes"], f"{m['id']}: haplotypes {n['haplotypes']!r}, expected {m['haplotypes']!r}")
        check(n["patient"] == (m["role"] == "patient"), f"{m['id']}: patient marking wrong")
        check(n["title"].startswith(m["id"]), f"{m['id']}: the node's <title> does not name it: {n['title']!r}")
    facts = page.js("return Array.from(document.querySelectorAll('.pedigree-facts li')).map(li => li.dataset.memberId)")
    check(sorted(facts) == sorted(m["id"] for m in members), f"the text list under the pedigree lists {facts}")
    ok(f"pedigree: one node per member ({len(nodes)}), ids and haplotype letters as `family --format json`, and a text list")


def check_print(page, match, imgt_version, as_of):
    from selenium.webdriver.common.print_page_options import PrintOptions

    options = PrintOptions()
    options.page_width = 21.0   # A4, in cm
    options.page_height = 29.7
    options.background = True
    pdf = base64.b64decode(page.d.print_page(options))
    check(pdf.startswith(b"%PDF") and len(pdf) > 1000, f"print_page gave no PDF ({len(pdf)} bytes)")
    # The PDF and its text stay in a temporary directory named on failure.
    tmp = Path(tempfile.mkdtemp(prefix="haplomatch-print-"))
    path = tmp / "report.pdf"
    path.write_bytes(pdf)
    proc = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), str(tmp / "report.txt")],
                          capture_output=True, text=True, timeout=60)
    check(proc.returncode == 0, f"pdftotext failed: {proc.stderr}")
    text = (tmp / "report.txt").read_text()
    # pdftotext joins a line that ends in "-" to the next (de-hyphenation,
    # no switch turns it off): compare without blanks and hyphens.
    squeeze = lambda s: re.sub(r"[\s\-]+", "", s)  # noqa: E731
    flat = squeeze(text)
    where = f" (see {path} and report.txt beside it)"
    for donor in match["donors"]:
        check(donor["id"] in text, f"the printed report lacks donor {donor['id']!r}{where}")
        for group in REASON_GROUPS:
            for sentence in donor["eligibility"][group]:
                check(squeeze(sentence) in flat, f"the printed report lacks {donor['id']}'s reason {sentence!r}{where}")
    for word in ("patient", imgt_version, as_of, "NCT04835883", "gDNA"):
        check(word in text, f"the printed report lacks {word!r}{where}")
    for hidden in ("Upload a file", "Add a relative by hand", "Check donors"):
        check(hidden not in text, f"the printed report shows the form ({hidden!r}){where}")
    shutil.rmtree(tmp)
    ok(f"printed to PDF (A4, {len(pdf)} bytes): every donor, every reason, the patient, release {imgt_version}, "
       f"as of {as_of}, the grids; no forms")


def check_typing_error(page, typed, base):
    """Types `typed`, waits for the page's check, compares with /v1/validate."""
    from selenium.webdriver.common.by import By

    status, _, body = http(base, "/v1/validate", {"typings": [typed]})
    check(status == 200, f"/v1/validate answered {status}: {body}")
    result = json.loads(body)["results"][0]
    check(result.get("valid") is False, f"{typed!r} is valid for the server; the test needs an invalid typing")
    offset = result.get("offset")
    if offset is None:
        m = re.search(r"at offset (\d+)", result["error"])
        check(m is not None, f"the validate answer gives no offset: {result}")
        offset = int(m.group(1))

    box = page.d.find_element(By.ID, "patient-typing")
    box.clear()
    box.send_keys(typed)
    page.wait(lambda: page.js("""const m = document.querySelector('#typing-feedback .typing-error-message');
                                 return m && m.textContent === arguments[0];""", result["error"]),
              f"the error message for {typed!r}", timeout=15)
    shown = page.js("""const f = document.getElementById('typing-feedback');
        const mark = f.querySelector('mark.error-at');
        const box = document.getElementById('patient-typing');
        return mark && {
          before: f.querySelector('.echo-before').textContent,
          mark: mark.textContent, offset: mark.dataset.offset,
          flag: f.querySelector('.offset-flag').textContent,
          decoration: getComputedStyle(mark).textDecorationStyle,
          invalid: box.getAttribute('aria-invalid'),
          describedby: box.getAttribute('aria-describedby'),
        };""")
    check(shown is not None, "no <mark class=error-at> under the typing box")
    check(shown["offset"] == str(offset), f"the marker is at offset {shown['offset']}, the server says {offset}")
    check(shown["before"] == typed[:offset], f"the text before the marker is {shown['before']!r}, expected {typed[:offset]!r}")
    if offset < len(typed):
        check(shown["mark"] and typed[offset:].startswith(shown["mark"]),
              f"the marked text {shown['mark']!r} is not the text at offset {offset} ({typed[offset:]!r})")
    else:
        check(shown["mark"] == "", f"the error is at the end, yet {shown['mark']!r} is marked")
    check(f"offset {offset}" in shown["flag"], f"the text marker says {shown['flag']!r}, not offset {offset}")
    check(shown["decoration"] == "wavy", f"the marker's underline is {shown['decoration']!r}, not wavy")
    check(shown["invalid"] == "true", "the typing box lacks aria-invalid=true")
    check("typing-feedback" in (shown["describedby"] or "").split(), "the typing box is not described by the feedback")
    ok(f"typing error for {typed!r}: message shown, marker at offset {offset} as /v1/validate says, aria-invalid set")


def check_narrow(page):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    page.d.set_window_size(390, 900)
    if page.js("return window.innerWidth") > 400:
        # Some headless builds keep a minimum window width: emulate the viewport.
        page.d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": 390, "height": 900, "deviceScaleFactor": 1, "mobile": False})
    time.sleep(0.3)
    width, inner = page.js("return [document.documentElement.scrollWidth, window.innerWidth]")
    check(inner <= 400, f"the viewport is {inner} px wide, not 390")
    check(width <= inner + 1, f"at {inner} px the page scrolls sideways (scrollWidth {width})")
    ok(f"narrow window ({inner} px): no horizontal scroll of the page (scrollWidth {width})")

    page.d.refresh()
    page.wait(lambda: page.js("return document.readyState") == "complete", "the reload")
    page.js("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);")
    for presses in range(1, 11):
        ActionChains(page.d).send_keys(Keys.TAB).perform()
        if page.js("return document.activeElement && document.activeElement.id") == "load-example":
            outline = page.js("return getComputedStyle(document.activeElement).outlineStyle")
            check(outline not in ("none", ""), f"the focused button shows no outline ({outline!r})")
            ok(f"Tab reaches 'Load the example family' ({presses} presses), with a visible focus outline")
            return
    raise Failure("10 presses of Tab did not reach the 'Load the example family' button")


def check_console(page):
    page.drain_console()
    bad = [e for e in page.console
           if e.get("level") == "SEVERE" or re.search(r"Content Security Policy|Refused to", e.get("message", ""))]
    check(not bad, "the browser console has errors:\n" + "\n".join(f"  {e['level']}: {e['message']}" for e in bad))
    ok(f"browser console: no SEVERE entries and no CSP violations ({len(page.console)} entries in all)")


def check_token(binary, web_dir, chromium, chromedriver):
    """A server that needs a token: the page asks for it in a dialog, retries
    with it, and keeps it out of storage, cookies and the URL."""
    from selenium.webdriver.common.by import By

    token = base64.b16encode(os.urandom(24)).decode().lower()
    with tempfile.NamedTemporaryFile("w", prefix="haplomatch-token-", delete=False) as f:
        f.write(token + "\n")
    server = Server(binary, web_dir, token_file=f.name)
    driver = None
    try:
        server.start()
        driver = start_browser(chromium, chromedriver)
        page = Page(driver, server.base)
        driver.get(server.base + "/")
        page.wait(lambda: driver.find_element(By.ID, "token-dialog").get_attribute("open") is not None,
                  "the token dialog after a 401", timeout=15)
        check(page.js("return document.activeElement.id") == "token-input", "the token dialog does not focus its input")
        check(page.js("return document.activeElement.type") == "password", "the token input is not a password input")
        driver.find_element(By.ID, "token-input").send_keys("not-the-token-at-all-0000\n")
        page.wait(lambda: "not accept" in driver.find_element(By.ID, "token-error").text, "the wrong-token message")
        driver.find_element(By.ID, "token-input").send_keys(token + "\n")
        page.wait(lambda: "IPD-IMGT/HLA" in page.js("return document.getElementById('version-line').textContent"),
                  "the version line once the token is given")
        kept = page.js("""return [JSON.stringify(Object.assign({}, localStorage)), JSON.stringify(Object.assign({}, sessionStorage)),
                                 document.cookie, location.href]""")
        check(not any(token in k for k in kept), f"the token is kept where it should not be: {kept}")
        ok("with --token-file: a 401 opens the token dialog, a wrong token is refused, the right one is used "
           "and is not in storage, cookies or the URL")
    finally:
        if driver:
            driver.quit()
        server.stop()
        server.cleanup()
        os.unlink(f.name)


def element_screenshot(page, selector, path, max_height=None):
    """The whole element, also the part below the window (WebDriver's element
    screenshot stops at the window's edge), through the DevTools protocol;
    with max_height, its top part only (a README image of a readable size)."""
    rect = page.js("""const r = document.querySelector(arguments[0]).getBoundingClientRect();
        return {x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height};""", selector)
    check(rect["width"] > 0 and rect["height"] > 0, f"{selector} is not visible")
    if max_height:
        rect["height"] = min(rect["height"], max_height)
    shot = page.d.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True, "fromSurface": True,
        "clip": {**rect, "scale": 1}})
    Path(path).write_bytes(base64.b64decode(shot["data"]))
    ok(f"screenshot {path} ({round(rect['width'])}x{round(rect['height'])})")


def have_selenium():
    """Debian's python3-selenium is for /usr/bin/python3; when another Python
    comes first on PATH (pyenv, a virtualenv), run this script with Debian's."""
    try:
        import selenium  # noqa: F401
        return True
    except ImportError:
        system = "/usr/bin/python3"
        if (os.access(system, os.X_OK) and not os.environ.get("PAGE_TEST_REEXEC")
                and os.path.realpath(sys.executable) != os.path.realpath(system)):
            os.environ["PAGE_TEST_REEXEC"] = "1"
            sys.stdout.flush()
            os.execv(system, [system, os.path.abspath(__file__), *sys.argv[1:]])
        return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--haplomatch", required=True, help="the haplomatch binary (serve, and the CLI to compare with)")
    parser.add_argument("--screenshots", help="directory for web-results.png and web-pedigree.png")
    parser.add_argument("--as-of", default="2026-11-26", help="fixed date for ages (default 2026-11-26)")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("--chromedriver", default=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    # Development only: test a server started elsewhere, or serve the page
    # files from a directory instead of the copies built into the binary.
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--web-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()

    binary = str(Path(args.haplomatch).resolve())
    for path, what in ((binary, "--haplomatch"), (args.chromium, "--chromium"), (args.chromedriver, "--chromedriver")):
        if not os.access(path, os.X_OK):
            print(f"page_test: {what} {path} is not an executable", file=sys.stderr)
            return 2
    if not shutil.which("pdftotext"):
        print("page_test: pdftotext not found (apt-get install poppler-utils)", file=sys.stderr)
        return 2
    if not have_selenium():
        print("page_test: Selenium is not installed (apt-get install python3-selenium)", file=sys.stderr)
        return 2
    screenshots = Path(args.screenshots) if args.screenshots else None
    if screenshots:
        screenshots.mkdir(parents=True, exist_ok=True)

    server = None if args.base_url else Server(binary, args.web_dir and str(Path(args.web_dir).resolve()))
    driver = None
    try:
        if server:
            server.start()
            ok(f"haplomatch serve answers /v1/health on {server.base}")
        base = args.base_url.rstrip("/") if args.base_url else server.base

        check_sources(Path(args.web_dir) if args.web_dir else REPO / "service" / "web")
        status, headers, _ = http(base, "/")
        csp = headers.get("Content-Security-Policy", "")
        check(status == 200, f"GET / answered {status}")
        check("script-src 'self'" in csp and "default-src 'none'" in csp, f"GET / has no strict Content-Security-Policy: {csp!r}")
        ok("GET / serves the page with a strict Content-Security-Policy")
        version = json.loads(http(base, "/v1/version")[2])

        cli_args = ["--family", FAMILY_CSV, "--recipient-abo", "A+", "--recipient-cmv", "pos", "--recipient-sex", "M",
                    "--antibodies", f"@{ANTIBODIES}", "--protocol", "NCT04835883", "--as-of", args.as_of, "--format", "json"]
        match = run_cli(binary, "match", *cli_args)
        rank = run_cli(binary, "rank", *cli_args)
        family = run_cli(binary, "family", "--family", FAMILY_CSV, "--format", "json")

        driver = start_browser(args.chromium, args.chromedriver)
        page = Page(driver, base)
        driver.get(base + "/")
        page.wait(lambda: "IPD-IMGT/HLA" in page.js("return document.getElementById('version-line').textContent"),
                  "the version line")
        ok("the page loads and shows the IPD-IMGT/HLA release")

        before = page.run_count()
        driver.find_element("id", "load-example").click()
        page.wait_for_run(before)
        ok("'Load the example family' loads the family and runs the check in one click")
        if page.js("return document.getElementById('as-of').value") != args.as_of:
            page.set_value("as-of", args.as_of)
            before = page.run_count()
            driver.find_element("id", "check-donors").click()
            page.wait_for_run(before)
            ok(f"as-of set to {args.as_of} and checked again")
        meta = page.js("return document.getElementById('report-meta').textContent")
        check(args.as_of in meta and version["imgt_version"] in meta, f"the report header lacks the date or release: {meta!r}")

        check_results(page, match, rank)
        check_pedigree(page, family)
        if screenshots:
            # The first donor's per-locus grid open, as a coordinator would look at it.
            page.js("document.querySelector('#donor-results details.grid-details').open = true")
            # The summary and the first donor with its grid: the top of the results.
            element_screenshot(page, "#results", screenshots / "web-results.png", max_height=1450)
            element_screenshot(page, "#family .pedigree-figure", screenshots / "web-pedigree.png")
        check_print(page, match, version["imgt_version"], args.as_of)

        patient_typing = page.js("return document.getElementById('patient-typing').value").strip()
        check_typing_error(page, BAD_TYPING_INSIDE, base)
        check_typing_error(page, patient_typing + BAD_TYPING_END_SUFFIX, base)
        check_console(page)
        check_narrow(page)
        check_console(page)

        if server:
            driver.quit()
            driver = None
            server.stop()
            log = server.log_text()
            alarming = [line for line in log.splitlines() if ALARMING.search(line)]
            check(not alarming, "the server's log has alarming lines:\n" + "\n".join(alarming))
            ok("the server stopped; nothing alarming in its log")
            check_token(binary, server.web_dir, args.chromium, args.chromedriver)
        print("page_test: all checks passed")
        return 0
    except Failure as failure:
        print(f"FAIL: {failure}", file=sys.stderr)
        if server:
            print("server log (last 40 lines):\n" + "\n".join(server.log_text().splitlines()[-40:]), file=sys.stderr)
        return 1
    finally:
        if driver:
            driver.quit()
        if server:
            server.stop()
            server.cleanup()


if __name__ == "__main__":
    sys.exit(main())
