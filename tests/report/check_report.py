# SPDX-License-Identifier: MIT
"""Check the fleet report as Chromium rendered it against the playbook's JSON results.

usage: check_report.py --html F --dom F --json F --netlog F --chromium-log F --png F
                       --hosts "H1 H2 ..." --sync H --drift H --pressure H --failing H --unreachable H
Exit 1 with every problem found, one a line.
"""
import argparse
import json
import re
import struct
import sys
from html.parser import HTMLParser

# The one request Chromium 156 makes on its own despite --disable-component-update,
# --disable-background-networking and the ComponentUpdatesEnabled policy: an
# on-demand update check of one component (browser-internal, "not an origin").
# In the test's network namespace (lo only) it fails before any packet leaves.
BROWSER_UPDATE_URL = re.compile(r"^https?://update\.googleapis\.com/service/update2/json(\?|$)")


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    def text(self):
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def walk(self):
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.walk()

    def find_all(self, tag=None, **attrs):
        return [n for n in self.walk() if (tag is None or n.tag == tag)
                and all(n.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())]


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Tree(HTMLParser):
    """A DOM tree from html.parser: enough for Chromium's serialized, well-formed DOM."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", [], None)
        self.cur = self.root
        self.tags = []

    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.tags.append((tag, dict(attrs)))
        self.cur.children.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not self.root and n.tag != tag:
            n = n.parent
        if n is not self.root:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse(path):
    t = Tree()
    with open(path, encoding="utf-8") as f:
        t.feed(f.read())
    t.close()
    return t


def num(s):
    s = s.strip()
    try:
        return float(s)
    except ValueError:
        return None


def classify(r):
    """The host's states from the JSON alone (what the report must show)."""
    info, chk = r.get("info") or {}, r.get("check") or {}
    unreachable = bool(info.get("unreachable") or chk.get("unreachable"))
    failing = not unreachable and bool(info.get("failed") or chk.get("failed") or not r.get("info") or not r.get("check"))
    pp = info.get("port_pressure") if not info.get("failed") else None
    settings = chk.get("settings") or {} if not chk.get("failed") else {}
    drifting = sorted(k for k, v in settings.items() if v.get("changed"))
    won = [c for c in (chk.get("conflicts") or []) if c.get("wins")] if not chk.get("failed") else []
    return {"unreachable": unreachable, "failing": failing, "pp": pp, "drifting": drifting, "won": won,
            "drift": bool(drifting or won), "settings": settings}


def check_static(html_path, problems):
    """Self-contained: CSP, no script, no external reference, print styles."""
    raw = open(html_path, encoding="utf-8").read()
    t = parse(html_path)
    csp = [a.get("content", "") for tag, a in t.tags if tag == "meta"
           and a.get("http-equiv", "").lower() == "content-security-policy"]
    if not csp or "default-src 'none'" not in csp[0]:
        problems.append(f"no Content-Security-Policy meta tag with default-src 'none' (found {csp})")
    for tag, a in t.tags:
        if tag in ("script", "link", "iframe", "object", "embed", "base"):
            problems.append(f"HTML has a <{tag}> element")
        for k, v in a.items():
            if k in ("src", "href", "xlink:href", "action", "poster", "srcset", "data") and v \
                    and not v.startswith("#") and not v.startswith("data:"):
                problems.append(f"<{tag} {k}={v!r}> refers to something outside the file")
            if k.startswith("on"):
                problems.append(f"<{tag}> has an event handler attribute {k}")
    if re.search(r"url\(|@import", raw):
        problems.append("the stylesheet refers to something (url( or @import)")
    if "@media print" not in raw:
        problems.append("no @media print rules")
    if "<svg" not in raw:
        problems.append("no inline SVG chart")


