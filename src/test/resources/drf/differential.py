#!/usr/bin/python3
"""Records the real DRF's answers to a few hundred requests, for DrfDifferentialTest.

The requests go, in order, to the reference service of ../shared/drf-reference (DRF 3.17 and
django-filter 25.1 on Django 4.2; its README says how to start it) over a fresh table; the test
sends the same requests, in the same order, to an http-only node of this service over a fresh
table and compares the answers. Python's standard library only. From the repository's root:

    REF_URL=http://127.0.0.1:8101 REF_DB=drfref \\
        /usr/bin/python3 src/test/resources/drf/differential.py > src/test/resources/drf/differential.jsonl

REF_DB names the reference's database, which is emptied first (psql, user postgres on
127.0.0.1:5432, as the reference's settings have it).

What is compared: the status; Content-Type, Allow, WWW-Authenticate and Retry-After (which DRF
never sends: a 409 of the cancel action has none); the body after masking
what differs by nature: ids (`"id": "<id>"`) and the server's timestamps (`created_at`,
`updated_at`: `"<timestamp>"`); `run_after` is the client's, compared as it is. Both sides are
sent `Host: testserver`, so links come out alike with nothing to mask. For an HTML page of the
browsable API the recorded body is what DRF's page shows: the request line, the status line, the
headers above and the JSON as DRF writes it there (indented by 4). Django's own HTML 404 (a path
no DRF route matches) is recorded as such: the service answers those with a JSON 404 (a
deliberate difference, SPEC §17), and the test compares the status only.

A request may follow a link an earlier answer gave (the next cursor page): its path is recorded
as sent. The reference's `cancel` actions (one task, and every waiting task of a queue or of all)
are recorded near the end, over a table of their own; `?status=cancelled` is a valid filter
(OPTIONS lists no choices for the read-only `status`).

A case marked `deliberate` is one where the service answers differently on purpose (where DRF
fails with a 500, or for a codec Python has and the service does not): the recorded answer is
DRF's, the test checks the service's own answer, and docs/api.md lists each under "Deliberate
differences".

Output: one JSON object per line, either {"setup": ...} (a step both sides take: "reset" empties
the table and restarts its ids, "status" sets tasks' status and result by SQL) or {"name",
"request": {"method", "path", "headers": [[name, value], ...], "body": base64 or null},
"answer": {"status", "headers": {...}, "kind", "body"}, "deliberate": {...} or absent}.
"""
import base64
import html
import http.client
import json
import os
import re
import subprocess
import sys
import urllib.parse

REF_URL = os.environ.get("REF_URL", "http://127.0.0.1:8101")
REF_DB = os.environ.get("REF_DB", "drfref")
HOST = "testserver"
TASKS = "/api/v1/tasks/"
KEPT_HEADERS = ["Content-Type", "Allow", "WWW-Authenticate", "Retry-After"]
PAGE_HEADERS = ["Allow", "Content-Type", "Vary", "WWW-Authenticate"]

ID = re.compile(r'(?<!\\)("id":\s?)\d+')
TIMESTAMP = re.compile(r'(?<!\\)("(?:created_at|updated_at)":\s?)"[^"]*"')


def mask(text):
    text = ID.sub(r'\1"<id>"', text)
    return TIMESTAMP.sub(r'\1"<timestamp>"', text)


# ---------------------------------------------------------------------------------------------
# the cases


def json_body(text, charset=None):
    ct = "application/json" + ("; charset=" + charset if charset else "")
    return {"headers": [["Content-Type", ct]], "body": text.encode("utf-8")}


def raw(content_type, data):
    headers = [] if content_type is None else [["Content-Type", content_type]]
    return {"headers": headers, "body": data}


def case(name, method, path, headers=None, body=None, deliberate=None):
    c = {"name": name, "method": method, "path": path, "headers": headers or [], "body": body}
    if deliberate:
        c["deliberate"] = deliberate
    return c


def post(name, spec, path=TASKS, extra=None, deliberate=None):
    return case(name, "POST", path, spec["headers"] + (extra or []), spec["body"], deliberate)


def get(name, path, headers=None):
    return case(name, "GET", path, headers)


