"""Completion context in Java, Kotlin, C#, Swift, PHP, Elixir, Ruby and shell, as real projects
write them (found by an audit; each case failed before its fix)."""

from __future__ import annotations

from pathlib import Path

import pytest

from deepseek_lsp.context import Indexer
from deepseek_lsp.context.index import MAX_DEFINITION_LINES
from deepseek_lsp.documents import DocumentStore
from tests.test_context_prompts import REGISTRY, _signatures, gather, prompt_with_imports


def test_an_annotated_fields_signature_is_the_field_not_its_annotation() -> None:
    """A field or property with an annotation on the line above (JPA's ``@Id``, C#'s
    ``[JsonPropertyName]``, Swift's ``@Published``, PHP 8's ``#[ORM\\Column]``) had the
    annotation alone as its signature, ``@Id`` and ``…``: that is what a prompt sent for it
    past the eight whole places (or when it did not fit whole), and what a review listed among
    the imported names' signatures: no type, no name."""
    java = _signatures(
        "Invoice.java",
        "@Entity\npublic class Invoice {\n    @Id\n    @GeneratedValue\n    private Long id;\n\n"
        "    @Column(nullable = false)\n    private BigDecimal total;\n}\n",
        "java",
    )
    assert java["id"] == "@Id\n    @GeneratedValue\n    private Long id;"
    assert java["total"] == "@Column(nullable = false)\n    private BigDecimal total;"
    kotlin = _signatures("Price.kt", "class Price {\n    @Transient\n    private val cache: Map<String, Int> = emptyMap()\n}\n", "kotlin")
    assert kotlin["cache"] == "@Transient\n    private val cache: Map<String, Int> = emptyMap()"
    csharp = _signatures("Invoice.cs", 'public class Invoice\n{\n    [JsonPropertyName("id")]\n    public Guid Id { get; init; }\n}\n', "csharp")
    assert csharp["Id"] == '[JsonPropertyName("id")]\n    public Guid Id { get; init; }'
    swift = _signatures("Cart.swift", "final class Cart {\n    @Published\n    var items: [Item] = []\n}\n", "swift")
    assert swift["items"] == "@Published\n    var items: [Item] = []"
    php = _signatures(
        "Invoice.php", '<?php\nclass Invoice\n{\n    #[ORM\\Column(type: "decimal")]\n    private float $total = 0.0;\n}\n', "php"
    )
    assert php["total"] == '#[ORM\\Column(type: "decimal")]\n    private float $total = 0.0;'
    # A constant's signature is still its own first line, after a comment above it.
    py = _signatures("conf.py", "#: seconds\nTIMEOUT = 5\nCONFIG = {\n    'a': 1,\n}\n", "python")
    assert py["TIMEOUT"] == "#: seconds\nTIMEOUT = 5"
    assert py["CONFIG"] == "CONFIG = {\n…"


ORDER_EX = (
    "defmodule Shop.Orders.Order do\n  defstruct [:id, lines: [], status: :open]\n\n"
    "  def new(customer_id, lines \\\\ []) do\n    %__MODULE__{id: customer_id, lines: lines}\n  end\n\n"
    "  def add_line(order, sku, quantity) do\n    %{order | lines: [{sku, quantity} | order.lines]}\n  end\nend\n"
)
#: Steps between the module's `alias` and the cursor: a module of some length.
STEPS = "".join(
    f"  def step_{i}(state, opts) do\n    state |> Map.put(:step, {i}) |> Map.update(:count, 0, &(&1 + opts[:by]))\n  end\n\n"
    for i in range(20)
)
CHECKOUT_EX = f"defmodule Shop.Checkout do\n  alias Shop.Orders.Order\n\n{STEPS}  def start(customer_id) do\n    order = Order."