def check_dom(args, data, problems):
    dom = parse(args.dom).root
    hosts = args.hosts.split()
    table = dom.find_all("table", id="hosts")
    if len(table) != 1:
        problems.append(f"{len(table)} table#hosts in the rendered DOM, want 1")
        return
    rows = [n for n in table[0].find_all("tr") if "data-host" in n.attrs]
    order = [r.attrs["data-host"] for r in rows]
    if sorted(order) != sorted(hosts) or len(order) != len(hosts):
        problems.append(f"host rows {order}, want one row for each of {hosts}")
    if set(order[:2]) != {args.drift, args.pressure}:
        problems.append(f"first two rows {order[:2]}, want the drift host {args.drift} and the pressure host {args.pressure}")
    want_badge = {args.pressure: "port pressure", args.drift: "drift", args.failing: "failing",
                  args.unreachable: "unreachable", args.sync: "in sync"}
    byhost = {r.attrs["data-host"]: r for r in rows}
    n_cls = {"unreachable": 0, "failing": 0, "drift": 0, "sync": 0, "pressure": 0}
    for h, r in data["hosts"].items():
        c = classify(r)
        row = byhost.get(h)
        if row is None:
            problems.append(f"{h}: no row")
            continue
        cells = {td.attrs["data-k"]: td for td in row.find_all("td") if "data-k" in td.attrs}
        badges = [b.text().strip().lower() for b in row.find_all("span") if "badge" in b.attrs.get("class", "")]
        if h in want_badge and want_badge[h] not in badges:
            problems.append(f"{h}: badges {badges}, want '{want_badge[h]}'")
        pp = c["pp"]
        pressure = False
        if pp:
            top = pp["destinations"]["top"]
            tw = pp["time_wait"]
            want = {"ports_held": top[0]["ports_held"] if top else 0, "usable_ports": pp["capacity"]["usable_ports"],
                    "pct": top[0]["pct"] if top else 0, "time_wait": tw["total"], "max_tw_buckets": tw["max_tw_buckets"]}
            for k, v in want.items():
                got = num(cells[k].text()) if k in cells else None
                if got is None or abs(got - float(v)) > 1e-9:
                    problems.append(f"{h}: {k} shows {cells[k].text().strip()!r} if any, JSON has {v}"
                                    if k in cells else f"{h}: no {k} cell")
            if top:
                dest = f"{top[0]['address']}:{top[0]['port']}"
                if cells.get("destination") is None or cells["destination"].text().strip() != dest:
                    problems.append(f"{h}: busiest destination not shown as {dest}")
            lst = pp["listeners"]["unprotected_ports"] or "none"
            if cells.get("listeners") is None or cells["listeners"].text().strip() != lst:
                problems.append(f"{h}: listeners at risk not shown as {lst}")
            thr = data["threshold_pct"]
            pressure = (top and top[0]["pct"] >= thr) or tw.get("used_pct", 0) >= thr
            section = [s for s in dom.find_all("section") if s.attrs.get("data-host") == h]
            stext = section[0].text() if section else ""
            for w in pp["warnings"]:
                if w not in stext:
                    problems.append(f"{h}: advice {w!r} not in its section")
            if section and len(section[0].find_all("svg")) < 1:
                problems.append(f"{h}: no SVG bar chart in its section")
        elif not c["unreachable"] and not c["failing"]:
            problems.append(f"{h}: no diagnosis in the JSON")
        if "conflicts" in cells and num(cells["conflicts"].text()) != len(c["won"]):
            problems.append(f"{h}: conflicts shows {cells['conflicts'].text()!r}, JSON has {len(c['won'])} winning")
        if c["drifting"]:
            shown = sorted(x.strip() for x in cells["drifting"].text().split(","))
            if shown != c["drifting"]:
                problems.append(f"{h}: drifting settings {shown}, JSON has {c['drifting']}")
        st = "unreachable" if c["unreachable"] else "failing" if c["failing"] else "drift" if c["drift"] else "sync"
        n_cls[st] += 1
        n_cls["pressure"] += bool(pressure)
        if c["unreachable"] and h != args.unreachable or h == args.unreachable and not c["unreachable"]:
            problems.append(f"{h}: unreachable in JSON is {c['unreachable']}")
    # The JSON itself says what was planted.
    if not classify(data["hosts"][args.drift])["drift"]:
        problems.append(f"JSON: the drift host {args.drift} shows no drift")
    if not classify(data["hosts"][args.failing])["failing"]:
        problems.append(f"JSON: {args.failing} did not fail")
    if classify(data["hosts"][args.sync])["drift"]:
        problems.append(f"JSON: the in-sync host {args.sync} drifts")
    ppp = classify(data["hosts"][args.pressure])["pp"]
    if not ppp or not ppp["destinations"]["top"] or ppp["destinations"]["top"][0]["pct"] < data["threshold_pct"]:
        problems.append(f"JSON: the pressure host {args.pressure} shows no destination over the threshold")
    cards = {d.attrs["data-count"]: num(d.find_all("b")[0].text()) for d in dom.find_all("div") if "data-count" in d.attrs}
    want_cards = {"in_sync": n_cls["sync"], "drifting": n_cls["drift"], "failing": n_cls["failing"],
                  "unreachable": n_cls["unreachable"], "pressure": n_cls["pressure"]}
    if cards != want_cards:
        problems.append(f"summary cards {cards}, from the JSON {want_cards}")
    if want_cards != {"in_sync": 2, "drifting": 1, "failing": 1, "unreachable": 1, "pressure": 1}:
        problems.append(f"the planted fleet should count 2 in sync (one under pressure), 1 drifting, 1 failing, 1 unreachable: {want_cards}")
    # Drift matrix: the planted cells drift, the others do not.
    drift = dom.find_all("table", id="drift")
    if not drift:
        problems.append("no drift matrix")
        return
    for h in (args.sync, args.drift, args.pressure):
        row = [r for r in drift[0].find_all("tr") if r.attrs.get("data-host") == h]
        if not row:
            problems.append(f"drift matrix: no row for {h}")
            continue
        settings = classify(data["hosts"][h])["settings"]
        for td in row[0].find_all("td"):
            k = td.attrs.get("data-k")
            if not k:
                continue
            key, where = k.rsplit(".", 1)
            s = settings.get(key, {})
            want = s.get("live_changed" if where == "live" else "persisted_changed", False)
            got = "✗" in td.text()
            if want != got:
                problems.append(f"drift matrix {h} {k}: shows {td.text().strip()!r}, JSON drift {want}")
            if want and where == "live" and str(s["before"]) not in td.text():
                problems.append(f"drift matrix {h} {k}: live value {s['before']} not shown")
    if "45 → 30" not in dom.find_all("table", id="drift")[0].text():
        problems.append("drift matrix lacks the planted live fin_timeout 45 → 30")
    conf = dom.find_all("table", id="conflicts")
    if not conf or "/etc/sysctl.d/99-local.conf:1" not in conf[0].text():
        problems.append("boot-order conflicts table lacks /etc/sysctl.d/99-local.conf:1")


