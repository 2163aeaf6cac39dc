"""Network faults, each against a small local HTTP server that misbehaves on purpose:
timeouts, 429/503 with and without Retry-After, refusal, malformed answers, syntax errors,
an unreachable port; and what personkg sends (User-Agent, basic auth from the environment)."""

from __future__ import annotations

import base64
import itertools
import time
import tracemalloc

import pytest
from servers import Reply, free_port, misbehaving_server, select_json

from conftest import REPO
from personkg import httpclient
from personkg.errors import DataError, RunError
from personkg.remote import USER_AGENT, Endpoint

JSON_CT = {"Content-Type": "application/sparql-results+json"}
Q = "SELECT ?x WHERE { ?x ?p ?o }"


def _ok(_req, _n):
    return Reply(200, select_json("x", ["a", "b"]), JSON_CT)


def _endpoint(url: str, **kw) -> tuple[Endpoint, list[float]]:
    waits: list[float] = []
    return Endpoint(url, sleep=waits.append, **kw), waits


def test_query_sends_a_descriptive_user_agent(run):
    with misbehaving_server(_ok) as (url, seen):
        result = run("query", Q, "--endpoint", f"{url}/sparql", "--format", "csv")
    assert result.code == 0 and result.out.splitlines() == ["x", "a", "b"]
    assert seen[0].method == "POST" and seen[0].headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("personkg/")


def test_503_with_retry_after_is_retried_after_the_given_wait():
    def behaviour(_req, n):
        if n <= 2:
            return Reply(503, "busy", {"Retry-After": "7"})
        return _ok(_req, n)

    with misbehaving_server(behaviour) as (url, seen):
        ep, waits = _endpoint(f"{url}/sparql")
        rows = [sol["x"].value for sol in ep.query(Q)]
    assert rows == ["a", "b"] and len(seen) == 3 and waits == [7.0, 7.0]


def test_429_without_retry_after_backs_off_then_gives_up_in_one_line():
    with misbehaving_server(lambda r, n: Reply(429, "slow down")) as (url, seen):
        ep, waits = _endpoint(f"{url}/sparql", retries=3)
        with pytest.raises(RunError) as err:
            ep.query(Q)
    assert waits == [1.0, 2.0, 4.0] and len(seen) == 4
    msg = str(err.value)
    assert "\n" not in msg and "after 4 attempts" in msg and "HTTP 429" in msg


def test_retries_are_bounded_by_the_cli_option(run):
    def behaviour(_req, n):
        return Reply(503, "", {"Retry-After": "0"})

    with misbehaving_server(behaviour) as (url, seen):
        result = run("query", Q, "--endpoint", f"{url}/sparql", "--retries", "2")
    assert result.code == 2 and len(seen) == 3
    assert result.err.count("\n") == 1 and "HTTP 503" in result.err


def test_a_slow_server_times_out_with_one_line(run):
    with misbehaving_server(lambda r, n: Reply(200, select_json("x", []), JSON_CT, delay=3)) \
            as (url, _seen):
        result = run("query", Q, "--endpoint", f"{url}/sparql", "--timeout", "1")
    assert result.code == 2 and result.err.count("\n") == 1
    assert "no answer within 1 s" in result.err and "Traceback" not in result.err


def test_malformed_results_are_reported_not_printed(run):
    bad = Reply(200, '{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": ', JSON_CT)
    with misbehaving_server(lambda r, n: bad) as (url, _seen):
        result = run("query", Q, "--endpoint", f"{url}/sparql")
    assert result.code == 2 and result.out == "" and result.err.count("\n") == 1
    assert "malformed response" in result.err


def test_html_instead_of_results_is_malformed(run):
    html = Reply(200, "<html><body>Welcome</body></html>", {"Content-Type": "text/html"})
    with misbehaving_server(lambda r, n: html) as (url, _seen):
        result = run("query", Q, "--endpoint", f"{url}/sparql")
    assert result.code == 2 and "malformed response (text/html)" in result.err