def cases():
    out = []
    add = out.append
    out.append({"setup": "reset"})

    # the API root and an empty list, before any task exists
    add(get("root", "/api/v1/"))
    add(get("root json suffix", "/api/v1/.json"))
    add(get("root json suffix with slash", "/api/v1/.json/"))
    add(get("root api suffix", "/api/v1/.api"))
    add(get("root unknown suffix", "/api/v1/.xml"))
    add(get("root format json", "/api/v1/?format=json"))
    add(get("root format api", "/api/v1/?format=api"))
    add(get("root as html", "/api/v1/", [["Accept", "text/html"]]))
    add(case("root options", "OPTIONS", "/api/v1/"))
    add(case("root head", "HEAD", "/api/v1/"))
    add(case("root post", "POST", "/api/v1/", *json_body('{"title": "x"}').values()))
    add(case("root delete", "DELETE", "/api/v1/"))
    add(get("empty list", TASKS))
    add(get("empty list last page", TASKS + "?page=last"))
    add(get("empty list page 2", TASKS + "?page=2"))
    add(get("empty list cursor", TASKS + "?cursor="))
    add(get("empty list as html", TASKS, [["Accept", "text/html"]]))

    # creates: valid titles
    for i, title in enumerate([
        "Process report", "  trimmed  ", "Отчёт 😀", "報告", "a" * 255, "😀" * 255,
        "tab\tand\nnewline", "quote \" and backslash \\", "line\u2028separator\u2029",
        "control \u0001\u001f\u007f", "<script>alert('x')</script> & more",
        "http://example.com/in/a/title", "e\u0301", "\u00a0nbsp\u00a0",
    ]):
        add(post("create title %d" % i, json_body(json.dumps({"title": title}))))
    add(post("create with unescaped unicode", json_body('{"title": "café ☕"}')))
    add(post("create ignores other fields", json_body(
        '{"title": "x", "id": 99, "status": "done", "result": "success", "owner": "me",'
        ' "created_at": "2000-01-01T00:00:00Z"}')))
    add(post("create repeated key", json_body('{"title": "first", "title": "last"}')))
    add(post("create nested ignored", json_body('{"title": "n", "extra": {"a": [1, 2, {"b": null}]}}')))
    # numbers become Python's str() of them
    for i, number in enumerate([
        "42", "-7", "0", "-0", "1.5", "-0.0", "2e23", "1e16", "1e15", "1e-5", "0.0001",
        "123456789012345.0", "5e-324", "1e400", "-1e400", "0.1", "1E2", "3.14159265358979323846",
        "123456789012345678901234567890", "9007199254740993", "1.7976931348623157e308", "1e22",
    ]):
        add(post("create number title %d" % i, json_body('{"title": %s}' % number)))

    # creates: invalid titles
    for i, body in enumerate([
        "{}", '{"title": null}', '{"title": ""}', '{"title": "   "}', '{"title": "\\t\\n"}',
        '{"title": true}', '{"title": false}', '{"title": ["a"]}', '{"title": {"a": 1}}',
        '{"title": "%s"}' % ("a" * 256), '{"title": "%s"}' % ("😀" * 256), '{"title": "a\\u0000b"}',
        '{"title": "a\\ud800b"}', '{"title": "\\udfff"}', '{"title": "%s\\u0000\\ud800"}' % ("b" * 256),
        '{"Title": "x"}', '{"title": "\\u00a0\\u3000"}',
    ]):
        add(post("create invalid title %d" % i, json_body(body)))

    # bodies that are not objects
    for i, body in enumerate(["[]", "[1, 2]", '"title"', "42", "1.5", "true", "null", '[{"title": "x"}]']):
        add(post("create not an object %d" % i, json_body(body)))

    # JSON that Python's json refuses, with its messages and positions
    for i, body in enumerate([
        "", " ", "{", "}", "{\"title\": ", "{'title': 'x'}", "{\"title\": \"x\"} trailing",
        "{\"title\": \"x\"}}", "{\"title\": \"x\",}", "{title: \"x\"}", "{\"title\" \"x\"}",
        "{\"title\": \"x\" \"y\": 1}", "{\"title\": \"a\"} // x", "/* c */ {\"title\": \"a\"}",
        "{\"title\": \"a\" /* c */}", "# c\n{\"title\": \"a\"}", "NaN", "Infinity", "-Infinity",
        "{\"title\": NaN}", "{\"title\": [1, -Infinity]}", "nan", "{\"title\": 01}",
        "{\"title\": 1.}", "{\"title\": .5}", "{\"title\": +1}", "{\"title\": 0x10}",
        "{\"title\": \"\\x\"}", "{\"title\": \"\\u12\"}", "{\"title\": \"a\nb\"}",
        "{\"title\": \"\u0001\"}", "{\"title\": \"unterminated}", "{\n  \"title\": \"x\",\n  \"a\": nope\n}",
        "[\n1,\n2,\n]", "\n\n\n   x", "{\"title\": \"😀😀\" x}", "{\"😀\": 1,}", "\ufeff{\"title\": \"bom\"}",
        "{\"title\": True}", "{\"title\": None}", "{\"title\": \"x\"}\n\n\n{}", "1" * 4301,
        "{\"title\": %s}" % ("9" * 4301), "\u00a0{}", "{\"title\"\u00a0: \"x\"}", "\"\\ud83d\\ude00\" x",
    ]):
        add(post("json error %d" % i, json_body(body)))
    add(post("nesting within Python's stack", json_body("[" * 500 + "]" * 500)))
    add(post("nesting past Python's stack", json_body("[" * 3000 + "]" * 3000), deliberate={
        "status": 400,
        "detail": "JSON parse error - Nesting deeper than 965 levels is not supported",
        "why": "DRF lets Python's RecursionError become a 500",
    }))

    # bytes: invalid UTF-8, a BOM, and charsets as Python's codecs read them
    word = "café €uro 😀"
    for i, (charset, data) in enumerate([
        (None, b'{"title": "\xff"}'),
        (None, b'{"title": "caf\xe9"}'),
        (None, b'{"title": "\xc3\x28"}'),
        (None, b'{"title": "\xc0\xaf"}'),
        (None, b'{"title": "\xed\xa0\x80"}'),
        (None, b'{"title": "\xf4\x90\x80\x80"}'),
        (None, b'{"title": "cut"}\xe2\x82'),
        (None, b'{"title": "cut\xe2\x82'),
        (None, b'\xef\xbb\xbf{"title": "bom"}'),
        ("utf-8", b'\xef\xbb\xbf{"title": "bom"}'),
        ("utf-8-sig", b'\xef\xbb\xbf{"title": "bom"}'),
        ("utf-8-sig", b'{"title": "no bom"}'),
        ("utf-8", json.dumps({"title": word}, ensure_ascii=False).encode("utf-8")),
        ("UTF8", json.dumps({"title": word}, ensure_ascii=False).encode("utf-8")),
        ("u8", json.dumps({"title": word}, ensure_ascii=False).encode("utf-8")),
        ("latin-1", '{"title": "café"}'.encode("latin-1")),
        ("latin1", '{"title": "café"}'.encode("latin-1")),
        ("ISO-8859-1", '{"title": "café ÿ"}'.encode("latin-1")),
        ("l1", '{"title": "café"}'.encode("latin-1")),
        ('"latin-1"', '{"title": "café"}'.encode("latin-1")),
        (" Latin_1 ", '{"title": "café"}'.encode("latin-1")),
        ("ascii", b'{"title": "plain"}'),
        ("ascii", '{"title": "café"}'.encode("latin-1")),
        ("us-ascii", b'{"title": "caf\x80"}'),
        ("cp1252", '{"title": "€uro ‘quoted’"}'.encode("cp1252")),
        ("windows-1252", '{"title": "€uro"}'.encode("cp1252")),
        ("cp1252", b'{"title": "\x81"}'),
        ("cp1250", '{"title": "Łódź"}'.encode("cp1250")),
        ("windows-1251", '{"title": "Отчёт"}'.encode("cp1251")),
        ("cp1253", '{"title": "Ωμέγα"}'.encode("cp1253")),
        ("cp1253", b'{"title": "\xaa"}'),
        ("cp1254", '{"title": "İstanbul"}'.encode("cp1254")),
        ("cp1255", '{"title": "שלום"}'.encode("cp1255")),
        ("cp1256", '{"title": "مرحبا"}'.encode("cp1256")),
        ("cp1257", '{"title": "Ąžuolas"}'.encode("cp1257")),
        ("cp1258", '{"title": "Đông Ơ ư"}'.encode("cp1258")),
        ("utf-16", json.dumps({"title": word}, ensure_ascii=False).encode("utf-16")),
        ("utf-16", json.dumps({"title": word}, ensure_ascii=False).encode("utf-16-be")),
        ("utf-16-le", json.dumps({"title": word}, ensure_ascii=False).encode("utf-16-le")),
        ("UTF-16BE", json.dumps({"title": word}, ensure_ascii=False).encode("utf-16-be")),
        ("utf-16-le", b'{\x00"\x00t\x00i\x00t\x00l\x00e\x00"\x00:\x00"\x00\x00\xdc"\x00}\x00'),
        ("utf-32", json.dumps({"title": word}, ensure_ascii=False).encode("utf-32")),
        ("utf-32", json.dumps({"title": word}, ensure_ascii=False).encode("utf-32-le")),
        ("utf-32-be", json.dumps({"title": word}, ensure_ascii=False).encode("utf-32-be")),
        ("utf-32-le", b'{\x00\x00\x00}\x00\x00\x00\x00\x00\x11\x00'),
        ("utf-8", json.dumps({"title": word}, ensure_ascii=False).encode("utf-16")),
        ("no-such-charset", json.dumps({"title": word}, ensure_ascii=False).encode("utf-8")),
        ("", json.dumps({"title": word}, ensure_ascii=False).encode("utf-8")),
        ("koi8-r", b'{"title": "plain ascii"}'),
    ]):
        ct = "application/json" if charset is None else "application/json; charset=" + charset
        add(post("charset %d" % i, raw(ct, data)))

    # content types as DRF's parsers match them
    for i, (ct, data) in enumerate([
        ("text/plain", b'{"title": "x"}'),
        ("application/xml; charset=utf-8", b"<title/>"),
        ("application/json-patch+json", b'{"title": "x"}'),
        ("application/jsonx", b'{"title": "x"}'),
        ("*/*", b'{"title": "any type"}'),
        ("application/*", b'{"title": "application wildcard"}'),
        ("*/json", b'{"title": "star json"}'),
        ("APPLICATION/JSON", b'{"title": "upper case"}'),
        ("application/json;", b'{"title": "trailing semicolon"}'),
        ("application/json ; charset = utf-8", b'{"title": "spaces"}'),
        ("application/json; charset=utf-8; charset=latin-1", '{"title": "é"}'.encode("latin-1")),
        ("application/json; foo=bar", b'{"title": "other parameter"}'),
        ("text/json", b'{"title": "x"}'),
        ("application", b'{"title": "x"}'),
        ("", b'{"title": "x"}'),
        ("application/x-www-form-urlencoded", b"title=Form+title"),
        ("application/x-www-form-urlencoded", b"title=caf%C3%A9+%F0%9F%98%80"),
        ("application/x-www-form-urlencoded", b"title=first&title=last"),
        ("application/x-www-form-urlencoded", b"title="),
        ("application/x-www-form-urlencoded", b"name=x"),
        ("application/x-www-form-urlencoded", b'{"title": "json in a form"}'),
        ("application/x-www-form-urlencoded; charset=utf-8", b"title=%E2%82%AC"),
        ("application/x-www-form-urlencoded; charset=latin-1", b"title=caf%E9"),
        ("application/x-www-form-urlencoded", b"title=caf%E9"),
        ("multipart/form-data; boundary=XyZ",
         b'--XyZ\r\nContent-Disposition: form-data; name="title"\r\n\r\nfrom multipart\r\n--XyZ--\r\n'),
        ("multipart/form-data; boundary=XyZ",
         b'--XyZ\r\nContent-Disposition: form-data; name="other"\r\n\r\nx\r\n--XyZ--\r\n'),
        ("multipart/form-data", b"title=x"),
    ]):
        add(post("content type %d" % i, raw(ct, data)))
    for i, ct in enumerate(["application/json", "text/plain", "application/xml",
                            "application/x-www-form-urlencoded", "multipart/form-data"]):
        add(post("empty body %d" % i, raw(ct, b"")))
    add(post("create through a suffix", json_body('{"title": "suffix"}'), path="/api/v1/tasks.json"))
    add(post("create through an api suffix", json_body('{"title": "api suffix"}'), path="/api/v1/tasks.api/"))
    add(post("create with format=json", json_body('{"title": "format json"}'), path=TASKS + "?format=json"))
    add(post("create as html", json_body('{"title": "html"}'), extra=[["Accept", "text/html"]]))
    add(post("bad json as html", json_body("{"), extra=[["Accept", "text/html"]]))
    add(post("invalid title as html", json_body('{"title": ""}'), extra=[["Accept", "text/html"]]))
    add(post("415 as html", raw("text/plain", b"x"), extra=[["Accept", "text/html"]]))
    add(post("create with indent", json_body('{"title": "indented"}'),
             extra=[["Accept", "application/json; indent=4"]]))
    add(post("create not acceptable", json_body('{"title": "never"}'),
             extra=[["Accept", "application/xml"]]))
    add(post("create with unknown format", json_body('{"title": "never"}'), path=TASKS + "?format=xml"))

    # lists over what exists now: statuses set by hand, pages and their links
    out.append({"setup": "status", "ids": [2, 3], "status": "done", "result": "success"})
    out.append({"setup": "status", "ids": [4], "status": "failed", "result": "error"})
    out.append({"setup": "status", "ids": [5, 6], "status": "processing", "result": None})
    for i, query in enumerate([
        "", "?page=1", "?page=2", "?page=3", "?page=last", "?page=0", "?page=-1", "?page=abc",
        "?page=", "?page=1.5", "?page=%201%20", "?page=%D9%A2", "?page=999", "?page=2&page=1",
        "?page_size=5", "?page_size=5&page=2", "?page_size=5&page=last", "?page_size=0",
        "?page_size=-1", "?page_size=abc", "?page_size=", "?page_size=100", "?page_size=101",
        "?page_size=1000", "?page_size=%2B3", "?page_size=3&page=2&other=x&b=%C3%A9",
        "?status=new", "?status=done", "?status=failed", "?status=processing", "?status=",
        "?status=bogus", "?status=NEW", "?status=done&status=new", "?status=new&page_size=2&page=2",
        "?status=%3Cscript%3E", "?cursor=", "?cursor=&page_size=5", "?cursor=!!!",
        "?cursor=cD0xMA%3D%3D", "?cursor=cj0xJnA9Mw%3D%3D", "?cursor=bz0yJnA9MjA%3D",
        "?cursor=bad", "?cursor=bz0tMQ%3D%3D", "?cursor=&status=new&page_size=3",
        "?format=json", "?format=", "?format=xml", "?format=json&format=api",
        "?unknown=1", "?page_size=2&format=json",
    ]):
        add(get("list %d" % i, TASKS + query))
    add(get("list json suffix", "/api/v1/tasks.json?page_size=2"))
    add(get("list json suffix with slash", "/api/v1/tasks.json/?page_size=2&page=2"))
    add(get("list unknown suffix", "/api/v1/tasks.xml"))
    add(get("list upper-case suffix", "/api/v1/tasks.JSON"))

    # retrieve
    for i, path in enumerate([
        "1/", "2/", "7/", "999999/", "0/", "-1/", "abc/", "1.json", "1.json/", "1.api", "1.xml",
        "1.5/", "1.5.5/", ".json", "%D9%A1/", "%201/", "1_0/", "+1/", "9223372036854775807/",
        "00001/", "1e3/",
    ]):
        add(get("retrieve %d" % i, TASKS + path))
    add(get("retrieve beyond bigint", TASKS + "99999999999999999999/"))

    # methods, HEAD and OPTIONS
    for method in ["PUT", "PATCH", "DELETE", "TRACE", "FOO"]:
        add(case("list %s" % method, method, TASKS))
        add(case("detail %s" % method, method, TASKS + "1/"))
    add(case("detail POST", "POST", TASKS + "1/", *json_body('{"title": "x"}').values()))
    add(case("missing detail DELETE", "DELETE", TASKS + "999999/"))
    add(case("suffix list PUT", "PUT", "/api/v1/tasks.json"))
    add(case("list PUT not acceptable", "PUT", TASKS, [["Accept", "application/xml"]]))
    add(case("list PUT as html", "PUT", TASKS, [["Accept", "text/html"]]))
    add(case("list HEAD", "HEAD", TASKS))
    add(case("detail HEAD", "HEAD", TASKS + "1/"))
    add(case("missing detail HEAD", "HEAD", TASKS + "999999/"))
    add(case("list HEAD as html", "HEAD", TASKS, [["Accept", "text/html"]]))
    add(case("list OPTIONS", "OPTIONS", TASKS))
    add(case("detail OPTIONS", "OPTIONS", TASKS + "1/"))
    add(case("missing detail OPTIONS", "OPTIONS", TASKS + "999999/"))
    add(case("suffix list OPTIONS", "OPTIONS", "/api/v1/tasks.json"))
    add(case("list OPTIONS as html", "OPTIONS", TASKS, [["Accept", "text/html"]]))
    add(case("list OPTIONS with indent", "OPTIONS", TASKS, [["Accept", "application/json; indent=2"]]))

    # content negotiation: Accept as DRF reads it (specific types first, q ignored)
    for i, accept in enumerate([
        "application/json", "application/json; indent=4", "application/json; indent=0",
        "application/json; indent=abc", "application/json; indent=20", "application/json; indent=-3",
        "application/json;indent=1", "*/*; indent=2", "application/*; indent=3",
        "text/html", "text/*", "*/*", "application/*", "text/html, application/json",
        "application/json, text/html", "application/json;q=0.1, text/html;q=0.9",
        "text/html;q=0.1, application/json;q=0.9", "text/html;level=1, application/json",
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "application/xml", "text/plain", "image/png, text/csv", "", ",", "text", "TEXT/HTML",
        "application/json;q=0", "text/html; indent=2", "text/html; indent=0",
        "application/xml, */*", "text/*, application/xml",
    ]):
        add(get("accept %d" % i, TASKS + "?page_size=2", [["Accept", accept]]))
    for i, (query, accept) in enumerate([
        ("?format=json", "text/html"), ("?format=api", "application/json"),
        ("?format=api", "text/*"), ("?format=json", "text/*"), ("?format=api", None),
        ("?format=xml", "text/html"), ("?format=json", "application/xml"),
    ]):
        headers = [] if accept is None else [["Accept", accept]]
        add(get("format and accept %d" % i, TASKS + query, headers))

    # the browsable API: pages of every view, and of errors
    html_accept = [["Accept", "text/html"]]
    add(get("list page", TASKS + "?page_size=3", html_accept))
    add(get("list page 2", TASKS + "?page_size=3&page=2", html_accept))
    add(get("list page with status", TASKS + "?status=done", html_accept))
    add(get("list page bad status", TASKS + "?status=bogus", html_accept))
    add(get("list page invalid page", TASKS + "?page=99", html_accept))
    add(get("list page cursor", TASKS + "?cursor=&page_size=2", html_accept))
    add(get("list api format", TASKS + "?page_size=2&format=api"))
    add(get("list api suffix", "/api/v1/tasks.api?page_size=2"))
    add(get("detail page", TASKS + "1/", html_accept))
    add(get("detail api suffix", TASKS + "1.api"))
    add(get("missing detail page", TASKS + "999999/", html_accept))
    add(get("not an id page", TASKS + "abc/", html_accept))
    add(get("detail page text star", TASKS + "2/", [["Accept", "text/*"]]))
    add(get("detail page browser", TASKS + "3/", [[
        "Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"]]))
    add(get("escaped title page", TASKS + "11/", html_accept))
    add(get("link title page", TASKS + "12/", html_accept))
    add(case("detail DELETE page", "DELETE", TASKS + "1/", html_accept))
    add(post("create form as a browser would", raw(
        "multipart/form-data; boundary=----form",
        b'------form\r\nContent-Disposition: form-data; name="title"\r\n\r\nfrom the page\r\n------form--\r\n'),
        extra=html_accept))

    # paths no DRF route matches: Django's 404 (the service answers JSON)
    for i, path in enumerate(["/api/v1/nothing/", "/api/v1/tasks/1/2/", "/api/v2/tasks/",
                              "/api/v1/tasks/1/cancelled/"]):
        add(get("no route %d" % i, path))

    queue_cases(out)
    bulk_cases(out)
    cancel_cases(out)

    # last, because DRF creates a task here and the service does not
    add(post("codec Python has and the service does not", raw(
        "application/json; charset=koi8-r", '{"title": "Отчёт"}'.encode("koi8-r")), deliberate={
        "status": 400,
        "why": "KOI8-R is not among the codecs decoded here: the body is read as UTF-8, which"
               " these bytes are not",
    }))
    return out