def check_network(args, problems):
    """No request from the page; nothing but file: loaded; the browser's own update check failed."""
    with open(args.netlog, encoding="utf-8") as f:
        log = json.load(f)
    c = log["constants"]
    etype = {v: k for k, v in c["logEventTypes"].items()}
    urls = {}
    for e in log["events"]:
        p = e.get("params") or {}
        if "url" in p:
            urls.setdefault(p["url"], set())
            if "initiator" in p:
                urls[p["url"]].add(p["initiator"])
        if etype.get(e["type"]) == "URL_REQUEST_START_JOB" and p.get("initiator") not in (None, "not an origin"):
            if not str(p.get("url", "")).startswith(("file:", "data:")):
                problems.append(f"the page requested {p.get('url')} (initiator {p.get('initiator')})")
    for u, inits in sorted(urls.items()):
        if u.startswith(("file:", "data:")):
            continue
        if BROWSER_UPDATE_URL.match(u) and inits <= {"not an origin"}:
            continue
        problems.append(f"netlog: request to {u} (initiators {sorted(inits)})")
    with open(args.chromium_log, encoding="utf-8", errors="replace") as f:
        text = f.read()
    for u in re.findall(r"NotifyBeforeURLRequest: (\S+)", text):
        if not u.startswith(("file:", "data:")) and not BROWSER_UPDATE_URL.match(u):
            problems.append(f"chromium log: request to {u}")
    if re.search(r"Content Security Policy|Refused to (load|apply|execute)", text):
        problems.append("chromium log: a Content-Security-Policy violation (the page tried to load something)")
    if not re.search(r"NotifyBeforeURLRequest|net_log|VERBOSE1", text):
        problems.append("chromium log has no verbose network logging: the check would see nothing")
    return sorted(u for u in urls if not u.startswith(("file:", "data:")))


def check_png(path, problems):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        problems.append(f"{path} is not a PNG")
        return
    w, h = struct.unpack(">II", head[16:24])
    if (w, h) != (1280, 2000):
        problems.append(f"screenshot is {w}x{h}, want 1280x2000")


def main():
    ap = argparse.ArgumentParser()
    for a in ("html", "dom", "json", "netlog", "chromium-log", "png", "hosts", "sync", "drift", "pressure",
              "failing", "unreachable"):
        ap.add_argument("--" + a, required=True)
    args = ap.parse_args()
    with open(args.json, encoding="utf-8") as f:
        data = json.load(f)
    problems = []
    check_static(args.html, problems)
    check_dom(args, data, problems)
    internal = check_network(args, problems)
    check_png(args.png, problems)
    if problems:
        print("check_report: " + "\ncheck_report: ".join(problems), file=sys.stderr)
        sys.exit(1)
    print(f"check_report: {len(data['hosts'])} host rows match the JSON; worst first; no page request"
          f" (browser-internal update checks refused by the namespace: {len(internal)})")


if __name__ == "__main__":
    main()