def test_a_syntax_error_gives_the_servers_line_and_column_in_the_users_text():
    # the server counts lines of what it received: 15 predeclared PREFIX lines + the query
    body = "Parse error at 17:5: expected a variable"
    with misbehaving_server(lambda r, n: Reply(400, body)) as (url, _seen):
        ep, _ = _endpoint(f"{url}/sparql")
        with pytest.raises(DataError) as err:
            ep.query("PREFIX ...\n" * 15 + "SELECT ?x\nWHERE {\n ?x }", prefix_lines=15)
    assert "line 2, column 5" in str(err.value) and "\n" not in str(err.value)


def test_an_unreachable_endpoint_is_one_line(run):
    result = run("query", Q, "--endpoint", f"http://127.0.0.1:{free_port()}/sparql")
    assert result.code == 2 and result.err.count("\n") == 1
    assert "cannot reach the server" in result.err


def test_not_an_http_url_exits_2(run):
    result = run("query", Q, "--endpoint", "ftp://example.org/sparql")
    assert result.code == 2 and "not an http(s) URL" in result.err


def test_publish_uses_basic_auth_from_the_environment(run, monkeypatch):
    expected = "Basic " + base64.b64encode(b"editor:s3cret").decode()

    def behaviour(req, _n):
        if req.headers.get("Authorization") != expected:
            return Reply(401, "who are you?", {"WWW-Authenticate": "Basic"})
        return Reply(204)

    with misbehaving_server(behaviour) as (url, seen):
        refused = run("publish", "--data", str(REPO / "tests/fixtures/mini"), "--endpoint",
                      f"{url}/store")
        assert refused.code == 2 and "HTTP 401" in refused.err
        monkeypatch.setenv("KG_AUTH", "editor:s3cret")
        ok = run("publish", "--data", str(REPO / "tests/fixtures/mini"), "--endpoint",
                 f"{url}/store", "--auth-env", "KG_AUTH", "--graph", "https://example.org/g")
    assert ok.code == 0, ok.err
    put = seen[-1]
    assert put.method == "PUT" and put.path == "/store?graph=https%3A%2F%2Fexample.org%2Fg"
    assert put.headers["Content-Type"].startswith("application/n-triples")
    assert put.body.decode().count(" .\n") > 10
    assert "s3cret" not in ok.out + ok.err


def test_publish_with_a_missing_auth_variable_sends_nothing(run, monkeypatch):
    monkeypatch.delenv("KG_AUTH", raising=False)
    with misbehaving_server(lambda r, n: Reply(204)) as (url, seen):
        result = run("publish", "--data", str(REPO / "tests/fixtures/mini"), "--endpoint",
                     f"{url}/store", "--auth-env", "KG_AUTH")
    assert result.code == 2 and "KG_AUTH is not set" in result.err and seen == []


def test_publish_retries_on_503(run):
    def behaviour(_req, n):
        return Reply(503, "", {"Retry-After": "0"}) if n == 1 else Reply(201)

    with misbehaving_server(behaviour) as (url, seen):
        result = run("publish", "--data", str(REPO / "tests/fixtures/mini"), "--endpoint",
                     f"{url}/store", "--default-graph")
    assert result.code == 0 and len(seen) == 2 and seen[1].path == "/store?default"
    assert "the default graph" in result.out


# ------------------------------------------------------------ hostile servers and URLs
# Credentials go only to the origin they were given for; an answer is bounded in time (a
# total deadline, not a per-read timeout) and in size; bad options and URLs are one line.

MINI = str(REPO / "tests/fixtures/mini")
BASIC = "Basic " + base64.b64encode(b"editor:s3cret").decode()


def _one_line(result) -> bool:
    return result.err.count("\n") == 1 and "Traceback" not in result.err


@pytest.mark.parametrize("host", ["127.0.0.1:{other}", "localhost:{port}"])
def test_a_redirect_to_another_origin_does_not_carry_the_credentials(run, monkeypatch, host):
    monkeypatch.setenv("KG_AUTH", "editor:s3cret")
    with misbehaving_server(lambda r, n: Reply(204)) as (elsewhere, elsewhere_seen):
        other = elsewhere.rsplit(":", 1)[1]

        def behaviour(req, _n):
            if req.path.startswith("/moved"):
                return Reply(204)
            return Reply(307, "", {"Location": f"http://{target}/moved?default"})

        with misbehaving_server(behaviour) as (url, seen):
            port = url.rsplit(":", 1)[1]
            target = host.format(other=other, port=port)
            result = run("publish", "--data", MINI, "--endpoint", f"{url}/store",
                         "--auth-env", "KG_AUTH", "--default-graph")
    assert result.code == 0, result.err
    assert seen[0].headers.get("Authorization") == BASIC  # the origin it was given for
    landed = elsewhere_seen if host.startswith("127") else seen[1:]
    assert len(landed) == 1 and landed[0].method == "PUT" and landed[0].body
    assert "Authorization" not in landed[0].headers
    assert "s3cret" not in result.out + result.err