def form(text):
    return raw("application/x-www-form-urlencoded", text.encode("utf-8"))


def multipart(*fields):
    parts = b"".join(
        b'--XyZ\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
        % (name.encode("utf-8"), value.encode("utf-8")) for name, value in fields)
    return raw("multipart/form-data; boundary=XyZ", parts + b"--XyZ--\r\n")


def follow(name, earlier, link="next"):
    """A GET of the link an earlier case's answer gave (a cursor DRF wrote)."""
    def path(answers):
        url = answers[earlier][link]
        if url is None:
            raise SystemExit("%s: %s has no %s link" % (name, earlier, link))
        parts = urllib.parse.urlsplit(url)
        return parts.path + ("?" + parts.query if parts.query else "")
    return case(name, "GET", path)


def queue_cases(out):
    """queue, priority and run_after on create, and ?queue= on lists, over a fresh table."""
    add = out.append
    out.append({"setup": "reset"})
    # ids 1 to 12: valid values of each field, and several at once
    for i, body in enumerate([
        {"title": "in reports", "queue": "reports"},
        {"title": "in emails", "queue": "emails", "priority": 3},
        {"title": "in reports, urgent", "queue": "reports", "priority": 0},
        {"title": "scheduled", "queue": "reports", "priority": 9,
         "run_after": "2030-01-02T03:04:05Z"},
        {"title": "offset", "run_after": "2030-01-02T03:04:05+02:00"},
        {"title": "no offset", "run_after": "2030-01-02T03:04:05"},
        {"title": "date alone", "run_after": "2030-01-02"},
        {"title": "fractions", "run_after": "2030-01-02 03:04:05.123456-05:30"},
        {"title": "past", "queue": "emails", "run_after": "2001-02-03T04:05:06.5Z"},
        {"title": "explicit defaults", "queue": "default", "priority": 0, "run_after": None},
        {"title": "odd names", "queue": "a.b-c_d9"},
        {"title": "numbers as text", "queue": "7", "priority": "5"},
    ]):
        add(post("create with queue fields %d" % i, json_body(json.dumps(body))))
    # more spellings (ids 13 on; a lower-case "t" is not one DRF reads)
    for i, body in enumerate([
        '{"title": "long queue", "queue": "%s"}' % ("q" * 64),
        '{"title": "trimmed queue", "queue": "  reports  "}',
        '{"title": "number queue", "queue": 12}',
        '{"title": "float priority", "priority": 4.0}',
        '{"title": "padded priority", "priority": " 07 "}',
        '{"title": "decimal text priority", "priority": "2.000"}',
        '{"title": "utc offset", "run_after": "2030-06-01T00:00:00+00:00"}',
        '{"title": "lower-case t", "run_after": "2030-06-01t10:00:00z"}',
        '{"title": "basic format", "run_after": "20300601T100000Z"}',
        '{"title": "minutes only", "run_after": "2030-06-01T10:00"}',
        '{"title": "milliseconds", "run_after": "2030-06-01T10:00:00.001+01:00"}',
        '{"title": "leap day", "run_after": "2032-02-29T23:59:59Z"}',
    ]):
        add(post("create with queue field spellings %d" % i, json_body(body)))
    # invalid values: each field alone, then all together (errors in the serializer's order)
    for i, body in enumerate([
        '{"title": "x", "queue": ""}', '{"title": "x", "queue": "   "}',
        '{"title": "x", "queue": "Reports"}', '{"title": "x", "queue": "-x"}',
        '{"title": "x", "queue": ".x"}', '{"title": "x", "queue": "a b"}',
        '{"title": "x", "queue": "reports\\n"}', '{"title": "x", "queue": "caf\\u00e9"}',
        '{"title": "x", "queue": "%s"}' % ("q" * 65), '{"title": "x", "queue": null}',
        '{"title": "x", "queue": true}', '{"title": "x", "queue": ["a"]}',
        '{"title": "x", "queue": {"a": 1}}', '{"title": "x", "queue": "a\\u0000b"}',
        '{"title": "x", "priority": -1}', '{"title": "x", "priority": 10}',
        '{"title": "x", "priority": 1.5}', '{"title": "x", "priority": "abc"}',
        '{"title": "x", "priority": ""}', '{"title": "x", "priority": null}',
        '{"title": "x", "priority": true}', '{"title": "x", "priority": [1]}',
        '{"title": "x", "priority": 1e3}', '{"title": "x", "priority": 99999999999999999999}',
        '{"title": "x", "priority": "%s"}' % ("1" * 1001),
        '{"title": "x", "run_after": ""}', '{"title": "x", "run_after": "tomorrow"}',
        '{"title": "x", "run_after": "2030-13-01T00:00:00Z"}',
        '{"title": "x", "run_after": "2030-02-30"}', '{"title": "x", "run_after": "2030-01-01T24:00:00"}',
        '{"title": "x", "run_after": "2030-01-01T00:00:00+24:00"}',
        '{"title": "x", "run_after": 1893456000}', '{"title": "x", "run_after": true}',
        '{"title": "x", "run_after": ["2030-01-01"]}', '{"title": "x", "run_after": {}}',
        '{"title": "", "queue": "Bad", "priority": 10, "run_after": "soon"}',
        '{"queue": "reports", "priority": 1}',
        '{"title": null, "queue": null, "priority": null, "run_after": null}',
    ]):
        add(post("create with invalid queue fields %d" % i, json_body(body)))
    # forms: an empty optional field is "not sent"
    for i, spec in enumerate([
        form("title=form+fields&queue=reports&priority=3&run_after=2030-01-02T03%3A04%3A05Z"),
        form("title=form+empty+fields&queue=&priority=&run_after="),
        form("title=form+invalid&queue=Bad&priority=abc&run_after=never"),
        form("title=form+repeated&queue=emails&queue=reports&priority=1&priority=2"),
        form("title=form+queue+only&queue=emails"),
        form("title=form+priority+10&priority=10"),
        multipart(("title", "multipart fields"), ("queue", "emails"), ("priority", "8"),
                  ("run_after", "2030-01-02")),
        multipart(("title", "multipart invalid"), ("queue", "Bad Name"), ("priority", "-1")),
    ]):
        add(post("create form with queue fields %d" % i, spec))
    add(post("create with queue fields as html", json_body(
        '{"title": "page", "queue": "reports", "priority": 2, "run_after": "2030-01-02"}'),
        extra=[["Accept", "text/html"]]))
    add(post("create with invalid queue fields as html", json_body(
        '{"title": "page", "queue": "Bad", "priority": 20}'), extra=[["Accept", "text/html"]]))

    out.append({"setup": "status", "ids": [1, 2], "status": "done", "result": "success"})
    out.append({"setup": "status", "ids": [3], "status": "processing", "result": None})
    out.append({"setup": "status", "ids": [9], "status": "failed", "result": "error"})
    for i, query in enumerate([
        "?queue=reports", "?queue=emails", "?queue=default", "?queue=", "?queue=nothing",
        "?queue=Reports", "?queue=%20reports", "?queue=reports%20", "?queue=7", "?queue=a.b-c_d9",
        "?queue=emails&queue=reports", "?queue=reports&queue=", "?queue=reports&status=new",
        "?queue=reports&status=done", "?status=processing&queue=reports", "?queue=emails&status=failed",
        "?queue=reports&status=bogus", "?queue=Bad%20Name&status=bogus", "?queue=reports&status=",
        "?status=cancelled", "?status=cancelled&queue=reports", "?queue=reports&page_size=2",
        "?queue=reports&page_size=2&page=2", "?queue=reports&page_size=2&page=last",
        "?queue=reports&page_size=2&page=9", "?queue=%3Cscript%3E", "?queue=caf%C3%A9",
        "?queue=reports&format=json", "?cursor=&queue=reports", "?queue=default&cursor=&page_size=3",
        "?cursor=&queue=default&status=new&page_size=2", "?cursor=&queue=nothing",
        "?cursor=&status=done&queue=reports", "?queue=%C2%A0reports%E3%80%80", "?queue=%0Areports%09",
        "?queue=%20", "?queue=a%00b", "?queue=%00", "?status=bogus&queue=a%00b", "?cursor=&queue=a%00b",
        "?queue=%FF", "?queue=reports&queue=a%00b", "?queue=a%00b&queue=reports",
    ]):
        add(get("list by queue %d" % i, TASKS + query))
    add(get("cursor by queue first", TASKS + "?cursor=&queue=default&page_size=3"))
    add(follow("cursor by queue second", "cursor by queue first"))
    add(follow("cursor by queue third", "cursor by queue second"))
    add(follow("cursor by queue back", "cursor by queue third", "previous"))
    add(get("cursor by queue and status first", TASKS + "?cursor=&queue=reports&status=new&page_size=1"))
    add(follow("cursor by queue and status second", "cursor by queue and status first"))
    add(get("list by queue json suffix", "/api/v1/tasks.json?queue=emails"))
    add(get("list by queue page", TASKS + "?queue=emails", [["Accept", "text/html"]]))
    # retrieve takes the list's filters, as DRF's get_object does
    for i, query in enumerate([
        "4/?queue=reports", "4/?queue=emails", "4/?queue=", "1/?status=done", "1/?status=new",
        "1/?status=bogus", "4/?queue=reports&status=new", "4.json?queue=emails",
    ]):
        add(get("retrieve with filters %d" % i, TASKS + query))
    for name in ["4/", "5/", "6/", "7/", "8/", "13/", "18/", "21/"]:
        add(get("retrieve with queue fields %s" % name.rstrip("/"), TASKS + name))


