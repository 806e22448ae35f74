"""The portal's browser tests' fixtures: Debian's Chromium driven by Playwright, headless, against the suite's
shared stack (every service a process), a fresh context per test, axe-core (no serious or critical violation),
and steps that keep a screenshot when they fail.

Chromium comes from Debian (`apt-get install chromium` when /usr/bin/chromium is missing), never from a
download of Playwright's own. A failing step keeps a screenshot, in FAIRPATH_TEST_SCREENSHOTS (default
var/test-screenshots/ of the repository); the failure names the file."""

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from ..conftest import LiveStack

playwright_api = pytest.importorskip("playwright.sync_api")
axe_api = pytest.importorskip("axe_playwright_python.sync_playwright")

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = Path(os.environ.get("FAIRPATH_TEST_SCREENSHOTS", ROOT / "var" / "test-screenshots"))
BLOCKING = ("serious", "critical")
PHONE = {"width": 360, "height": 740}
# Each browser action waits at most this long (a page of the portal answers in well under a second).
ACTION_TIMEOUT_MS = 15_000


def _ensure_chromium() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    apt = shutil.which("apt-get")
    if apt is None:
        pytest.fail(f"{CHROMIUM} is missing and there is no apt-get to install Debian's chromium package")
    done = subprocess.run(
        [apt, "install", "-y", "--no-install-recommends", "chromium"],
        capture_output=True,
        text=True,
        timeout=600,
        env=os.environ | {"DEBIAN_FRONTEND": "noninteractive"},
    )
    if done.returncode != 0 or not CHROMIUM.exists():
        pytest.fail(
            f"could not install Debian's chromium (apt-get exited {done.returncode}): {done.stderr[-1000:]}"
            " (run `apt-get update` first, as root)"
        )
    return CHROMIUM


@pytest.fixture(scope="module")
def chromium(shared_stack: LiveStack):
    """One headless Chromium for this module's tests on a stack. Playwright's synchronous API keeps an event loop
    running in this thread while it is open, so it opens after the stack has started (which runs one of its own)
    and closes with this module's tests, before any other test needs the thread's loop."""
    executable = _ensure_chromium()
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable), headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe():
    return axe_api.Axe()


@pytest.fixture
def page(chromium, shared_stack: LiveStack):
    """A fresh browser context (no cookie of another test) and its page, on the stack's gateway."""
    context = chromium.new_context(base_url=shared_stack.gateway, bypass_csp=True)  # axe is injected as a script
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def _file_name(text: str) -> str:
    return re.sub(r"[^\w.-]+", "_", text)


class Steps:
    """The steps of one test: a failing one leaves a screenshot of the page as it was."""

    def __init__(self, page, test_name: str, axe) -> None:
        self.page, self.test_name, self.axe = page, _file_name(test_name), axe

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        try:
            yield
        except BaseException as failure:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            path = SCREENSHOTS / f"{self.test_name}--{_file_name(name)}.png"
            try:
                self.page.screenshot(path=str(path), full_page=True)
                note = f"screenshot of the failing step: {path}"
            except Exception as shot:  # noqa: BLE001 - the step's own failure is the one to report
                note = f"no screenshot ({type(shot).__name__})"
            print(note)  # where the screenshot is, in the test's output
            if isinstance(failure, AssertionError):
                raise AssertionError(f"step {name!r}: {failure} ({note})") from failure
            raise

    def accessible(self) -> None:
        """axe-core on the page as it is: no serious or critical violation."""
        results = self.axe.run(self.page)
        blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING]
        assert not blocking, "\n".join(
            f"{v['impact']}: {v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in blocking
        )


@pytest.fixture
def steps(page, axe, request: pytest.FixtureRequest) -> Steps:
    return Steps(page, request.node.name, axe)


def sign_in(page, username: str, password: str) -> None:
    page.goto("/portal/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def password_of(stack: LiveStack, user: str) -> str:
    return stack.credentials["users"][user]["password"]
