"""Definitions a Python or TypeScript/JavaScript completion needs, in real project layouts:
whether the gathered snippets (or the FIM prompt) carry them."""

from __future__ import annotations

from pathlib import Path

from tests.test_context_prompts import gather, prompt_with_imports, write_files


def test_methods_of_a_default_exported_object_and_commonjs_exports_are_definitions(tmp_path: Path) -> None:
    """``export default { getUser(id) {...} }`` (an API module), ``exports.lerp = (a, b, t) =>``
    and ``module.exports.clamp = function (...)`` (CommonJS, one export at a time) defined
    nothing: ``api.getUser(`` and ``util.lerp(`` had no definition in the prompt."""
    write_files(tmp_path, {
        "src/api.ts": "export default {\n  getUser(id: string, opts?: { fresh: boolean }) {\n    return fetch(id);\n  },\n"
                      "  listUsers: (page: number, size = 20) => [],\n};\n",
        "lib/util.js": "exports.lerp = (a, b, t) => a + (b - a) * t;\n\nmodule.exports.clamp = function (n, lo, hi) {\n"
                       "  return Math.min(hi, Math.max(lo, n));\n};\n",
    })  # fmt: skip
    cases = [
        ("src/app.ts", "import api from './api';\n\nconst u = api.getUser(", "typescript", "getUser(id: string, opts?: { fresh: boolean }) {"),
        ("src/app.ts", "import api from './api';\n\nconst u = api.listUsers(", "typescript", "listUsers: (page: number, size = 20) =>"),
        ("app.js", "const util = require('./lib/util');\n\nutil.lerp(", "javascript", "exports.lerp = (a, b, t) =>"),
        ("app.js", "const { clamp } = require('./lib/util');\n\nclamp(", "javascript", "module.exports.clamp = function (n, lo, hi) {"),
    ]  # fmt: skip
    for rel, text, language, wanted in cases:
        snippets = gather(tmp_path / rel, text, [tmp_path], language)
        assert any(wanted in s.text for s in snippets), (text, wanted)


def test_a_default_export_imported_under_another_name_brings_its_definition(tmp_path: Path) -> None:
    """``import fmt from './format'`` (``export default function formatDate``), ``import Client
    from './client'`` (``export default HttpClient;``) and ``const LRU = require('./lru')``
    (``module.exports = LRUCache``): the file was read, but nothing in it bears the name bound,
    and no definition was sent."""
    write_files(tmp_path, {
        "src/format.ts": "export default function formatDate(d: Date, pattern: string, locale = 'en'): string {\n  return '';\n}\n",
        "src/client.ts": "class HttpClient {\n  constructor(private baseUrl: string, timeoutMs = 5000) {}\n}\n\nexport default HttpClient;\n",
        "lib/lru.js": "class LRUCache {\n  constructor(max, ttlMs) {\n    this.max = max;\n  }\n}\n\nmodule.exports = LRUCache;\n",
    })  # fmt: skip
    cases = [
        ("src/app.ts", "import fmt from './format';\n\nconst s = fmt(", "typescript", "function formatDate(d: Date, pattern: string"),
        ("src/app.ts", "import Client from './client';\n\nconst c = new Client(", "typescript", "class HttpClient {\n  constructor(private baseUrl"),
        ("app.js", "const LRU = require('./lib/lru');\n\nconst cache = new LRU(", "javascript", "class LRUCache {\n  constructor(max, ttlMs)"),
    ]  # fmt: skip
    for rel, text, language, wanted in cases:
        snippets = gather(tmp_path / rel, text, [tmp_path], language)
        assert any(wanted in s.text for s in snippets), (text, wanted)
    # A name bound as it is defined is not looked up twice, nor a named import as the default.
    snippets = gather(tmp_path / "src/app.ts", "import { formatDate } from './format';\n\nformatDate(", [tmp_path], "typescript")
    assert len([s for s in snippets if "formatDate" in s.text]) == 1


def test_a_name_from_past_the_first_48_files_of_a_large_barrel_is_found(tmp_path: Path) -> None:
    """A components folder's index.ts with a hundred ``export * from``: what it passes on was
    learned from its first 48 files only (the cap on a file's imports), and ``Tooltip``,
    exported by the 90th, never had its definition sent, however long the time box."""
    files = {f"src/components/Widget{i}.tsx": f"export function Widget{i}(props: {{ size: number }}) {{\n  return null;\n}}\n" for i in range(100)}
    files["src/components/Tooltip.tsx"] = "export function Tooltip(props: { text: string; placement: 'top' | 'bottom' }) {\n  return null;\n}\n"
    barrel = [f"export * from './Widget{i}';\n" for i in range(100)]
    barrel.insert(90, "export * from './Tooltip';\n")
    files["src/components/index.ts"] = "".join(barrel)
    write_files(tmp_path, files)
    text = "import { Widget3, Tooltip } from './components';\n\nexport function App() {\n  Widget3({ size: 1 });\n  return Tooltip("
    snippets = gather(tmp_path / "src/App.tsx", text, [tmp_path], "tsx")
    assert any(s.text.startswith("function Tooltip(props: { text: string;") for s in snippets)
    assert any(s.text.startswith("function Widget3(props") for s in snippets)


