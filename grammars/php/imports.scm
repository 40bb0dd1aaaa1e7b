; Like Java's imports: `use App\Store\Backend;` has @import.source `App\Store` and @import.name
; `Backend`; `use A\B as C;` binds `C`; `use A\{B, C as D};` has source `A` and names `B`, `D`.
(namespace_use_declaration
  (namespace_use_clause
    (qualified_name
      prefix: (namespace_name) @import.source
      (name) @import.name .)
    !alias)) @import

(namespace_use_declaration
  (namespace_use_clause
    (qualified_name
      prefix: (namespace_name) @import.source)
    alias: (name) @import.name)) @import

; `use Foo;` (a global name): the name is both.
(namespace_use_declaration
  (namespace_use_clause
    .
    (name) @import.source @import.name
    !alias)) @import

(namespace_use_declaration
  (namespace_name) @import.source
  body: (namespace_use_group
    (namespace_use_clause
      .
      (name) @import.name
      !alias))) @import

(namespace_use_declaration
  (namespace_name) @import.source
  body: (namespace_use_group
    (namespace_use_clause
      alias: (name) @import.name))) @import

; `require_once __DIR__ . '/util.php';`, `include 'header.php';`: the path expression, no name.
(expression_statement
  [
    (require_expression (_) @import.source)
    (require_once_expression (_) @import.source)
    (include_expression (_) @import.source)
    (include_once_expression (_) @import.source)
  ]) @import