def test_an_elixir_module_is_found_by_the_name_its_alias_gives_it(tmp_path: Path) -> None:
    """``alias Shop.Orders.Order`` and then ``Order.``: the module is defined as
    ``Shop.Orders.Order``, and looked up as ``Order`` it was never found, open in the editor or
    in the workspace's symbols; only while the alias line itself was near the cursor did its
    full name bring it."""
    from tests.test_workspace_symbols import indexed

    (tmp_path / "lib" / "shop" / "orders").mkdir(parents=True)
    order = tmp_path / "lib" / "shop" / "orders" / "order.ex"
    store = DocumentStore(REGISTRY)
    other = store.open(order.as_uri(), ORDER_EX, "elixir", 1)
    snippets = gather(tmp_path / "lib" / "shop" / "checkout.ex", CHECKOUT_EX, [tmp_path], "elixir", store=store, other_docs=[other])
    assert any(s.text.startswith("defmodule Shop.Orders.Order do") and "def add_line(order, sku, quantity)" in s.text for s in snippets)
    # Not open: found through the workspace's symbols, which know it as `Order` too.
    order.write_text(ORDER_EX)
    symbols = indexed(tmp_path, "lib/shop/checkout.ex")
    assert symbols.files_defining("Order", "elixir") == [order]
    from tests.test_workspace_symbols import gather as gather_with_symbols

    snippets = gather_with_symbols(tmp_path, "lib/shop/checkout.ex", CHECKOUT_EX, symbols, "elixir")
    assert any("def add_line(order, sku, quantity)" in s.text for s in snippets)


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # A new `when` arm, a pattern's `in` arm, a `rescue` or `ensure` clause: the body is to be
        # written, and it was asked as one line.
        ("ruby", "def label(status)\n  case status\n  when :paid\n    ‸\n  when :open\n    'open'\n  end\nend\n", True),
        ("ruby", "def label(order)\n  case order\n  in {status: \"paid\"}\n    ‸\n  end\nend\n", True),
        ("ruby", "def fetch(url)\n  http.get(url)\nrescue Timeout::Error => e\n  ‸\nend\n", True),
        ("ruby", "def write(path)\n  file = File.open(path, 'w')\nensure\n  ‸\nend\n", True),
        # A shell `case` arm with no command yet, with its `;;` below or none before `esac`.
        ("bash", 'main() {\n  case "$1" in\n    start)\n      ‸\n      ;;\n  esac\n}\n', True),
        ("bash", 'case "$1" in\n  start)\n    ‸\nesac\n', True),
        # Controls: arms and clauses that have code already, a one-line arm, a `rescue` modifier.
        ("ruby", "def label(status)\n  case status\n  when :paid then 'paid'\n  ‸\n  end\nend\n", False),
        ("ruby", "def label(status)\n  case status\n  when :paid\n    'paid'\n    ‸\n  end\nend\n", False),
        ("ruby", "def fetch(url)\n  http.get(url)\nrescue => e\n  log(e)\n  ‸\nend\n", False),
        ("ruby", "value = Integer(text) rescue nil\n‸\n", False),
        ("bash", 'case "$1" in\n  start) run ;;\n  ‸\nesac\n', False),
        ("bash", 'case "$1" in\n  start)\n    run\n    ‸\n    ;;\nesac\n', False),
    ],
)
def test_an_empty_arm_or_clause_asks_for_a_block(language: str, text: str, expected: bool) -> None:
    from tests.test_completion_languages import _is_multiline

    assert _is_multiline(language, text) is expected


def test_a_php_anonymous_classs_header_is_in_the_prompt_head() -> None:
    """A Laravel migration is ``return new class extends Migration { ... }``: with the window
    inside its long ``up()``, the head showed the method and not the class around it (the
    query's pattern for an anonymous class matched no node the cursor is in)."""
    from tests.test_context_prompts import prompt_for

    columns = "".join(f"            $table->string('column_{i}')->nullable();\n" for i in range(150))
    text = (
        "<?php\n\nuse Illuminate\\Database\\Migrations\\Migration;\nuse Illuminate\\Database\\Schema\\Blueprint;\n\n"
        "return new class extends Migration\n{\n    public function up(): void\n    {\n"
        f"        Schema::create('orders', function (Blueprint $table) {{\n{columns}"
        "            $table->timestamps();\n        });\n    }\n};\n"
    )
    doc = DocumentStore(REGISTRY).open("file:///ws/database/migrations/2024_01_01_create_orders.php", text, "php", 1)
    offset = text.index("$table->timestamps();")
    p = prompt_for(doc, offset, budget=600)
    assert p.window_start > text.index("public function up()")
    window = text[p.window_start : offset]
    assert p.prompt.endswith(window)
    head = p.prompt[: len(p.prompt) - len(window)]
    assert "\nnew class extends Migration\npublic function up(): void\n" in head, head


