"""Packaging: every third-party import is declared in the core or in its part's extra, the
core works with every extra missing, a part imported without its extra names the extra, and
``from twilio_connector import TwilioClient`` loads none of the extras' modules.

No network: pyproject.toml is read with tomllib, import names are mapped to distributions
through the installed metadata (the dev install has every extra), and the "missing" extras
are simulated in fresh interpreters by a ``sys.meta_path`` finder that refuses their modules.
"""

from __future__ import annotations

import ast
import importlib.metadata
import os
import pickle
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found,no-redef]

import twilio_connector
from twilio_connector import _extras
from twilio_connector._extras import MissingExtraError, require

PACKAGE = Path(twilio_connector.__file__).resolve().parent
SRC = PACKAGE.parent
ROOT = SRC.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]
NAME = PROJECT["name"]
EXTRAS = ("async", "listener", "realtime", "emulator", "postgres", "cli")

# Which extra a module belongs to: the first matching prefix (relative to the package); any
# other module is core. A module under several extras must import only what all of them declare.
PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("listener/inbox/postgres.py", ("postgres",)),
    ("listener/intake_postgres.py", ("postgres",)),
    ("listener/", ("listener",)),
    ("emulator/", ("emulator",)),
    ("testing/", ("emulator",)),  # the pytest plugin ships with [emulator]
    ("_asgi/", ("listener", "emulator")),  # the server both of them run
    ("cli/", ("cli",)),
    ("_cli_json.py", ("listener", "emulator", "cli")),  # --json for all three commands
    ("demo.py", ("cli",)),  # `make demo` installs [cli]
    ("bulk/", ("async",)),
    ("async_client.py", ("async",)),
)
# What the user brings (by module prefix): whoever calls flask_view already has Flask; the
# pytest plugin runs inside pytest, and offers the official SDK's client when it is installed.
USER_PROVIDED = {
    "listener/adapters.py": {"flask", "django"},
    "testing/": {"pytest", "_pytest", "pytest_asyncio", "twilio"},
    "emulator/sdk.py": {"twilio"},  # sdk_client(): the official SDK on the emulator
}


def user_provided(module: str) -> set[str]:
    return set().union(*(names for p, names in USER_PROVIDED.items() if module.startswith(p)))


# Declared in an extra but not checked by its guard: used when present (uvloop: POSIX only;
# the listener's httptools, else h11), or always there (h11 comes with httpx).
NOT_GUARDED = {"uvloop", "httptools", "h11"}


def _requirement(text: str) -> tuple[str, set[str]]:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?", text)
    assert match, text
    extras = {e.strip() for e in (match.group(2) or "").split(",") if e.strip()}
    return _normalize(match.group(1)), extras


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(extra: str | None) -> set[str]:
    """The distributions the core (``None``) or ``extra`` installs, self-references expanded."""
    requirements = (
        PROJECT["dependencies"] if extra is None else PROJECT["optional-dependencies"][extra]
    )
    names: set[str] = set()
    for text in requirements:
        name, extras = _requirement(text)
        if name == _normalize(NAME):
            for inner in extras:
                names |= declared(inner)
        else:
            names.add(name)
    return names


def part_of(module: str) -> tuple[str, ...]:
    return next((extras for prefix, extras in PARTS if module.startswith(prefix)), ())


def _type_checking(node: ast.AST) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node but the bodies of ``if TYPE_CHECKING:`` (imports the checker alone sees)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if _type_checking(node):
            assert isinstance(node, ast.If)
            stack.extend(node.orelse)
        else:
            stack.extend(ast.iter_child_nodes(node))


def third_party_imports(path: Path) -> set[str]:
    """Top-level names of every absolute, non-stdlib import a module makes at run time (lazy
    ones included; ``if TYPE_CHECKING:`` blocks left out)."""
    names: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"twilio_connector", "__future__"}


def modules() -> Iterator[tuple[str, set[str]]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE).as_posix(), third_party_imports(path)


DISTRIBUTIONS = {
    k: [_normalize(d) for d in v] for k, v in importlib.metadata.packages_distributions().items()
}


def distribution_of(import_name: str) -> str:
    found = DISTRIBUTIONS.get(import_name)
    assert found, f"{import_name} is imported but not installed in the test environment"
    return found[0]


# -- (a) every import is declared where it is used ----------------------------------------------


def test_every_third_party_import_is_declared_in_core_or_its_part_extra() -> None:
    core = declared(None)
    problems = []
    for module, imports in modules():
        extras = part_of(module)
        allowed = core | (set.intersection(*(declared(e) for e in extras)) if extras else set())
        for name in sorted(imports - user_provided(module)):
            dist = distribution_of(name)
            if dist not in allowed:
                where = f"[{','.join(extras)}]" if extras else "the core dependencies"
                problems.append(f"{module} imports {name} ({dist}), not declared in {where}")
    assert not problems, "\n".join(problems)