def test_a_redirect_within_the_origin_keeps_the_credentials(monkeypatch):
    monkeypatch.setenv("KG_AUTH", "editor:s3cret")

    def behaviour(req, _n):
        if req.path.startswith("/sparql"):
            return Reply(308, "", {"Location": "/moved"})
        return _ok(req, _n)

    with misbehaving_server(behaviour) as (url, seen):
        rows = [s["x"].value for s in Endpoint(f"{url}/sparql", auth_env="KG_AUTH").query(Q)]
    assert rows == ["a", "b"] and [r.path for r in seen] == ["/sparql", "/moved"]
    assert all(r.headers.get("Authorization") == BASIC and r.method == "POST" for r in seen)


def test_redirects_are_bounded(run):
    with misbehaving_server(lambda r, n: Reply(302, "", {"Location": f"/again{n}"})) \
            as (url, seen):
        result = run("query", Q, "--endpoint", f"{url}/sparql")
    assert result.code == 2 and _one_line(result) and "more than 5 redirects" in result.err
    assert len(seen) == 6


def test_a_redirect_away_from_http_is_refused(run):
    with misbehaving_server(lambda r, n: Reply(302, "", {"Location": "file:///etc/passwd"})) \
            as (url, _seen):
        result = run("query", Q, "--endpoint", f"{url}/sparql")
    assert result.code == 2 and _one_line(result) and "not http(s)" in result.err


@pytest.mark.parametrize("command", ["query", "publish"])
def test_credentials_in_the_endpoint_url_are_refused_and_not_repeated(run, command):
    url = "http://editor:s3cret@127.0.0.1:9/sparql"
    args = [Q] if command == "query" else ["--data", MINI]
    result = run(command, *args, "--endpoint", url)
    assert result.code == 2 and _one_line(result)
    assert "--auth-env" in result.err and "s3cret" not in result.err
    assert "editor" not in result.err


def test_an_endpoint_does_not_show_credentials_in_its_repr(monkeypatch):
    monkeypatch.setenv("KG_AUTH", "editor:s3cret")
    ep = Endpoint("http://127.0.0.1:9/sparql", auth_env="KG_AUTH")
    assert "s3cret" not in repr(ep) and "s3cret" not in repr(ep.client)


@pytest.mark.parametrize("length", [None, "1000"])
def test_a_trickling_body_is_cut_at_the_deadline(run, length):
    headers = dict(JSON_CT, **({"Content-Length": length} if length else {}))
    trickle = Reply(200, headers=headers, pieces=(b" " for _ in range(60)), pause=0.5)
    with misbehaving_server(lambda r, n: trickle) as (url, _seen):
        start = time.monotonic()
        result = run("query", Q, "--endpoint", f"{url}/sparql", "--timeout", "2")
        elapsed = time.monotonic() - start
    assert result.code == 2 and _one_line(result) and "no answer within 2 s" in result.err
    assert 1.5 < elapsed < 5


def test_trickling_headers_are_cut_at_the_deadline(run):
    pieces = [b"HTTP/1.0 200 OK\r\n"] + [b"X" for _ in range(60)]
    trickle = Reply(pieces=pieces, pause=0.5, raw=True)
    with misbehaving_server(lambda r, n: trickle) as (url, _seen):
        start = time.monotonic()
        result = run("publish", "--data", MINI, "--endpoint", f"{url}/store", "--timeout", "2")
        elapsed = time.monotonic() - start
    assert result.code == 2 and _one_line(result) and "no answer within 2 s" in result.err
    assert elapsed < 5