def bulk_cases(out):
    """The reference's bulk action: TaskSerializer(many=True, allow_empty=False, max_length=1000)."""
    add = out.append
    bulk = TASKS + "bulk/"
    out.append({"setup": "reset"})
    for i, body in enumerate([
        '[{"title": "first"}, {"title": "second", "queue": "reports", "priority": 2,'
        ' "run_after": "2030-01-02T03:04:05+01:00"}, {"title": "third"}]',
        '[{"title": "alone"}]',
        '[{"title": "ignored fields", "id": 99, "status": "done", "result": "x"}]',
        '[{"title": 42}, {"title": "  trimmed  ", "queue": " emails "}]',
    ]):
        add(post("bulk %d" % i, json_body(body), path=bulk))
    add(get("list after bulk", TASKS))
    # per-item errors: nothing is created
    for i, body in enumerate([
        '[{"title": "ok"}, {"title": ""}]',
        '[{"title": "ok"}, {}]',
        '[{"title": "x", "priority": 10}, {"queue": "Bad"}, {"title": "fine"}]',
        '[{"title": "", "queue": "Bad", "priority": -1, "run_after": "never"}]',
        '[null]', '[{"title": "ok"}, null]', '["title"]', '[42]', '[[{"title": "x"}]]', '[[]]',
        '[true, {"title": "ok"}, 1.5]', '[{"title": "ok"}, {"title": null}]',
    ]):
        add(post("bulk invalid items %d" % i, json_body(body), path=bulk))
    # what is not a list of items
    for i, body in enumerate([
        "[]", "{}", '{"title": "x"}', '"text"', "42", "1.5", "true", "null",
        '{"0": {"title": "x"}}', "[", "[{\"title\": \"x\"},]",
    ]):
        add(post("bulk not a list %d" % i, json_body(body), path=bulk))
    add(post("bulk 1000 items", json_body(json.dumps(
        [{"title": "item %d" % n} for n in range(1000)])), path=bulk))
    add(post("bulk 1000 items, the last invalid", json_body(json.dumps(
        [{"title": "item %d" % n} for n in range(999)] + [{"title": ""}])), path=bulk))
    add(post("bulk 1001 items", json_body(json.dumps(
        [{"title": "item %d" % n} for n in range(1001)])), path=bulk))
    add(post("bulk 1001 invalid items", json_body(json.dumps([{}] * 1001)), path=bulk))
    # HTML-form lists
    for i, spec in enumerate([
        form("[0]title=form+a&[1]title=form+b"),
        form("[1]title=second&[0]title=first"),
        form("[0]title=a&[0]queue=reports&[0]priority=3&[0]run_after=2030-01-02&[1]title=b"),
        form("[0]title=gap&[5]title=after+the+gap"),
        form("[00]title=zero&[0]queue=emails"),
        form("[0]title=ok&[1]title="),
        form("[0]title=ok&[1]queue=Bad&[1]priority=x"),
        form("[0]=just+text"),
        form("title=not+a+list"),
        form(""),
        form("[0]title=x&title=y"),
        form("[a]title=x"),
        form("[0]title=x&[0]title=y"),
        form("[0]title=a&[0]queue=&[0]priority=&[0]run_after="),
        multipart(("[0]title", "multipart a"), ("[1]title", "multipart b"), ("[1]queue", "emails")),
        multipart(("[0]title", ""), ("[1]title", "ok")),
        multipart(("title", "no list")),
    ]):
        add(post("bulk form %d" % i, spec, path=bulk))
    # the route: methods, suffixes, content types, negotiation
    for method in ["GET", "PUT", "PATCH", "DELETE", "HEAD"]:
        add(case("bulk %s" % method, method, bulk))
    add(case("bulk OPTIONS", "OPTIONS", bulk))
    add(get("bulk GET as html", bulk, [["Accept", "text/html"]]))
    # DefaultRouter routes the action's suffix, but the action takes no `format` argument (the
    # valid one comes last: DRF creates nothing there, the service does)
    add(post("bulk json suffix with slash", json_body('[{"title": ""}]'),
             path="/api/v1/tasks/bulk.json/", deliberate=bulk_suffix_500(400)))
    add(post("bulk unknown suffix", json_body('[{"title": "never"}]'), path="/api/v1/tasks/bulk.xml"))
    add(case("bulk suffix GET", "GET", "/api/v1/tasks/bulk.json"))
    add(case("bulk unknown suffix GET", "GET", "/api/v1/tasks/bulk.xml"))
    add(case("bulk suffix OPTIONS", "OPTIONS", "/api/v1/tasks/bulk.json"))
    add(post("bulk with format=json", json_body('[{"title": "format"}]'), path=bulk + "?format=json"))
    add(post("bulk with unknown format", json_body('[{"title": "never"}]'), path=bulk + "?format=xml"))
    add(post("bulk as html", json_body('[{"title": "page"}, {"title": "page 2"}]'), path=bulk,
             extra=[["Accept", "text/html"]]))
    add(post("bulk invalid as html", json_body('[{"title": ""}]'), path=bulk,
             extra=[["Accept", "text/html"]]))
    add(post("bulk not acceptable", json_body('[{"title": "never"}]'), path=bulk,
             extra=[["Accept", "application/xml"]]))
    add(post("bulk with indent", json_body('[{"title": "indented"}]'), path=bulk,
             extra=[["Accept", "application/json; indent=2"]]))
    add(post("bulk text/plain", raw("text/plain", b'[{"title": "x"}]'), path=bulk))
    add(post("bulk charset latin-1", raw("application/json; charset=latin-1",
                                          '[{"title": "café"}]'.encode("latin-1")), path=bulk))
    add(post("bulk bad utf-8", raw("application/json", b'[{"title": "\xff"}]'), path=bulk))
    for i, ct in enumerate(["application/json", "application/x-www-form-urlencoded",
                            "multipart/form-data"]):
        add(post("bulk empty body %d" % i, raw(ct, b""), path=bulk))
    add(post("bulk on a task", json_body('[{"title": "x"}]'), path=TASKS + "1/bulk/"))
    add(get("list after every bulk", TASKS + "?page_size=5"))
    add(get("count after every bulk", TASKS + "?page_size=1&page=last"))
    add(post("bulk json suffix", json_body('[{"title": "suffix"}]'), path="/api/v1/tasks/bulk.json",
             deliberate=bulk_suffix_500(201)))