def test_every_declared_distribution_is_imported_somewhere() -> None:
    imported = {distribution_of(n) for _, names in modules() for n in names}
    for extra in (None, *EXTRAS):
        unused = declared(extra) - imported
        assert not unused, f"{extra or 'core'} declares {sorted(unused)}, imported nowhere in src/"


def test_the_core_is_the_sync_client_alone_and_dropped_dependencies_stay_dropped() -> None:
    assert declared(None) == {"httpx", "msgspec"}
    everything = declared("all")
    assert {"starlette", "python-multipart"}.isdisjoint(everything)
    assert "markupsafe" in declared("emulator")  # imported by the web inbox's templates
    assert declared("all") == set().union(*(declared(e) for e in EXTRAS))
    assert declared("all") <= declared("dev")


def test_the_guards_table_matches_pyproject() -> None:
    assert set(_extras.PARTS) == set(_extras.IMPORTS) == set(EXTRAS)
    for extra, names in _extras.IMPORTS.items():
        dists = {distribution_of(n) for n in names}
        assert dists <= declared(extra), (extra, dists - declared(extra))
        assert declared(extra) - dists <= NOT_GUARDED, extra


def test_license_changelog_and_metadata() -> None:
    assert PROJECT["license"] == "Apache-2.0"
    assert PROJECT["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in changelog and f"## [{PROJECT['version']}]" in changelog
    assert PROJECT["keywords"] and PROJECT["urls"]
    classifiers = PROJECT["classifiers"]
    assert "Typing :: Typed" in classifiers
    assert not [c for c in classifiers if c.startswith("License ::")]  # PEP 639: the expression
    assert PYPROJECT["project"]["scripts"]["twilio-connector"] == "twilio_connector._console:main"


# -- the guard itself ---------------------------------------------------------------------------


def test_require_names_the_part_the_module_and_the_command() -> None:
    require("async", "sys", "json")  # present: nothing happens
    with pytest.raises(MissingExtraError) as caught:
        require("emulator", "json", "no_such_module_twilio_connector_test")
    exc = caught.value
    assert isinstance(exc, ImportError)
    assert exc.name == "no_such_module_twilio_connector_test"
    assert exc.extra == "emulator"
    assert str(exc) == (
        "the Twilio emulator (twilio_connector.emulator) needs "
        "no_such_module_twilio_connector_test, which is not installed: "
        "pip install 'twilio-connector[emulator]'"
    )
    again = pickle.loads(pickle.dumps(exc))
    assert (type(again), str(again), again.name, again.extra) == (
        MissingExtraError,
        str(exc),
        exc.name,
        "emulator",
    )


def test_a_module_marked_absent_in_sys_modules_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "twilio_connector_absent_test", None)  # type: ignore[arg-type]
    with pytest.raises(MissingExtraError, match=r"\[listener\]"):
        require("listener", "twilio_connector_absent_test")


# -- (b) and (c): fresh interpreters --------------------------------------------------------------

ALL_EXTRA_MODULES = sorted(
    {m for names in _extras.IMPORTS.values() for m in names}
    | {"uvloop", "httptools", "starlette", "pygments"}
)

_BLOCKER = """
import sys

BLOCKED = set({blocked!r})


class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {{name!r}} (blocked)", name=name)
        return None


sys.meta_path.insert(0, Blocker())
"""