def test_an_endless_body_is_cut_by_the_size_cap_in_bounded_memory(run, monkeypatch):
    monkeypatch.setattr(httpclient, "MAX_RESPONSE_BYTES", 2**20)
    endless = Reply(200, headers=JSON_CT, pieces=itertools.repeat(b"x" * 65536, 4096))
    with misbehaving_server(lambda r, n: endless) as (url, _seen):
        start = time.monotonic()
        tracemalloc.start()
        try:
            result = run("query", Q, "--endpoint", f"{url}/sparql", "--timeout", "20")
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        elapsed = time.monotonic() - start
    assert result.code == 2 and _one_line(result) and "larger than 1 MiB" in result.err
    assert peak < 16 * 2**20 and elapsed < 10


def test_a_declared_length_over_the_cap_is_refused_before_reading(run, monkeypatch):
    monkeypatch.setattr(httpclient, "MAX_RESPONSE_BYTES", 2**20)
    huge = Reply(200, headers=dict(JSON_CT, **{"Content-Length": str(2**40)}),
                 pieces=[b"{"], pause=0)
    with misbehaving_server(lambda r, n: huge) as (url, _seen):
        result = run("query", Q, "--endpoint", f"{url}/sparql")
    assert result.code == 2 and _one_line(result) and "larger than 1 MiB" in result.err


@pytest.mark.parametrize("option", [("--timeout", "nan"), ("--timeout", "inf"),
                                    ("--timeout", "0"), ("--timeout", "-1"),
                                    ("--retries", "-1"), ("--retries", "11")])
def test_timeouts_and_retries_out_of_range_exit_2(run, option):
    result = run("query", Q, "--endpoint", "http://127.0.0.1:9/sparql", *option)
    assert result.code == 2 and _one_line(result) and option[0] in result.err


@pytest.mark.parametrize("url", ["http://[::1", "http://[::1/sparql", "ftp://example.org/x",
                                 "http://", "http:///sparql", "http://host:99999/",
                                 "http://ho st/sparql", "sparql"])
def test_malformed_endpoint_urls_exit_2_in_one_line(run, url):
    result = run("query", Q, "--endpoint", url)
    assert result.code == 2 and _one_line(result), result.err
    publish = run("publish", "--data", MINI, "--endpoint", url)
    assert publish.code == 2 and _one_line(publish), publish.err


def test_the_library_refuses_bad_limits_too():
    for kw in ({"timeout": float("nan")}, {"timeout": float("inf")}, {"retries": 11}):
        with pytest.raises(RunError):
            Endpoint("http://127.0.0.1:9/sparql", **kw)


def test_retry_after_is_bounded_and_an_unreadable_one_falls_back_to_backoff():
    answers = iter([Reply(503, "", {"Retry-After": "3600"}),
                    Reply(429, "", {"Retry-After": "soon"})])

    def behaviour(req, n):
        return next(answers, None) or _ok(req, n)

    with misbehaving_server(behaviour) as (url, seen):
        ep, waits = _endpoint(f"{url}/sparql")
        rows = [sol["x"].value for sol in ep.query(Q)]
    assert rows == ["a", "b"] and len(seen) == 3
    assert waits == [httpclient.MAX_WAIT, 2.0]


def test_what_a_server_says_about_a_cut_answer_is_one_safe_line_each(run):
    # the headers Virtuoso sends for an answer cut at its row cap and for an anytime answer,
    # from a server that also puts a terminal escape in its message
    headers = {**JSON_CT, "X-SPARQL-MaxRows": "2", "X-SQL-State": "S1TAT",
               "X-SQL-Message": "RC...: Returning incomplete results\x1b[2J.  Activity: 1 rnd"}
    with misbehaving_server(lambda _r, _n: Reply(200, select_json("x", ["a", "b"]),
                                                 headers)) as (url, _):
        result = run("query", Q, "--endpoint", f"{url}/sparql", "--format", "csv")
    assert result.code == 0 and result.out.splitlines() == ["x", "a", "b"]
    lines = result.err.splitlines()
    assert len(lines) == 2 and all(ln.startswith(f"personkg: warning: {url}/sparql: ")
                                   for ln in lines)
    assert "it has 2 rows and the server sends at most 2" in lines[0]
    assert "incomplete" in lines[1] and "\x1b" not in result.err and "Activity" not in lines[1]
    with misbehaving_server(_ok) as (url, _):  # no such header: no warning
        assert run("query", Q, "--endpoint", f"{url}/sparql").err == ""
