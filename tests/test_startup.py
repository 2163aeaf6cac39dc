"""A quick start: `personkg --help` and `personkg validate` of the embedded dataset do not
import rdflib (only pySHACL needs it) nor the HTTP client."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import REPO


@pytest.mark.parametrize("args", [["--help"], ["validate", "--data", str(REPO / "data")]])
def test_help_and_embedded_validate_do_not_import_rdflib(args):
    """rdflib is for pySHACL only: the ontology is read with pyoxigraph."""
    code = ("import runpy, sys\n"
            f"sys.argv = ['personkg', *{args!r}]\n"
            "try:\n"
            "    runpy.run_module('personkg', run_name='__main__')\n"
            "except SystemExit as exc:\n"
            "    assert exc.code in (0, None), exc.code\n"
            "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('rdflib', 'pyshacl',"
            " 'urllib3'))\n"
            "print('LOADED', loaded, file=sys.stderr)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert "LOADED []" in result.stderr
