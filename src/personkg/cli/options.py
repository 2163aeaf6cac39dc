"""The options and helpers the commands share: `--data` and where it points, the network
options and the endpoint they make, `--param` values, and shell completion of query names,
parameters, entity ids and record kinds."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.shell_completion import CompletionItem

from .. import cache, pipeline, scaffold
from ..errors import PersonkgError, RunError
from ..query import named_queries
from ..resources import data_folder, local_data_dir
from ..vocab import Vocabulary

if TYPE_CHECKING:  # the HTTP client is imported by the commands that talk to servers
    from ..model import Dataset
    from ..remote import Endpoint

__all__ = ["data_option", "with_network_options", "data", "compiled", "params", "endpoint",
           "wikidata_endpoint", "CONTACT_ENV", "use_cache", "cache_root",
           "warn_unknown_ids", "complete_entities", "complete_query_names", "complete_params",
           "complete_kinds"]


def data_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """`--data`, and the build cache options of every command that reads a dataset."""
    f = click.option("--no-cache", is_flag=True, expose_value=False, callback=_remember,
                     help="Neither read nor write the cache.")(f)
    f = click.option("--cache", "cache_dir", metavar="DIR", envvar="PERSONKG_CACHE",
                     expose_value=False, callback=_remember,
                     help="Cache folder: build/ for what was checked and compiled, wikidata/ "
                          "for reconcile's answers ('off': none) [default: the platform's "
                          "cache folder, ~/.cache/personkg on Linux; env PERSONKG_CACHE].")(f)
    return click.option(
        "--data", "data_dir", type=click.Path(path_type=Path), default=None,
        help="Dataset folder, or a folder holding it as data/ (default: ./data when there "
             "is one, else the embedded example).",
    )(f)


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    ctx.meta[f"personkg.{param.name}"] = value


def cache_root() -> Path | None:
    """The cache folder the command's `--cache` / `--no-cache` (or PERSONKG_CACHE) name;
    None for no cache."""
    ctx = click.get_current_context(silent=True)
    meta = ctx.meta if ctx is not None else {}
    return None if meta.get("personkg.no_cache") else cache.root_of(meta.get("personkg.cache_dir"))


def use_cache() -> None:
    """The build cache of `cache_root()`, made the one this run uses."""
    root = cache_root()
    cache.use(cache.build_cache(root))


def data(data_dir: Path | None) -> Path:
    """`--data` (or its `data/`), else `./data`, else the embedded example dataset, which is
    then named on standard error: a run never reads another dataset than the user's without
    saying so."""
    use_cache()
    found = data_folder(data_dir)
    # the fallback, not the folder: in a source checkout `./data` is the embedded dataset
    if data_dir is None and found != local_data_dir():
        click.echo("personkg: no ./data here: using the embedded example dataset "
                   "(give --data DIR for yours)", err=True)
    return found


def compiled(data_dir: Path | None, shacl: bool) -> pipeline.Compiled:
    """The checked and compiled dataset; `Invalid` (exit 1, nothing written) when it does
    not conform."""
    return pipeline.compiled(data(data_dir), shacl=shacl)


# ------------------------------------------------------------ shell completion
# Each gets the values parsed so far (ctx.params) and the word being typed; none may fail.

def complete_entities(ctx: click.Context, param: click.Parameter,
                       incomplete: str) -> list[CompletionItem]:
    """Entity ids of the dataset named by --data (or the default one), from file names."""
    try:
        folder = data_folder(ctx.params.get("data_dir"))
        kinds = [k for k in Vocabulary.load().kinds() if k != "sources"]
        ids = scaffold.record_ids(folder, kinds)
    except (OSError, PersonkgError):
        return []
    return [CompletionItem(i) for i in sorted(ids) if i.startswith(incomplete)]


def complete_query_names(ctx: click.Context, param: click.Parameter,
                          incomplete: str) -> list[CompletionItem]:
    return [CompletionItem(name, help=q.title) for name, q in named_queries().items()
            if name.startswith(incomplete)]


def complete_params(ctx: click.Context, param: click.Parameter,
                     incomplete: str) -> list[CompletionItem]:
    """NAME= for each parameter of the query given by --name."""
    q = named_queries().get(ctx.params.get("query_name") or "")
    names = [f"{n}=" for n in q.parameter_names] if q else []
    return [CompletionItem(n) for n in names if n.startswith(incomplete)]


def complete_kinds(ctx: click.Context, param: click.Parameter,
                    incomplete: str) -> list[CompletionItem]:
    return [CompletionItem(k) for k in Vocabulary.load().kinds() if k.startswith(incomplete)]


def params(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for v in values:
        name, sep, value = v.partition("=")
        if not sep or not name:
            raise RunError(f"--param {v!r}: expected NAME=VALUE")
        out[name.lstrip("?")] = value
    return out


def site_url(value: str | None) -> str | None:
    """`--site-url`, when given: an absolute http(s) URL that is a valid IRI (the sitemap and
    dataset metadata are made of it) and a site address as `site_url:` in dataset.yaml must
    be (`generate.SITE_URL_PATTERN`, the final `/` optional here), given back as a URI
    (`model.uri_of`, which refuses what a URI cannot hold and port 0 or out of range, as it
    does for `site_url:`); else a one-line error (exit 2)."""
    if value is None:
        return None
    import re
    from urllib.parse import urlsplit

    from ..compile import iri_term
    from ..generate import SITE_URL_PATTERN
    from ..model import uri_of

    try:
        parts = urlsplit(value)
        iri_term(value)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname) \
            and bool(re.fullmatch(SITE_URL_PATTERN, value.rstrip("/") + "/"))
    except ValueError:
        ok = False
    if not ok:
        raise RunError(f"--site-url {value!r}: expected an absolute http:// or https:// URL "
                       "without user, query or fragment, such as https://example.org/kg/")
    try:
        return uri_of(value)
    except ValueError as exc:  # what a URI cannot hold (a host IDNA refuses)
        raise RunError(f"--site-url {value!r}: {exc}") from None


def check_timeout(timeout: float) -> float:
    """`--timeout`, for servers and embedded queries alike: a finite positive number."""
    if not (math.isfinite(timeout) and timeout > 0):
        raise RunError(f"--timeout {timeout}: must be a finite positive number of seconds")
    return timeout


def endpoint(url: str, timeout: float, retries: int, auth_env: str | None,
             auth_method: str = "basic") -> Endpoint:
    check_timeout(timeout)
    if not 0 <= retries <= 10:
        raise RunError(f"--retries {retries}: must be between 0 and 10")
    from ..remote import Endpoint

    return Endpoint(url, timeout=timeout, retries=retries, auth_env=auth_env,
                    auth_method=auth_method)


CONTACT_ENV = "PERSONKG_CONTACT"
_WIKIMEDIA_HOSTS = ("wikidata.org", "wikimedia.org")
_CONTACT = re.compile(r"[^\s@()<>]+@[^\s@()<>]+\.[^\s@()<>]+|https?://[^\s()<>]+")


def is_wikimedia(url: str) -> bool:
    """Whether `url` is on a Wikimedia host (`*.wikidata.org`, `*.wikimedia.org`)."""
    from urllib.parse import urlsplit

    try:
        host = (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return False
    return any(host == h or host.endswith("." + h) for h in _WIKIMEDIA_HOSTS)


def wikidata_endpoint(url: str, timeout: float, retries: int,
                      contact: str | None) -> Endpoint:
    """An endpoint to ask Wikidata things at, with `contact` (`--contact`, else the
    PERSONKG_CONTACT environment variable) in its User-Agent, as Wikimedia's User-Agent
    policy asks. A Wikimedia endpoint without a contact, or a contact that is not an e-mail
    address or an http(s) URL, is refused (RunError, exit 2) before anything is sent; other
    endpoints (a local mirror, a test server) need none."""
    contact = (contact if contact is not None else os.environ.get(CONTACT_ENV, "")).strip()
    if contact and not _CONTACT.fullmatch(contact):
        raise RunError(f"--contact {contact!r}: expected an e-mail address or an http(s) URL "
                       "(it goes into the User-Agent header)")
    if not contact and is_wikimedia(url):
        raise RunError(f"{url}: Wikimedia asks clients to say who runs them: give "
                       f"--contact EMAIL_OR_URL or set {CONTACT_ENV}")
    ep = endpoint(url, timeout, retries, None)
    ep.contact = contact or None
    return ep


network_options = [
    click.option("--timeout", type=float, default=30.0, show_default=True,
                 help="Seconds to wait for the server."),
    click.option("--retries", type=int, default=3, show_default=True,
                 help="Retries when the server answers 429 or 503 (Retry-After is honoured)."),
    click.option("--auth-env", metavar="VAR",
                 help="Name of an environment variable holding user:password."),
    click.option("--auth-method", type=click.Choice(["basic", "digest", "auto"]),
                 default="basic", show_default=True,
                 help="How to send the --auth-env credentials: HTTP basic, digest (e.g. "
                      "Virtuoso), or auto (digest when the server asks for it)."),
]


def with_network_options(f: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(network_options):
        f = option(f)
    return f


def warn_unknown_ids(params: dict[str, str], ds: Dataset) -> None:
    """A parameter that looks like an id but names nothing in the dataset matches nothing:
    say so (the query still runs)."""
    for name, value in params.items():
        plain = value.removeprefix("id:")
        if re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", plain) and not plain.isdigit() \
                and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", plain) \
                and plain not in ds.entities and plain not in ds.sources:
            click.echo(f"personkg: warning: {name}={value}: no entity or source with that id "
                       "in the dataset", err=True)
