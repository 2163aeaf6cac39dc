"""HTTP digest authentication (RFC 7616) for `--auth-method digest|auto`: the answers of
the RFC's own examples, and what personkg sends to a local server that asks for it."""

from __future__ import annotations

import hashlib
import re

import pytest
from servers import Reply, misbehaving_server

from conftest import REPO
from personkg.errors import RunError
from personkg.httpclient import Challenge, challenges, digest_authorization
from personkg.remote import Endpoint

MINI = str(REPO / "tests/fixtures/mini")

# RFC 7616, section 3.9.1
RFC = {"realm": "http-auth@example.org", "qop": "auth, auth-int",
       "nonce": "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
       "opaque": "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"}
CNONCE = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"


@pytest.mark.parametrize(("algorithm", "response"), [
    ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
    ("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1")])
def test_the_rfc_examples(algorithm, response):
    answer = digest_authorization(Challenge("digest", {**RFC, "algorithm": algorithm}),
                                  "Mufasa", "Circle of Life", "GET", "/dir/index.html",
                                  1, CNONCE)
    assert f'response="{response}"' in answer
    assert 'qop=auth, nc=00000001' in answer and f'opaque="{RFC["opaque"]}"' in answer


def test_unsupported_algorithm_and_qop_are_refused():
    with pytest.raises(RunError, match="algorithm"):
        digest_authorization(Challenge("digest", {"nonce": "n", "algorithm": "SHA-512-256"}),
                             "u", "p", "GET", "/")
    with pytest.raises(RunError, match="qop"):
        digest_authorization(Challenge("digest", {"nonce": "n", "qop": "auth-int"}),
                             "u", "p", "GET", "/")


def test_challenges_are_parsed_from_one_header():
    virtuoso = ('Digest realm="SPARQL", domain="/sparql-graph-crud-auth", nonce="11d9", '
                'opaque="5ebe", stale="false", qop="auth", algorithm="MD5"')
    [digest] = challenges(virtuoso)
    assert digest.scheme == "digest" and digest.params["nonce"] == "11d9"
    assert digest.params["qop"] == "auth" and digest.params["algorithm"] == "MD5"
    several = challenges('Basic realm="a b", Digest realm="x\\"y", nonce=abc, qop="auth"')
    assert [c.scheme for c in several] == ["basic", "digest"]
    assert several[1].params == {"realm": 'x"y', "nonce": "abc", "qop": "auth"}


def _digest_server(user: str, password: str, stale_first: bool = False):
    """A server that takes only digest (MD5, qop=auth), checking the answer; a challenge
    without credentials, a 401 with no challenge for basic (as Virtuoso does)."""
    realm, nonces = "test", iter(f"nonce{i}" for i in range(100))
    state = {"stale": stale_first}

    def h(text: str) -> str:
        return hashlib.md5(text.encode()).hexdigest()

    def challenge(stale: bool = False) -> Reply:
        header = (f'Digest realm="{realm}", nonce="{next(nonces)}", qop="auth", '
                  f'algorithm="MD5", opaque="op"{", stale=true" if stale else ""}')
        return Reply(401, "", {"WWW-Authenticate": header})

    def behaviour(req, _n):
        auth = req.headers.get("Authorization", "")
        if not auth:
            return challenge()
        if not auth.startswith("Digest "):
            return Reply(401)
        p = dict(re.findall(r'(\w+)="?([^",]*)"?', auth[7:]))
        if state["stale"]:
            state["stale"] = False
            return challenge(stale=True)
        ha1, ha2 = h(f"{user}:{realm}:{password}"), h(f"{req.method}:{req.path}")
        expected = h(f"{ha1}:{p['nonce']}:{p['nc']}:{p['cnonce']}:auth:{ha2}")
        ok = p["response"] == expected and p["uri"] == req.path and p["opaque"] == "op"
        return Reply(201) if ok else Reply(401)

    return misbehaving_server(behaviour)


