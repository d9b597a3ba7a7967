"""Fixtures of the real-browser tests: headless Chromium (Playwright) on a real JupyterLab.

Every test in this folder is marked ``browser`` and put in one xdist group (``--dist loadgroup``
runs them one after another on one worker, so two JupyterLabs never fight over 2 cores). Without
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


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)
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
