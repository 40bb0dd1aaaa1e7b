"""A scripted reviewer for the fake DeepSeek server, shared by the review tests and benchmark.

It reads the numbered lines (``123| code``) of a review prompt and reports a finding wherever a
rule's text occurs, the way a model would: quoting the code, with a line number that can be made
deliberately wrong, since models miscount.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from lsprotocol import types

from deepseek_lsp.config import Settings, build_settings
from deepseek_lsp.documents import Document, DocumentStore
from deepseek_lsp.features import Services
from deepseek_lsp.languages import LanguageRegistry
from deepseek_lsp.review.feature import ReviewFeature
from deepseek_lsp.status import Status, StatusReporter
from deepseek_lsp.usage_feature import UsageFeature
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek

REGISTRY = LanguageRegistry.load()
PYTHON = REGISTRY.get("python")
_NUMBERED = re.compile(r"^(\d+)\| (.*)$", re.M)
_HEADING = re.compile(r"^### (\S+) (.+) \((?:from )?(?:line|lines) [\d-]+\)$", re.M)


@dataclass(frozen=True)
class Rule:
    needle: str
    severity: str = "warning"
    message: str = "Problem."
    suggestion: str | None = None
    confidence: float | None = 0.9


def user_prompt(body: dict[str, Any]) -> str:
    return str(body["messages"][-1]["content"])


def reviewed_units(body: dict[str, Any]) -> list[str]:
    """Names of the units a review request asked about, in order."""
    return [m.group(2) for m in _HEADING.finditer(user_prompt(body))]


def numbered_lines(body: dict[str, Any]) -> list[int]:
    return [int(m.group(1)) for m in _NUMBERED.finditer(user_prompt(body))]


def reviewer(rules: Sequence[Rule], *, line_offset: int = 0) -> Callable[[dict[str, Any]], str]:
    """A responder for ``FakeDeepSeek.responder``: JSON findings for every rule that matches, in
    the prompt's shape."""

    def respond(body: dict[str, Any]) -> str:
        findings = []
        for m in _NUMBERED.finditer(user_prompt(body)):
            line, code = int(m.group(1)), m.group(2)
            for rule in rules:
                if rule.needle in code:
                    item: dict[str, Any] = {
                        "severity": rule.severity,
                        "line": line + line_offset,
                        "code": rule.needle,
                        "message": rule.message,
                        "suggestion": rule.suggestion or "",
                    }
                    if rule.confidence is not None:
                        item["confidence"] = rule.confidence
                    findings.append(item)
        return json.dumps({"findings": findings})

    return respond


#: One handler of a generated file, repeated with ``i`` (with a non-ASCII comment, so bytes and
#: characters differ): every copy has the same bare ``except:`` on its line 3 (0-based) of 8.
GENERATED_HANDLER = (
    "def handler_{i}(request):\n"
    "    try:\n"
    "        value = request.get('k')  # clé\n"
    "    except:\n"
    "        value = None\n"
    "    return value\n\n\n"
)


def generated_handlers(count: int) -> str:
    return "".join(GENERATED_HANDLER.format(i=i) for i in range(count))


#: What the reviewer says about tests/data/review/inventory.py.
INVENTORY_RULES = (
    Rule("if row == None:", "warning", "Compare with None using 'is'.", "if row is None:"),
    Rule(
        "f\"SELECT sku, name, quantity, price FROM items WHERE sku = '{sku}'\"",
        "critical",
        "SQL injection: the SKU is pasted into the query.",
        None,
    ),
    Rule(
        "if self.available(sku) > count:",
        "warning",
        "Off by one: the last items can never be reserved.",
        "if self.available(sku) >= count:",
    ),
    Rule(
        'handle = open(target, "w", newline="")', "warning", "The file is never closed.", None, 0.8
    ),
    Rule("/ len(items)", "info", "Divides by zero for an empty list.", None, 0.3),
)


def track_publishes(client: Any) -> list[types.PublishDiagnosticsParams]:
    """Every publishDiagnostics, with its version (pytest-lsp keeps only the latest list)."""
    seen: list[types.PublishDiagnosticsParams] = []
    features = client.protocol.fm.features
    keep = features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]

    def record(params: types.PublishDiagnosticsParams) -> None:
        seen.append(params)
        keep(params)

    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = record
    return seen


def settings_for(fake: FakeDeepSeek, **review: object) -> Settings:
    """Settings for reviewing against ``fake`` (``review`` settings added)."""
    settings, problems = build_settings(
        {"review": {"maxRetries": 2, **review}},
        env={"DEEPSEEK_BASE_URL": fake.url, "DEEPSEEK_API_KEY": DEFAULT_KEY},
    )
    assert not problems
    return settings


def doc_of(text: str, name: str = "inventory.py") -> Document:
    return Document(f"file:///project/{name}", text, language=PYTHON)


class ReviewFeatureSession:
    """The review feature on its own (with the usage feature that owns its model client, which
    talks HTTP to the fake DeepSeek server): the statuses it reports and the diagnostics it
    publishes are recorded."""

    def __init__(self, fake: FakeDeepSeek) -> None:
        self.statuses: list[Status] = []
        status = StatusReporter(self.statuses.append, lambda m, level=2: None)
        settings = Settings(base_url=fake.url, api_key=DEFAULT_KEY)
        self.services = Services(DocumentStore(REGISTRY), REGISTRY, status, settings)
        self.usage = UsageFeature(self.services)
        self.review = ReviewFeature(self.services)
        self.published: list[types.PublishDiagnosticsParams] = []
        self.review.publisher.send = self.published.append
        self.services.configured.set()

    async def __aenter__(self) -> Any:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.review.stop()
        await self.usage.stop()


def finding_id(d: types.Diagnostic) -> str:
    """The finding a review diagnostic shows (its data's id; ``code`` only for clients that
    drop data)."""
    assert isinstance(d.data, dict) and isinstance(d.data.get("id"), str), d
    return str(d.data["id"])