def test_a_jvm_test_sees_its_main_sources(tmp_path: Path) -> None:
    """Maven and Gradle keep tests in src/test/java: the class under test, of the same package
    and used with no import, and the main classes the test imports brought nothing."""
    files = {
        "src/main/java/com/acme/billing/InvoiceService.java": (
            "package com.acme.billing;\n\nimport com.acme.model.Order;\n\npublic class InvoiceService {\n"
            "    public Invoice issue(Order order, boolean draft) {\n        return new Invoice(order);\n    }\n}\n"
        ),
        "src/main/java/com/acme/model/Order.java": (
            "package com.acme.model;\n\npublic record Order(String customerId, long totalCents) {}\n"
        ),
    }
    for rel, body in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(body)
    text = (
        "package com.acme.billing;\n\nimport com.acme.model.Order;\nimport org.junit.jupiter.api.Test;\n\n"
        "class InvoiceServiceTest {\n    @Test\n    void issuesADraft() {\n        InvoiceService service = new InvoiceService();\n"
        "        Invoice invoice = service.issue(new Order("
    )
    test_path = tmp_path / "src/test/java/com/acme/billing/InvoiceServiceTest.java"
    test_path.parent.mkdir(parents=True)
    test_path.write_text(text)
    prompt = prompt_with_imports(test_path, text, [tmp_path], "java")
    assert "public Invoice issue(Order order, boolean draft)" in prompt
    assert "record Order(String customerId, long totalCents)" in prompt


def _outline_of(path: str, text: str, language: str, name: str) -> list[str]:
    doc = DocumentStore(REGISTRY).open(f"file:///ws/{path}", text, language, 1)
    index = Indexer(REGISTRY).for_document(doc)
    assert index is not None
    return index.definitions[name][0].text.splitlines()


@pytest.mark.parametrize("language", ["java", "csharp"])
def test_a_classes_outline_shows_its_methods_when_its_fields_fill_it(language: str) -> None:
    """react-native-webview's ``RNCWebView`` and pythonnet's ``Runtime`` open with a dozen
    fields: a class too long to send whole is sent as its outline, twelve lines, and those were
    all fields, so at ``reactWebView.`` (its type known) the model saw ``injectedJS`` and
    ``messagingEnabled`` but none of the methods one calls (``callInjectedJavaScript``). Where
    the members do not all fit, the methods are listed first, then the fields that fit."""
    fields = "".join(f"    protected boolean flag{i} = false;\n" for i in range(14))
    methods = "".join(
        f"    public void {verb}() {{\n        flag{i} = true;\n        dispatch({i});\n    }}\n\n"
        for i, verb in enumerate(["callInjectedJavaScript", "setMessagingEnabled", "dispatchEvent", "destroy"])
    )
    head = "public class WebView extends View {\n" if language == "java" else "public class WebView : View\n{\n"
    text = head + fields + "\n" + methods + "}\n"
    lines = _outline_of("WebView." + ("java" if language == "java" else "cs"), text, language, "WebView")
    members = [line.strip() for line in lines[1:] if line.strip() not in ("{", "…")]
    assert members[:4] == [f"public void {verb}() …" for verb in ("callInjectedJavaScript", "setMessagingEnabled", "dispatchEvent", "destroy")]
    # The room left goes to the first fields, the rest named on the last line; no longer than
    # the twelve lines it stands for.
    assert members[4] == "protected boolean flag0 = false;"
    shown = [line.split()[2] for line in members[4:] if line.startswith("protected")]
    assert shown + lines[-1].removeprefix("… ").split(", ") == [f"flag{i}" for i in range(14)]
    assert len(lines) <= MAX_DEFINITION_LINES + 1


def test_a_classes_outline_that_holds_every_member_keeps_their_order() -> None:
    """A class whose members all fit in its outline keeps them as written, fields first."""
    fields = "".join(f"    private int count{i};\n" for i in range(3))
    methods = "".join(f"    public int get{i}() {{\n        return count{i};\n    }}\n\n" for i in range(3))
    text = "public class Counter {\n" + fields + "\n" + methods + "    // " + "padding\n    // " * 6 + "end\n}\n"
    members = [line.strip() for line in _outline_of("Counter.java", text, "java", "Counter")[1:]]
    assert members == [*(f"private int count{i};" for i in range(3)), *(f"public int get{i}() …" for i in range(3))]