@pytest.mark.parametrize("method", ["digest", "auto"])
def test_publish_with_digest(run, monkeypatch, method):
    monkeypatch.setenv("KG_AUTH", "editor:s3cret")
    with _digest_server("editor", "s3cret") as (url, seen):
        result = run("publish", "--data", MINI, "--endpoint", f"{url}/store",
                     "--auth-env", "KG_AUTH", "--auth-method", method)
    assert result.code == 0, result.err
    # the challenge is asked for without a body (HEAD), the graph sent once
    assert [r.method for r in seen] == ["HEAD", "PUT"] and seen[0].body == b""
    assert "Authorization" not in seen[0].headers
    assert "s3cret" not in result.out + result.err + "".join(r.headers["Authorization"]
                                                             for r in seen[1:])


def test_a_stale_nonce_is_answered_once_more(monkeypatch):
    monkeypatch.setenv("KG_AUTH", "editor:s3cret")
    with _digest_server("editor", "s3cret", stale_first=True) as (url, seen):
        Endpoint(f"{url}/store", auth_env="KG_AUTH", auth_method="digest").put_graph("", None)
    assert [r.method for r in seen] == ["HEAD", "PUT", "PUT"]


def test_basic_refused_is_one_line_that_names_digest(run, monkeypatch):
    monkeypatch.setenv("KG_AUTH", "editor:s3cret")
    with _digest_server("editor", "s3cret") as (url, _seen):
        result = run("publish", "--data", MINI, "--endpoint", f"{url}/store",
                     "--auth-env", "KG_AUTH")
        wrong = run("publish", "--data", MINI, "--endpoint", f"{url}/store",
                    "--auth-env", "KG_AUTH", "--auth-method", "auto")
    assert result.code == 2 and result.err.count("\n") == 1 and "HTTP 401" in result.err
    assert "--auth-method digest or auto" in result.err and "s3cret" not in result.err
    assert wrong.code == 0, wrong.err


def test_wrong_password_with_digest_is_one_line(run, monkeypatch):
    monkeypatch.setenv("KG_AUTH", "editor:wrong")
    with _digest_server("editor", "s3cret") as (url, _seen):
        result = run("publish", "--data", MINI, "--endpoint", f"{url}/store",
                     "--auth-env", "KG_AUTH", "--auth-method", "digest")
    assert result.code == 2 and result.err.count("\n") == 1
    assert "HTTP 401" in result.err and "KG_AUTH was refused" in result.err
    assert "wrong" not in result.err


def test_auto_sends_basic_to_a_server_that_asks_for_basic(monkeypatch):
    monkeypatch.setenv("KG_AUTH", "editor:s3cret")

    def behaviour(req, _n):
        if "Authorization" not in req.headers:
            return Reply(401, "", {"WWW-Authenticate": 'Basic realm="x"'})
        return Reply(204)

    with misbehaving_server(behaviour) as (url, seen):
        Endpoint(f"{url}/store", auth_env="KG_AUTH", auth_method="auto").put_graph("", None)
    assert [r.method for r in seen] == ["HEAD", "PUT"]
    assert seen[1].headers["Authorization"].startswith("Basic ")


def test_digest_to_a_server_that_offers_none_is_refused_before_sending(monkeypatch):
    monkeypatch.setenv("KG_AUTH", "editor:s3cret")
    with misbehaving_server(lambda r, n: Reply(200)) as (url, seen):
        ep = Endpoint(f"{url}/store", auth_env="KG_AUTH", auth_method="digest")
        with pytest.raises(RunError, match="no digest authentication"):
            ep.put_graph("<a:b> <a:c> <a:d> .\n", None)
    assert [r.method for r in seen] == ["HEAD"]


def test_digest_is_not_sent_to_another_origin(monkeypatch):
    monkeypatch.setenv("KG_AUTH", "editor:s3cret")
    with misbehaving_server(lambda r, n: Reply(204)) as (other, elsewhere):
        def behaviour(req, _n):
            if "Authorization" not in req.headers and req.method == "HEAD":
                return Reply(401, "", {"WWW-Authenticate": 'Digest realm="r", nonce="n", '
                                                           'qop="auth"'})
            return Reply(307, "", {"Location": f"{other}/store"})

        with misbehaving_server(behaviour) as (url, _seen):
            Endpoint(f"{url}/store", auth_env="KG_AUTH",
                     auth_method="digest").put_graph("", None)
    assert elsewhere and all("Authorization" not in r.headers for r in elsewhere)
