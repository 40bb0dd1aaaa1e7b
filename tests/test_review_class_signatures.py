"""Of a name several classes of a file define, the definitions a review unit is sent: those of
the classes it is in, mixes in, constructs and declares its parameters with, and no other's."""

from __future__ import annotations

from pathlib import Path

import pytest

from deepseek_lsp.config import build_settings
from deepseek_lsp.documents import Document
from deepseek_lsp.imports import sibling_types
from deepseek_lsp.languages import LanguageRegistry
from deepseek_lsp.model import ModelClient
from deepseek_lsp.review.engine import ReviewEngine
from deepseek_lsp.review.imported import ImportReader
from deepseek_lsp.review.prompt import build_messages
from deepseek_lsp.review.records import dependencies, dependencies_unchanged
from deepseek_lsp.review.units import SPLIT_CLASS_LINES, FileUnits, Unit, extract_units
from tests.fake_deepseek import FakeDeepSeek
from tests.review_support import reviewer, settings_for

REGISTRY = LanguageRegistry.load()
_SIGNATURES = (
    "Signatures of definitions the code uses (defined elsewhere; context, not to review):\n"
)


def units_of(lang: str, ext: str, text: str) -> FileUnits:
    return extract_units(Document(f"file:///w/shapes.{ext}", text, language=REGISTRY.get(lang)))


def unit_at(file_units: FileUnits, name: str, nth: int = 0) -> Unit:
    return [u for u in file_units.units if u.name == name][nth]


def selected(file_units: FileUnits, name: str, nth: int = 0) -> list[str]:
    return [s.shown() for s in file_units.signatures_for([unit_at(file_units, name, nth)])]


def prompt_signatures(lang: str, ext: str, text: str, name: str, nth: int = 0) -> list[str]:
    """The signature lines the review request of unit ``name`` carries."""
    doc = Document(f"file:///w/shapes.{ext}", text, language=REGISTRY.get(lang))
    file_units = extract_units(doc)
    content = build_messages(doc, f"shapes.{ext}", file_units, [unit_at(file_units, name, nth)])[1][
        "content"
    ]
    return content.split(_SIGNATURES, 1)[1].splitlines() if _SIGNATURES in content else []