def bulk_suffix_500(status):
    return {
        "status": status,
        "why": "DRF calls the bulk action with a format argument it does not take: a TypeError,"
               " a 500; here the suffix route is the action's, as DefaultRouter lays it out",
    }


def cancel_cases(out):
    """The reference's cancel actions: one task, and every waiting task (of one queue)."""
    add = out.append
    out.append({"setup": "reset"})
    for i, body in enumerate([
        '{"title": "a"}', '{"title": "b"}', '{"title": "c"}', '{"title": "d", "queue": "reports"}',
        '{"title": "e", "queue": "reports", "run_after": "2030-01-01"}', '{"title": "f"}',
        '{"title": "g"}', '{"title": "h", "queue": "emails"}',
    ]):
        add(post("create to cancel %d" % i, json_body(body)))
    out.append({"setup": "status", "ids": [2], "status": "processing", "result": None})
    out.append({"setup": "status", "ids": [3], "status": "done", "result": "success"})
    for i, path in enumerate([
        "1/cancel/", "2/cancel/", "3/cancel/", "1/cancel/", "999999/cancel/", "abc/cancel/",
        "6/cancel/?queue=reports", "6/cancel/?status=bogus",
    ]):
        add(case("cancel %d" % i, "POST", TASKS + path))
    # the suffix routes: DefaultRouter has them, the actions take no `format` argument
    add(case("cancel json suffix", "POST", TASKS + "1/cancel.json",
             deliberate=cancel_suffix_500(409)))
    add(case("cancel unknown suffix", "POST", TASKS + "1/cancel.xml"))
    add(case("cancel unknown suffix GET", "GET", TASKS + "1/cancel.xml"))
    add(case("cancel suffix GET", "GET", TASKS + "1/cancel.json"))
    add(case("cancel suffix OPTIONS", "OPTIONS", TASKS + "1/cancel.json"))
    add(case("cancel all unknown suffix", "POST", "/api/v1/tasks/cancel.xml"))
    add(case("cancel all suffix GET", "GET", "/api/v1/tasks/cancel.json"))
    add(case("cancel all suffix OPTIONS", "OPTIONS", "/api/v1/tasks/cancel.json"))
    for method in ["GET", "PUT", "DELETE"]:
        add(case("cancel %s" % method, method, TASKS + "1/cancel/"))
        add(case("cancel all %s" % method, method, TASKS + "cancel/"))
    add(case("cancel OPTIONS", "OPTIONS", TASKS + "1/cancel/"))
    add(case("cancel as html", "POST", TASKS + "6/cancel/", [["Accept", "text/html"]]))
    add(case("cancel with a body", "POST", TASKS + "4/cancel/",
             *json_body('{"status": "done"}').values()))
    add(case("cancel all of a queue", "POST", TASKS + "cancel/?queue=reports"))
    add(case("cancel all of no queue", "POST", TASKS + "cancel/?queue=nothing"))
    add(case("cancel all", "POST", TASKS + "cancel/"))
    add(case("cancel all again", "POST", TASKS + "cancel/"))
    add(case("cancel all json suffix", "POST", "/api/v1/tasks/cancel.json",
             deliberate=cancel_suffix_500(200)))
    add(get("list cancelled", TASKS + "?status=cancelled"))
    add(get("list cancelled of a queue", TASKS + "?status=cancelled&queue=reports"))