def start_python(
    code: str, blocked: list[str] | tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter with ``blocked`` modules made unimportable."""
    source = textwrap.dedent(_BLOCKER.format(blocked=sorted(blocked))) + textwrap.dedent(code)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]))
    return subprocess.run(
        [sys.executable, "-c", source], capture_output=True, text=True, env=env, timeout=60
    )


def run_python(code: str, blocked: list[str] | tuple[str, ...] = ()) -> str:
    done = start_python(code, blocked)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_core_works_with_every_extra_missing() -> None:
    """A real request: the sync client against a stdlib HTTP server, TwiML and signatures."""
    out = run_python(
        """
        import json, threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        import twilio_connector
        from twilio_connector import TwilioClient, TwilioConfig, signature, twiml

        SID = "AC" + "0" * 32


        class Twilio(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                body = json.dumps({"sid": "SM" + "1" * 32, "status": "queued"})
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args):
                pass


        server = ThreadingHTTPServer(("127.0.0.1", 0), Twilio)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            config = TwilioConfig(
                account_sid=SID, auth_token="t" * 32, base_url=f"http://127.0.0.1:{server.server_port}"
            )
            with TwilioClient(config) as client:
                message = client.send_sms(from_="+15005550006", to="+14155550100", body="hi")
        finally:
            server.shutdown()
            server.server_close()
            thread.join()
        response = twiml.MessagingResponse()
        response.message("hello")
        url, params = "https://example.com/sms", {"Body": "hi"}
        sig = signature.compute_signature("t" * 32, url, params)
        assert signature.validate_signature("t" * 32, url, params, sig)
        blocked = sorted(BLOCKED & set(sys.modules))
        print(message.sid, message.status, str(response).count("<Message>"), blocked)
        """,
        ALL_EXTRA_MODULES,
    )
    assert out.split() == ["SM" + "1" * 32, "queued", "1", "[]"]


GUARDED = [
    pytest.param("import twilio_connector.listener", ALL_EXTRA_MODULES, "listener", id="listener"),
    pytest.param(
        "import twilio_connector.listener.app", ["click"], "listener", id="listener-click"
    ),
    pytest.param("import twilio_connector.emulator", ALL_EXTRA_MODULES, "emulator", id="emulator"),
    pytest.param(
        "from twilio_connector.emulator import Emulator",
        ["jinja2"],
        "emulator",
        id="emulator-jinja2",
    ),
    pytest.param("import twilio_connector.cli", ALL_EXTRA_MODULES, "cli", id="cli"),
    pytest.param("import twilio_connector.cli", ["rich"], "cli", id="cli-rich"),
    pytest.param(
        "from twilio_connector import AsyncTwilioClient", ["aiohttp"], "async", id="async"
    ),
    pytest.param(
        "from twilio_connector.client import AsyncTwilioClient\n"
        "AsyncTwilioClient(account_sid='AC' + '0' * 32, auth_token='t')",
        ["multidict"],
        "async",
        id="async-built",
    ),
    pytest.param(
        "from twilio_connector.listener.inbox import open_store\n"
        "open_store('postgresql://user@127.0.0.1:1/inbox')",
        ["asyncpg"],
        "postgres",
        id="postgres",
    ),
]


@pytest.mark.parametrize(("code", "blocked", "extra"), GUARDED)
def test_a_part_without_its_extra_raises_an_import_error_naming_it(
    code: str, blocked: list[str], extra: str
) -> None:
    attempt = (
        f"try:\n{textwrap.indent(code, '    ')}\n"
        "except ImportError as exc:\n"
        "    print(type(exc).__name__, exc.name, '|', exc)\n"
        "else:\n"
        "    print('imported')\n"
    )
    out = run_python(attempt, blocked)
    kind, rest = out.strip().split(" ", 1)
    name, message = (part.strip() for part in rest.split("|", 1))
    assert kind == "MissingExtraError", out
    assert name in blocked
    assert f"needs {name}, which is not installed" in message
    assert message.endswith(f"pip install 'twilio-connector[{extra}]'")
    assert _extras.PARTS[extra] in message


def test_importing_the_client_loads_no_module_of_an_extra_and_defers_httpx() -> None:
    watched = [*ALL_EXTRA_MODULES, "httpx", "httpx._main"]
    out = run_python(
        f"""
        from twilio_connector import TwilioClient
        print(sorted(m for m in {watched!r} if m in sys.modules))
        client = TwilioClient(account_sid="AC" + "0" * 32, auth_token="t" * 32)
        client.close()
        print(sorted(m for m in {watched!r} if m in sys.modules))
        import httpx._main  # importable again afterwards (the dev install has its CLI's deps)
        print(httpx._main.__name__)
        """
    )
    assert out.splitlines() == ["[]", "['httpx']", "httpx._main"]


def test_clients_built_at_once_on_many_threads_share_one_httpx_import() -> None:
    out = run_python(
        """
        import threading
        from twilio_connector import TwilioClient

        barrier, built, failed = threading.Barrier(8), [], []


        def build():
            barrier.wait()
            try:
                client = TwilioClient(account_sid="AC" + "0" * 32, auth_token="t" * 32)
                built.append(type(client._http).__module__)
                client.close()
            except Exception as exc:
                failed.append(repr(exc))


        threads = [threading.Thread(target=build) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print(len(built), sorted(set(built)), failed, "httpx._main" in sys.modules)
        """
    )
    assert out.strip() == "8 ['httpx'] [] False"


@pytest.mark.parametrize("attempt", range(3))
def test_another_threads_import_of_httpx_main_works_meanwhile(attempt: int) -> None:
    # httpx._main is hidden only from the thread that imports httpx for the client.
    out = run_python(
        """
        import threading
        from twilio_connector import TwilioClient

        barrier, failed = threading.Barrier(5), []


        def build():
            barrier.wait()
            try:
                TwilioClient(account_sid="AC" + "0" * 32, auth_token="t" * 32).close()
            except Exception as exc:
                failed.append(repr(exc))


        def plain():
            barrier.wait()
            try:
                import httpx._main
            except Exception as exc:
                failed.append(repr(exc))


        threads = [threading.Thread(target=build) for _ in range(4)]
        threads.append(threading.Thread(target=plain))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print(failed)
        """
    )
    assert out.strip() == "[]"


def test_the_console_script_without_the_cli_extra_says_what_to_install() -> None:
    code = """
        sys.argv = ["twilio-connector", "--help"]
        from twilio_connector._console import main
        main()
        """
    done = start_python(code, ["rich"])
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == (
        "twilio-connector: the twilio-connector command needs rich, which is not installed: "
        "pip install 'twilio-connector[cli]'\n"
    )
    with_cli = start_python(code)
    assert with_cli.returncode == 0, with_cli.stderr
    assert with_cli.stdout.startswith("Usage: twilio-connector")