def filler(template: str) -> str:
    """Enough members to make a class longer than SPLIT_CLASS_LINES: reviewed member by member."""
    return "".join(template.format(i=i) for i in range(SPLIT_CLASS_LINES // 3 + 1))


RUBY = """module Walker
  def move(steps)
    steps
  end
end

module Swimmer
  def move(strokes, depth = 0)
    strokes + depth
  end
end

module Tools
  module Flyer
    def move(height)
      height
    end
  end
end

class Duck
  include Swimmer

  def go
    move(3)
  end
end

class Mallard < Duck
  def go_far
    move(30)
  end
end

class Dog
  prepend(Walker)

  def go
    move(4)
  end
end

class Goose
  extend Tools::Flyer

  def self.go
    move(100)
  end
end

class Robot
  def go
    move(5)
  end
end
"""


def _moves(file_units: FileUnits, name: str) -> list[str]:
    return [line for line in selected(file_units, name) if "def move" in line]


def test_a_ruby_class_s_mixins_are_its_bases() -> None:
    """Three modules define ``move``: a class that includes one was sent none of them (no base
    of its was one), so its ``move(3)`` was reviewed without the two parameters it must fit."""
    file_units = units_of("ruby", "rb", RUBY)
    assert file_units.bases["Duck"] == frozenset({"Swimmer"})
    assert _moves(file_units, "Duck") == ["def move(strokes, depth = 0)  # Swimmer"]
    # Through its base, as a Python subclass gets its base's base's.
    assert _moves(file_units, "Mallard") == ["def move(strokes, depth = 0)  # Swimmer"]
    assert _moves(file_units, "Dog") == ["def move(steps)  # Walker"]
    assert _moves(file_units, "Goose") == ["def move(height)  # Flyer"]
    # Nothing says which: none.
    assert _moves(file_units, "Robot") == []


def test_a_ruby_include_in_a_method_is_no_mixin() -> None:
    text = RUBY.replace("  def go\n    move(5)", "  def go\n    include Walker\n    move(5)")
    file_units = units_of("ruby", "rb", text)
    assert file_units.bases["Robot"] == frozenset()
    assert _moves(file_units, "Robot") == []


JAVA = (
    """class Shape {
    Shape(int sides) {
        this.sides = sides;
    }

    double area() {
        return 0;
    }
}

class Logger {
    Logger(String path) {
        this.path = path;
    }

    String area() {
        return "log";
    }
}

class Square extends Shape implements Comparable<Square> {
    Square(int side) {
        super(4);
        this.side = side;
    }

    Square() {
        this(1);
    }
"""
    + filler("\n    int m{i}() {{\n        return {i};\n    }}\n")
    + """}

class Reports {
    static double report(Shape s) {
        return s.area();
    }
}

class Logs {
    static String logArea(String name, Logger... loggers) {
        return name + loggers[0].area();
    }
}
"""
)


def test_a_java_constructor_s_super_and_this_calls_bring_the_constructors_they_call() -> None:
    """A Java constructor is named as its class: a long class's constructor, reviewed alone,
    calling ``super(4)`` was sent no constructor of its base (``super`` names none), nor, with
    ``this(1)``, the other constructor of its own class it calls."""
    file_units = units_of("java", "java", JAVA)
    assert selected(file_units, "Square.Square", 0) == ["Shape(int sides)  # Shape"]
    assert selected(file_units, "Square.Square", 1) == ["Square(int side)  # Square"]


def test_a_java_method_s_parameter_types_say_whose_method_it_calls() -> None:
    file_units = units_of("java", "java", JAVA)
    assert [line for line in selected(file_units, "Reports") if "area" in line] == [
        "double area()  # Shape"
    ]
    assert [line for line in selected(file_units, "Logs") if "area" in line] == [
        "String area()  # Logger"
    ]


CSHARP = (
    """class Shape {
    public Shape(int sides) { Sides = sides; }
    public double Area() { return 0; }
}

class Logger {
    public Logger(string path) { Path = path; }
    public string Area() { return "log"; }
}

class Square : Shape {
    public Square(int side) : base(4) {
        Side = side;
    }

    public Square() : this(1) { }
"""
    + filler("\n    public int M{i}() {{\n        return {i};\n    }}\n")
    + """}

static class Reports {
    public static double Report(Shape s) => s.Area();
}

static class Logs {
    public static string LogArea(Logger? log) => log?.Area() ?? "";
}
"""
)


def test_a_csharp_constructor_initializer_brings_the_constructor_it_calls() -> None:
    file_units = units_of("csharp", "cs", CSHARP)
    assert selected(file_units, "Square.Square", 0) == ["public Shape(int sides)  # Shape"]
    assert selected(file_units, "Square.Square", 1) == [
        "public Square(int side) : base(4)  # Square"
    ]
    assert [line for line in selected(file_units, "Reports") if "Area" in line] == [
        "public double Area()  # Shape"
    ]
    assert [line for line in selected(file_units, "Logs") if "Area" in line] == [
        "public string Area()  # Logger"
    ]


TYPESCRIPT = """class Shape {
  area(): number { return 0; }
}

class Logger {
  area(): string { return "log"; }
}

function report(s: Shape): number {
  return s.area();
}

function logArea(log?: Logger | null): string {
  return log ? log.area() : "";
}

function untyped(x) {
  return x.area();
}
"""

RUST = """struct Shape;
struct Logger;

trait Area {
    fn area(&self) -> f64;
}

impl Shape {
    fn area(&self) -> f64 {
        0.0
    }
}

impl Logger {
    fn area(&self) -> String {
        String::new()
    }
}

fn report(s: &Shape) -> f64 {
    s.area()
}

fn log_area(log: &mut Logger) -> String {
    log.area()
}

fn any_area(a: &dyn Area) -> f64 {
    a.area()
}
"""

PYTHON = """from typing import Optional


class Shape:
    def area(self):
        return 0


class Logger:
    def area(self):
        return "log"


def report(s: Shape):
    return s.area()


def log_area(log: Optional[Logger] = None):
    return log.area() if log else ""


def untyped(s):
    return s.area()


def forward(log: "Logger"):
    return log.area()


class Canvas:
    def draw(self, s: Shape):
        return s.area()
"""


KOTLIN = """class Shape {
    fun area(): Double = 0.0
}

class Logger {
    fun area(): String = "log"
}

fun report(s: Shape): Double = s.area()

fun logArea(log: Logger?): String = log?.area() ?: ""
"""

CPP = """class Shape {
public:
    double area() { return 0; }
};

class Logger {
public:
    const char* area() { return "log"; }
};

double report(const Shape& s) { return s.area(); }

const char* log_area(Logger* log) { return log->area(); }
"""

PHP = """<?php
class Shape {
    public function area(): float { return 0; }
}

class Logger {
    public function area(): string { return "log"; }
}

function report(Shape $s): float { return $s->area(); }

function logArea(?Logger $log): string { return $log->area(); }
"""

SWIFT = """class Shape {
    func area() -> Double { return 0 }
}

class Logger {
    func area() -> String { return "log" }
}

func report(s: Shape) -> Double { return s.area() }

func logArea(log: Logger?) -> String { return log?.area() ?? "" }
"""

SCALA = """class Shape {
  def area(): Double = 0
}

class Logger {
  def area(): String = "log"
}

object Reports {
  def report(s: Shape): Double = s.area()
}

object Logs {
  def logArea(log: Option[Logger]): String = log.map(_.area()).getOrElse("")
}
"""


@pytest.mark.parametrize(
    "lang, ext, text, expected",
    [
        (
            "typescript",
            "ts",
            TYPESCRIPT,
            {"report": ["area(): number  # Shape"], "logArea": ["area(): string  # Logger"]},
        ),
        ("tsx", "tsx", TYPESCRIPT, {"report": ["area(): number  # Shape"], "untyped": []}),
        (
            "rust",
            "rs",
            RUST,
            {
                "report": ["fn area(&self) -> f64  # Shape"],
                "log_area": ["fn area(&self) -> String  # Logger"],
                "any_area": ["fn area(&self) -> f64;  # Area"],
            },
        ),
        (
            "python",
            "py",
            PYTHON,
            {
                "report": ["def area(self):  # Shape"],
                "log_area": ["def area(self):  # Logger"],
                "untyped": [],
                "forward": ["def area(self):  # Logger"],
                "Canvas": ["def area(self):  # Shape"],
            },
        ),
        (
            "kotlin",
            "kt",
            KOTLIN,
            {
                "report": ["fun area(): Double  # Shape"],
                "logArea": ["fun area(): String  # Logger"],
            },
        ),
        (
            "cpp",
            "cpp",
            CPP,
            {"report": ["double area()  # Shape"], "log_area": ["const char* area()  # Logger"]},
        ),
        (
            "php",
            "php",
            PHP,
            {
                "report": ["public function area(): float  # Shape"],
                "logArea": ["public function area(): string  # Logger"],
            },
        ),
        (
            "swift",
            "swift",
            SWIFT,
            {
                "report": ["func area() -> Double  # Shape"],
                "logArea": ["func area() -> String  # Logger"],
            },
        ),
        # ``Option[Logger]`` is an Option: its argument is no class the function names.
        ("scala", "scala", SCALA, {"Reports": ["def area(): Double =  # Shape"], "Logs": []}),
    ],
)
def test_a_parameter_s_declared_type_says_whose_method_a_function_calls(
    lang: str, ext: str, text: str, expected: dict[str, list[str]]
) -> None:
    """Two classes define ``area``: a function taking ``s: Shape`` was sent neither (nothing
    said which), so ``s.area()`` was reviewed without the signature it calls; Go's did."""
    file_units = units_of(lang, ext, text)
    for name, lines in expected.items():
        assert [line for line in selected(file_units, name) if "area" in line] == lines, name


def test_a_method_of_a_long_class_means_its_own_parameters_types_not_its_neighbours() -> None:
    """Reviewed alone, a method is sent the classes of its own parameters; a class reviewed
    whole, those of all its methods'."""
    body = "".join(f"    def m{i}(self):\n        return {i}\n\n" for i in range(SPLIT_CLASS_LINES))
    text = PYTHON.replace(
        "class Canvas:\n",
        "class Canvas:\n    def show(self, log: Logger):\n        return log.area()\n\n"
        "    def again(self, s):\n        return s.area()\n\n" + body,
    )
    file_units = units_of("python", "py", text)
    assert selected(file_units, "Canvas.show") == ["class Logger:", "def area(self):  # Logger"]
    assert selected(file_units, "Canvas.draw") == ["class Shape:", "def area(self):  # Shape"]
    assert selected(file_units, "Canvas.again") == []


def test_a_parameter_s_class_brings_its_methods_not_its_constructor() -> None:
    """No call through a parameter makes an instance: a class whose method took ``ctx:
    Context`` was sent Context's ``__init__`` beside its base's for its own
    ``super().__init__``, a constructor it never calls (click's CommandCollection)."""
    text = """class Base:
    def __init__(self, name):
        self.name = name


class Context:
    def __init__(self, command, parent=None):
        self.command = command

    def invoke(self, callback):
        return callback()


class Command(Base):
    def __init__(self, name):
        super().__init__(name)

    def invoke(self, ctx: Context):
        return ctx.invoke(self.run)
"""
    file_units = units_of("python", "py", text)
    assert selected(file_units, "Command") == [
        "class Base:",
        "def __init__(self, name):  # Base",
        "class Context:",
        "def invoke(self, callback):  # Context",
    ]


def test_a_rust_parameter_s_type_brings_no_new_of_its_own() -> None:
    """``new`` is called on a type (``Logger::new()``), never through a parameter ``s: &Shape``."""
    text = RUST.replace(
        "impl Shape {\n", "impl Shape {\n    fn new() -> Shape {\n        Shape\n    }\n\n"
    ).replace(
        "impl Logger {\n", "impl Logger {\n    fn new() -> Logger {\n        Logger\n    }\n\n"
    )
    text += "\nfn log_for(s: &Shape) -> Logger {\n    Logger::new()\n}\n"
    file_units = units_of("rust", "rs", text)
    assert [line for line in selected(file_units, "log_for") if "fn new" in line] == [
        "fn new() -> Logger  # Logger"
    ]


FIELDS = {
    "java": (
        "java",
        "class Shape {\n    double area() { return 0; }\n}\n\n"
        'class Logger {\n    String area() { return "log"; }\n}\n\n'
        "class Report {\n    private final Logger log = new Logger();\n\n"
        "    String run() { return log.area(); }\n}\n",
        "Report",
        0,
        "String area()  # Logger",
    ),
    "csharp": (
        "cs",
        "class Shape {\n    public double Area() { return 0; }\n}\n\n"
        'class Logger {\n    public string Area() { return "log"; }\n}\n\n'
        "class Report {\n    private readonly Logger _log = new Logger();\n\n"
        "    public string Run() => _log.Area();\n}\n",
        "Report",
        0,
        "public string Area()  # Logger",
    ),
    "typescript": (
        "ts",
        "class Shape {\n  area(): number { return 0; }\n}\n\n"
        "class Logger {\n  area(): string { return 'log'; }\n}\n\n"
        "class Report {\n  private log: Logger = new Logger();\n\n"
        "  run(): string { return this.log.area(); }\n}\n",
        "Report",
        0,
        "area(): string  # Logger",
    ),
    "rust": (
        "rs",
        RUST.split("fn report")[0] + "struct Report {\n    log: Logger,\n}\n\n"
        "impl Report {\n    fn run(&self) -> String {\n        self.log.area()\n    }\n}\n",
        "Report",
        1,  # the impl, after the struct
        "fn area(&self) -> String  # Logger",
    ),
    "python": (
        "py",
        PYTHON.split("def report")[0] + "class Report:\n    log: Logger\n\n"
        "    def run(self):\n        return self.log.area()\n",
        "Report",
        0,
        "def area(self):  # Logger",
    ),
    "kotlin": (
        "kt",
        KOTLIN.split("fun report")[0] + "class Report(private val log: Logger, size: Shape) {\n"
        "    fun run(): String = log.area()\n}\n",
        "Report",
        0,
        "fun area(): String  # Logger",
    ),
    "cpp": (
        "cpp",
        CPP.split("double report")[0] + "class Report {\n    Logger* log_;\n\npublic:\n"
        "    const char* run() { return log_->area(); }\n};\n",
        "Report",
        0,
        "const char* area()  # Logger",
    ),
    "php": (
        "php",
        PHP.split("function report")[0] + "class Report {\n    private Logger $log;\n\n"
        "    public function run(): string { return $this->log->area(); }\n}\n",
        "Report",
        0,
        "public function area(): string  # Logger",
    ),
}


@pytest.mark.parametrize(
    "lang, ext, text",
    [
        (
            "kotlin",
            "kt",
            "class Report(private val log: Logger, size: Shape) : Base() {\n    fun run() = 1\n}\n",
        ),
        (
            "scala",
            "scala",
            "class Report(log: Logger, val size: Shape) extends Base(log) {\n  def run(): Int = 1\n}\n",
        ),
        (
            "csharp",
            "cs",
            "class Report(Logger log, Shape size) : Base(log) {\n    int Run() => 1;\n}\n",
        ),
        (
            "java",
            "java",
            "record Report(Logger log, Shape size) implements Base {\n    int run() { return 1; }\n}\n",
        ),
    ],
)
def test_a_class_s_own_parameters_are_no_bases(lang: str, ext: str, text: str) -> None:
    """``class Report(private val log: Logger) : Base()``: read from the header's lines, Logger
    and Shape were bases of Report, and its methods meant every method of theirs."""
    bases = units_of(lang, ext, text).bases["Report"]
    assert "Base" in bases and not bases & {"Logger", "Shape"}


@pytest.mark.parametrize(
    "lang, ext, text",
    [
        (
            "java",
            "java",
            "class Circle { double area() { return 1; } }\n"
            "class Square { double area() { return 2; } }\n"
            "class Report { Circle first() { return null; } }\n"
            "class Big extends Report {\n    double total(Square s) { return s.area(); }\n}\n",
        ),
        (
            "python",
            "py",
            "class Circle:\n    def area(self): return 1\n"
            "class Square:\n    def area(self): return 2\n"
            "class Report: kind = Circle\n"
            "class Big(Report):\n    def total(self, s: Square):\n        return s.area()\n",
        ),
        (
            "typescript",
            "ts",
            "class Circle { area() { return 1 } }\n"
            "class Square { area() { return 2 } }\n"
            "class Report { first(): Circle | null { return null } }\n"
            "class Big extends Report {\n  total(s: Square) { return s.area() }\n}\n",
        ),
    ],
)
def test_a_one_line_class_s_members_are_no_bases(lang: str, ext: str, text: str) -> None:
    """``class Report { Circle first() {...} }`` on one line: read from the header's line,
    its members' words were Report's bases, and a subclass's ``s.area()`` was sent Circle's
    ``area`` beside its parameter's Square's."""
    file_units = units_of(lang, ext, text)
    assert not file_units.bases["Report"] & {"Circle", "first", "kind"}
    areas = [line for line in selected(file_units, "Big") if "area(" in line]
    assert len(areas) == 1 and areas[0].endswith("# Square")


@pytest.mark.parametrize("lang", sorted(FIELDS))
def test_a_field_s_declared_type_says_whose_method_the_class_calls(lang: str) -> None:
    """``this.log.area()`` in a class whose field is ``private Logger log``: two classes
    define ``area``, and the class was sent neither."""
    ext, text, name, nth, meant = FIELDS[lang]
    file_units = units_of(lang, ext, text)
    assert [line for line in selected(file_units, name, nth) if "rea(" in line] == [meant]
    assert meant in prompt_signatures(lang, ext, text, name, nth)


def test_a_method_of_a_long_class_or_of_a_subclass_means_the_class_s_fields_types() -> None:
    """Reviewed alone, a method of a long class is in its class: ``self.log``, declared in
    ``__init__`` as a Logger, is a Logger in every method, and in a subclass's."""
    body = "".join(f"    def m{i}(self):\n        return {i}\n\n" for i in range(SPLIT_CLASS_LINES))
    text = PYTHON.split("def report")[0] + (
        "class Report:\n    def __init__(self, log):\n        self.log: Logger = log\n\n"
        "    def run(self):\n        return self.log.area()\n\n" + body + "\n"
        "class Daily(Report):\n    def again(self):\n        return self.log.area()\n"
    )
    file_units = units_of("python", "py", text)
    assert selected(file_units, "Report.run") == ["def area(self):  # Logger"]
    assert [line for line in selected(file_units, "Daily") if "area" in line] == [
        "def area(self):  # Logger"
    ]


def test_a_typescript_parameter_property_is_a_field_of_its_class() -> None:
    """``constructor(private readonly log: Logger)`` declares a field: a method of a long class,
    reviewed alone, calling ``this.log.area()`` means Logger's."""
    body = "".join(
        f"  m{i}(): number {{\n    return {i};\n  }}\n\n" for i in range(SPLIT_CLASS_LINES // 3)
    )
    text = TYPESCRIPT.split("function report")[0] + (
        "class Report {\n  constructor(private readonly log: Logger, size: Shape) {}\n\n"
        "  run(): string {\n    return this.log.area();\n  }\n\n" + body + "}\n"
    )
    file_units = units_of("typescript", "ts", text)
    # The constructor's other parameter is no field: Shape's ``area`` is not meant.
    assert selected(file_units, "Report.run") == ["area(): string  # Logger"]


@pytest.mark.parametrize(
    "lang, ext, text, unit, nth, carried, left_out",
    [
        (
            "ruby",
            "rb",
            RUBY,
            "Duck",
            0,
            ["def move(strokes, depth = 0)  # Swimmer"],
            ["def move(steps)  # Walker"],
        ),
        (
            "java",
            "java",
            JAVA,
            "Square.Square",
            0,
            ["Shape(int sides)  # Shape"],
            ["Logger(String path)  # Logger"],
        ),
        (
            "java",
            "java",
            JAVA,
            "Reports",
            0,
            ["double area()  # Shape"],
            ["String area()  # Logger"],
        ),
        (
            "csharp",
            "cs",
            CSHARP,
            "Square.Square",
            0,
            ["public Shape(int sides)  # Shape"],
            ["public Logger(string path)  # Logger"],
        ),
        (
            "typescript",
            "ts",
            TYPESCRIPT,
            "report",
            0,
            ["area(): number  # Shape"],
            ["area(): string  # Logger"],
        ),
        (
            "rust",
            "rs",
            RUST,
            "report",
            0,
            ["fn area(&self) -> f64  # Shape"],
            ["fn area(&self) -> String  # Logger"],
        ),
        (
            "python",
            "py",
            PYTHON,
            "report",
            0,
            ["def area(self):  # Shape"],
            ["def area(self):  # Logger"],
        ),
        (
            "kotlin",
            "kt",
            KOTLIN,
            "report",
            0,
            ["fun area(): Double  # Shape"],
            ["fun area(): String  # Logger"],
        ),
        (
            "cpp",
            "cpp",
            CPP,
            "log_area",
            0,
            ["const char* area()  # Logger"],
            ["double area()  # Shape"],
        ),
        (
            "php",
            "php",
            PHP,
            "report",
            0,
            ["public function area(): float  # Shape"],
            ["public function area(): string  # Logger"],
        ),
        (
            "swift",
            "swift",
            SWIFT,
            "report",
            0,
            ["func area() -> Double  # Shape"],
            ["func area() -> String  # Logger"],
        ),
        (
            "scala",
            "scala",
            SCALA,
            "Reports",
            0,
            ["def area(): Double =  # Shape"],
            ["def area(): String =  # Logger"],
        ),
    ],
)
def test_the_review_request_carries_the_meant_class_s_signature_only(
    lang: str, ext: str, text: str, unit: str, nth: int, carried: list[str], left_out: list[str]
) -> None:
    lines = prompt_signatures(lang, ext, text, unit, nth)
    assert all(line in lines for line in carried), lines
    assert not any(line in lines for line in left_out), lines


async def test_a_java_constructor_s_super_call_brings_its_base_from_the_base_s_file(
    fake_deepseek: FakeDeepSeek, client: ModelClient, engine: ReviewEngine, tmp_path: Path
) -> None:
    """A Java class is a file of its own: Square's constructor, reviewed alone (a long class),
    calls ``super(4)`` and names no Shape, so Shape.java was not read for it."""
    (tmp_path / "Shape.java").write_text(
        "public class Shape {\n    public Shape(int sides) {\n        this.sides = sides;\n    }\n}\n"
    )
    square = (
        "public class Square extends Shape {\n    public Square(int side) {\n        super(4);\n    }\n"
        + filler("\n    int m{i}() {{\n        return {i};\n    }}\n")
        + "}\n"
    )
    doc = Document((tmp_path / "Square.java").as_uri(), square, language=REGISTRY.get("java"))
    fake_deepseek.responder(reviewer(()), path="/chat/completions")
    constructor = unit_at(extract_units(doc), "Square.Square")
    await engine.review(
        client, doc, settings_for(fake_deepseek), roots=[tmp_path], lines=[constructor.first_line]
    )
    (request,) = fake_deepseek.requests_to("/chat/completions")
    assert "public Shape(int sides)" in request.json["messages"][-1]["content"]


SHORT_SHAPE = """public class Shape {
    public Shape(int sides) { this.sides = sides; }
    public Shape(int sides, String name) { this(sides); }
    public int sides() { return sides; }
}
"""


@pytest.mark.parametrize(
    "shape, expected",
    [
        (
            SHORT_SHAPE,
            [
                "public class Shape  # Shape.java",
                "public Shape(int sides)  # Shape.java",
                "public Shape(int sides, String name)  # Shape.java",
            ],
        ),
        # Longer than a snippet, a class is sent as its outline: its constructors are in it.
        (
            SHORT_SHAPE.replace(
                "    public int",
                "\n".join(f"    int m{i}() {{ return {i}; }}" for i in range(12))
                + "\n    public int",
            ),
            [
                "public class Shape public Shape(int sides) … public Shape(int sides, String name) … "
                "int m0() … int m1() …  # Shape.java"
            ],
        ),
    ],
)
async def test_a_class_imported_from_another_file_comes_with_its_constructors(
    fake_deepseek: FakeDeepSeek,
    client: ModelClient,
    engine: ReviewEngine,
    tmp_path: Path,
    shape: str,
    expected: list[str],
) -> None:
    """``new Shape(3)`` was reviewed with ``public class Shape`` alone: a short class's
    signature is its header, which says nothing of the arguments its constructors take."""
    (tmp_path / "Shape.java").write_text(shape)
    text = "public class Factory {\n    static Shape make() {\n        return new Shape(3);\n    }\n}\n"
    doc = Document((tmp_path / "Factory.java").as_uri(), text, language=REGISTRY.get("java"))
    fake_deepseek.responder(reviewer(()), path="/chat/completions")
    await engine.review(client, doc, settings_for(fake_deepseek), roots=[tmp_path])
    (request,) = fake_deepseek.requests_to("/chat/completions")
    assert request.json["messages"][-1]["content"].split(_SIGNATURES, 1)[1].splitlines() == expected


MADE = {
    "python": (
        "py",
        "class Mailer:\n    def send(self, to):\n        return to\n\n\n"
        "class Socket:\n    def send(self, data):\n        return data\n\n\n"
        "def ping(sock):\n    sock.send(b'x')\n\n\n"
        "def notify(user):\n    mailer = Mailer()\n    mailer.send(user)\n",
        "def send(self, to):  # Mailer",
    ),
    "javascript": (
        "js",
        "class Mailer {\n  send(to) {\n    return to;\n  }\n}\n\n"
        "class Socket {\n  send(data) {\n    return data;\n  }\n}\n\n"
        "function ping(sock) {\n  sock.send('x');\n}\n\n"
        "function notify(user) {\n  const mailer = new Mailer();\n  mailer.send(user);\n}\n",
        "send(to)  # Mailer",
    ),
    "go": (
        "go",
        "package m\n\ntype Mailer struct{}\n\nfunc (m *Mailer) Send(to string) string {\n\treturn to\n}\n\n"
        "type Socket struct{}\n\nfunc (s *Socket) Send(data string) string {\n\treturn data\n}\n\n"
        "func ping(sock any) {\n\tsock.(*Socket).Send(\"x\")\n}\n\n"
        "func notify(user string) {\n\tmailer := &Mailer{}\n\tmailer.Send(user)\n}\n",
        "func (m *Mailer) Send(to string) string",
    ),
    "ruby": (
        "rb",
        "class Mailer\n  def deliver(to)\n    to\n  end\nend\n\n"
        "class Socket\n  def deliver(data)\n    data\n  end\nend\n\n"
        "def ping(sock)\n  sock.deliver('x')\nend\n\n"
        "def notify(user)\n  mailer = Mailer.new\n  mailer.deliver(user)\nend\n",
        "def deliver(to)  # Mailer",
    ),
}


@pytest.mark.parametrize("lang", sorted(MADE))
def test_a_class_the_unit_makes_an_instance_of_says_whose_method_it_calls(lang: str) -> None:
    # `mailer = Mailer(); mailer.send(user)` outside any class: neither of the two classes'
    # `send` went with it, though the code says whose it is.
    ext, text, meant = MADE[lang]
    file_units = units_of(lang, ext, text)
    sent = selected(file_units, "notify")
    assert meant in sent
    assert not any("Socket" in s and "class" not in s and "type" not in s for s in sent), sent
    # A unit making no instance still gets neither: nothing says whose `send` it calls.
    assert not [s for s in selected(file_units, "ping") if "(" in s], selected(file_units, "ping")


def test_a_module_s_own_code_means_the_class_it_makes_an_instance_of() -> None:
    ext, text, _ = MADE["python"]
    text += "\n\nmailer = Mailer()\nmailer.send('ops')\n"
    assert prompt_signatures("python", ext, text, "module level") == [
        "class Mailer:",
        "def send(self, to):  # Mailer",
    ]


async def test_a_unit_s_key_holds_no_signature_of_a_file_another_unit_names(
    fake_deepseek: FakeDeepSeek, client: ModelClient, engine: ReviewEngine, tmp_path: Path
) -> None:
    """Java reads the file named after a type a unit uses (Circle.java for ``Circle c``), and
    every name it defines that any unit uses went into each unit's key: reviewed with the
    whole file, UsesShape's key held Circle.java's ``area``, reviewed alone (``--changed``) it
    did not, and it was sent and paid for again, its code unchanged."""
    for name in ("Shape", "Circle"):
        (tmp_path / f"{name}.java").write_text(
            f"public class {name} {{\n    public double area() {{\n        return 1;\n    }}\n}}\n"
        )
    text = (
        "class UsesShape {\n    double a(Shape s) {\n        return s.area();\n    }\n}\n\n"
        "class UsesCircle {\n    double b(Circle c) {\n        return c.area();\n    }\n}\n"
    )
    doc = Document((tmp_path / "Report.java").as_uri(), text, language=REGISTRY.get("java"))
    fake_deepseek.responder(reviewer(()), path="/chat/completions")
    settings = settings_for(fake_deepseek)
    await engine.review(client, doc, settings, roots=[tmp_path])
    sent = len(fake_deepseek.requests_to("/chat/completions"))
    (request,) = fake_deepseek.requests_to("/chat/completions")
    lines = request.json["messages"][-1]["content"].split(_SIGNATURES, 1)[1].splitlines()
    assert "public double area()  # Circle.java" in lines  # UsesCircle's, in the same request
    await engine.review(client, doc, settings, roots=[tmp_path], lines=[0])
    assert len(fake_deepseek.requests_to("/chat/completions")) == sent


async def test_each_unit_reads_the_files_of_its_own_types_however_many_the_file_uses(
    fake_deepseek: FakeDeepSeek, client: ModelClient, engine: ReviewEngine, tmp_path: Path
) -> None:
    """Twelve files beside a document are read at most, counted over all its units' types:
    the unit using the thirteenth, in alphabetical order, was reviewed with the whole file
    without its type's file, and reviewed alone (``--changed``) with it: a new key, sent and
    paid for again, its code unchanged."""
    names = [f"T{letter}" for letter in "ABCDEFGHIJKLMN"]
    for name in names:
        (tmp_path / f"{name}.java").write_text(
            f"public class {name} {{\n    public int go{name}(int x) {{\n        return x;\n    }}\n}}\n"
        )
    text = "\n".join(
        f"class Uses{n} {{\n    int f({n} t) {{\n        return t.go{n}(1);\n    }}\n}}\n" for n in names
    )
    doc = Document((tmp_path / "Report.java").as_uri(), text, language=REGISTRY.get("java"))
    fake_deepseek.responder(reviewer(()), path="/chat/completions")
    settings = settings_for(fake_deepseek)
    await engine.review(client, doc, settings, roots=[tmp_path])
    sent = len(fake_deepseek.requests_to("/chat/completions"))
    last = unit_at(extract_units(doc), "UsesTN")
    await engine.review(client, doc, settings, roots=[tmp_path], lines=[last.first_line])
    assert len(fake_deepseek.requests_to("/chat/completions")) == sent


def test_a_file_record_knows_its_units_type_files_again(tmp_path: Path) -> None:
    """A file's record (answered without a parse while nothing it read changed) finds the files
    beside it named after each unit's types as the review did, and sees a new one appear."""
    (tmp_path / "Shape.java").write_text("public class Shape {\n    int area() { return 1; }\n}\n")
    text = "class Uses {\n    int f(Shape s, Circle c) {\n        return s.area() + c.area();\n    }\n}\n"
    doc = Document((tmp_path / "Report.java").as_uri(), text, language=REGISTRY.get("java"))
    settings, _ = build_settings({}, env={})
    imports = ImportReader(REGISTRY).read(doc, "Report.java", extract_units(doc).units, [tmp_path], settings)
    assert imports is not None and [t.name for t, _ in imports.targets] == ["Shape.java"]
    deps = dependencies(imports.sources, imports.wanted, imports.targets, imports.roots)
    assert dependencies_unchanged(doc, deps, [tmp_path], settings)
    (tmp_path / "Circle.java").write_text("public class Circle {\n    int area() { return 2; }\n}\n")
    sibling_types._siblings.clear()  # what it found is kept 5 s
    assert not dependencies_unchanged(doc, deps, [tmp_path], settings)


def test_a_review_reads_no_file_beside_for_a_type_an_import_binds(tmp_path: Path) -> None:
    """``use App\\Queue\\Mailer;`` in App\\Services: the Services' Mailer.php beside the file is
    another class, not read for the review's signatures (its send(string $to) was sent as the
    Mailer's), nor kept in the file's record; a type of its own namespace (Logger) still is."""
    for name, params in (("Mailer", "string $to"), ("Logger", "int $n")):
        (tmp_path / f"{name}.php").write_text(
            f"<?php\nnamespace App\\Services;\n\nclass {name}\n{{\n"
            f"    public function send({params}): bool\n    {{\n        return true;\n    }}\n}}\n"
        )
    text = (
        "<?php\nnamespace App\\Services;\n\nuse App\\Queue\\Mailer;\n\n"
        "function signup(): void\n{\n    $m = new Mailer();\n    $m->send([]);\n"
        "    $l = new Logger();\n    $l->send(1);\n}\n"
    )
    doc = Document((tmp_path / "Signup.php").as_uri(), text, language=REGISTRY.get("php"))
    settings, _ = build_settings({}, env={})
    units = extract_units(doc).units
    imports = ImportReader(REGISTRY).read(doc, "Signup.php", units, [tmp_path], settings)
    assert imports is not None and [t.name for t, _ in imports.targets] == ["Logger.php"]
    deps = dependencies(imports.sources, imports.wanted, imports.targets, imports.roots)
    assert dependencies_unchanged(doc, deps, [tmp_path], settings)