def cancel_suffix_500(status):
    return {
        "status": status,
        "why": "DRF calls the cancel action with a format argument it does not take: a TypeError,"
               " a 500; here the suffix route is the action's, as DefaultRouter lays it out",
    }


# ---------------------------------------------------------------------------------------------
# recording


def json_text(text):
    """DRF's JSON, masked."""
    return mask(text) if text else text


def pre_text(page, css_class):
    found = re.search(r'<div class="%s"[^>]*>\s*<pre[^>]*>(.*?)</pre>' % css_class, page, re.S)
    if not found:
        raise SystemExit("no %s in the page" % css_class)
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1)))


def page_body(page):
    """What DRF's page shows: request line, status line, some headers, the JSON."""
    lines = pre_text(page, "response-info").split("\n")
    status, headers, at = lines[0], {}, 1
    while at < len(lines) and re.match(r"^[A-Za-z][A-Za-z0-9-]*: ", lines[at]):
        name, value = lines[at].split(": ", 1)
        if name in PAGE_HEADERS:
            headers[name] = value
        at += 1
    if at < len(lines) and lines[at] == "":
        at += 1  # the blank line between the headers and the JSON
    return {
        "request": pre_text(page, "request-info"),
        "status": status,
        "headers": headers,
        "content": json_text("\n".join(lines[at:])),
    }


