"""Fixtures of the real-browser tests: headless Chromium (Playwright) on a real JupyterLab.

Every test in this folder is marked ``browser`` and put in one xdist group. `make test` runs them
in a pytest run of their own after the rest, one after another, so two JupyterLabs never fight over
2 cores (``--dist loadgroup`` would keep the group on one worker, but pytest-xdist 3.8 does nothing
with groups under pytest 9: it renames ``item._nodeid``, which pytest 9 no longer reads). Without
Chromium they SKIP, saying how to install it. Screenshots go to ``$NNCOURSE_ARTIFACTS`` (default
``tests/browser/artifacts/``, git-ignored); a failing test leaves ``FAILED-<test>.png`` there.
"""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the helpers `lab` and `widgets_registry` (tests/ is no package: --import-mode=importlib)

import lab  # noqa: E402


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads xdist_group (--dist loadgroup)
def pytest_collection_modifyitems(config, items):
    """Every test here is `browser` and in one xdist group (each module also says so in its pytestmark)."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            if item.get_closest_marker("browser") is None:
                item.add_marker(pytest.mark.browser)
            if item.get_closest_marker("xdist_group") is None:
                item.add_marker(pytest.mark.xdist_group("browser"))
            if item.get_closest_marker("timeout") is None:  # a hung page must not hang CI
                item.add_marker(pytest.mark.timeout(900))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def artifacts() -> Path:
    path = Path(os.environ.get("NNCOURSE_ARTIFACTS") or HERE / "artifacts").resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def chromium() -> str:
    path = lab.find_chromium()
    if path is None:
        pytest.skip(lab.INSTALL_HINT)
    return path


@pytest.fixture(scope="session")
def browser(chromium, tmp_path_factory):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the browser tests need playwright (in the dev extra): .venv/bin/pip install -e '.[dev]'")
    home = tmp_path_factory.mktemp("chromium-home")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium, headless=True, args=lab.CHROMIUM_ARGS,
                               env=lab.browser_env(home))
        yield b
        b.close()


@pytest.fixture
def page(browser, request, artifacts):
    """A fresh browser context and page (1400 x 900); on failure its last screenshot is kept."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, device_scale_factor=1)
    context.set_default_timeout(60_000)
    pg = context.new_page()
    yield pg
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
        try:
            pg.screenshot(path=str(artifacts / f"FAILED-{name}.png"))
        except Exception:  # the page may be gone; the failure itself is the report
            pass
    context.close()