def test_the_type_a_functions_signature_names_comes_with_it_from_its_file(tmp_path: Path) -> None:
    """``<Button `` with ``export function Button(props: ButtonProps)`` and ``create_user(`` with
    ``def create_user(data: UserCreate)``: the function's signature was sent, but not the props
    interface nor the model beside it in the same file, and the model guessed the props and
    the keyword arguments."""
    write_files(tmp_path, {
        "src/Button.tsx": "export interface ButtonProps {\n  label: string;\n  onClick: () => void;\n  variant?: 'primary' | 'ghost';\n}\n\n"
                          "export function Button(props: ButtonProps) {\n  return <button onClick={props.onClick}>{props.label}</button>;\n}\n",
        "app/__init__.py": "",
        "app/services.py": "from pydantic import BaseModel\n\n\nclass UserCreate(BaseModel):\n    email: str\n    display_name: str\n"
                           "    is_admin: bool = False\n\n\ndef create_user(data: UserCreate) -> int:\n    return 1\n",
    })  # fmt: skip
    text = "import { Button } from './Button';\n\nexport function App() {\n  return <Button "
    prompt = prompt_with_imports(tmp_path / "src/App.tsx", text, [tmp_path], "tsx")
    assert "// interface ButtonProps {\n//   label: string;\n//   onClick: () => void;" in prompt
    assert "// function Button(props: ButtonProps) {" in prompt
    text = "from .services import create_user\n\n\ndef signup(email):\n    return create_user("
    prompt = prompt_with_imports(tmp_path / "app/api.py", text, [tmp_path], "python")
    assert "# class UserCreate(BaseModel):\n#     email: str\n#     display_name: str" in prompt



#: mobx's api/observable.ts from its factories' interface on: the grammar's error after the
#: factories' object (its generic methods) runs on to the file's end.
MOBX_OBSERVABLE = (Path(__file__).parent / "data" / "mobx_observable_excerpt.ts").read_text()


def test_definitions_after_a_grammar_error_in_a_file_on_disk_are_indexed(tmp_path: Path) -> None:
    """mobx's ``observable`` and ``action``, imported by its files through ``internal.ts``'s
    ``export * from "./api/observable"``: the grammar's error swallowed their definitions (17
    exported names of mobx's and immer's src, of 3,106 in the six npm projects of
    bench_context_recall), and no prompt had them. The error's text is read again from each
    statement starting a line in it."""
    files = {"src/api/observable.ts": MOBX_OBSERVABLE, "src/internal.ts": 'export * from "./api/observable"\n'}
    write_files(tmp_path, files)
    text = 'import { observable, observableRef } from "../internal"\n\nexport function make(x: number) {\n  const r = observableRef\n  return observable('
    snippets = gather(tmp_path / "src/types/make.ts", text, [tmp_path], "typescript")
    sent = "\n".join(s.text for s in snippets)
    assert "var observable: IObservableFactory = assign(" in sent, sent
    assert "const observableRef = createObservableDecoratorAnnotation(" in sent, sent


def test_a_grammar_error_s_text_is_read_again_from_statements_of_code_only(tmp_path: Path) -> None:
    """After mobx's error, a template literal holding code at its lines' starts (a code
    generator's, a test's) and a block comment: the text was cut at each line start there,
    ``fromTemplate`` (text of the literal) indexed as a function of the file and sent for the
    user's own ``fromTemplate``, ``template`` itself (cut before its closing backtick) lost."""
    generated = (
        "\nexport const template = `\nexport function fromTemplate(x: number) {\n  return x\n}\n`\n"
        "\n/*\nexport const commented = 1\n*/\n"
    )
    files = {"src/api/observable.ts": MOBX_OBSERVABLE + generated, "src/internal.ts": 'export * from "./api/observable"\n'}
    write_files(tmp_path, files)
    text = 'import { template, commented } from "../internal"\n\nexport function make() {\n  return fromTemplate(template, commented, '
    sent = [s.text for s in gather(tmp_path / "src/types/make.ts", text, [tmp_path], "typescript")]
    assert any(t.startswith("const template = `") for t in sent), sent
    assert not any(t.startswith(("function fromTemplate(", "const commented")) for t in sent), sent