def send(c, answers):
    """DRF's answer, as recorded; its JSON, unmasked, goes into answers under the case's name."""
    url = urllib.parse.urlsplit(REF_URL)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    headers = {"Host": HOST}
    for name, value in c["headers"]:
        headers[name] = value
    conn.request(c["method"], c["path"], body=c["body"], headers=headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    answer = {"status": response.status, "headers": {}}
    for name in KEPT_HEADERS:
        if response.getheader(name) is not None:
            answer["headers"][name] = response.getheader(name)
    content_type = response.getheader("Content-Type") or ""
    text = data.decode("utf-8", "replace")
    if c["method"] == "HEAD" or not data:
        answer["kind"], answer["body"] = "empty", None
    elif content_type.startswith("application/json"):
        answer["kind"], answer["body"] = "json", json_text(text)
        answers[c["name"]] = json.loads(text)
    elif 'class="response-info"' in text:
        answer["kind"], answer["body"] = "page", page_body(text)
    elif response.status == 404 and "The requested resource was not found" in text:
        answer["kind"], answer["body"] = "django-404", None
    else:
        answer["kind"], answer["body"] = "other", text[:500]
    return answer


def setup(step):
    if step["setup"] == "reset":
        sql = "TRUNCATE tasks_task RESTART IDENTITY"
    else:
        result = "NULL" if step["result"] is None else "'%s'" % step["result"]
        sql = "UPDATE tasks_task SET status = '%s', result = %s WHERE id IN (%s)" % (
            step["status"], result, ", ".join(str(i) for i in step["ids"]))
    subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", REF_DB, "-c", sql],
                   check=True)


def main():
    names = set()
    answers = {}
    for c in cases():
        if "setup" in c:
            setup(c)
            sys.stdout.write(json.dumps(c) + "\n")
            continue
        if c["name"] in names:
            raise SystemExit("two cases named " + c["name"])
        names.add(c["name"])
        if callable(c["path"]):
            c["path"] = c["path"](answers)
        record = {
            "name": c["name"],
            "request": {
                "method": c["method"],
                "path": c["path"],
                "headers": c["headers"],
                "body": None if c["body"] is None else base64.b64encode(c["body"]).decode("ascii"),
            },
            "answer": send(c, answers),
        }
        if "deliberate" in c:
            record["deliberate"] = c["deliberate"]
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
