; Scopes whose header (the text before @body) is shown as context and that bound a review unit.
; The grammar calls class, struct, enum, actor and extension declarations all class_declaration.
[
  (class_declaration name: (_) @name body: (_) @body)
  (protocol_declaration name: (_) @name body: (protocol_body) @body)
] @scope.class

; `func f()`, `init()`, `deinit`, `subscript`, a computed property (`var x: T { ... }`).
; A function's `name` field holds its return type too: its name is the `name` right after
; `func` (an identifier, `==`, `<<`, a prefix `!`, a custom `<*>`), its body the last child.
; Not `name: [(simple_identifier) "==" ...]` and `body: (function_body)`: tree-sitter's check of
; such a pattern walks every parse state of function_declaration, 0.1-0.25 s of CPU each, and the
; first Swift file's first suggestion waited for four of them (see grammars/README.md).
[
  (function_declaration "func" . name: _ @name _ @body .)
  (init_declaration name: _ @name body: (function_body) @body)
  (deinit_declaration "deinit" @name body: (function_body) @body)
  (subscript_declaration "subscript" @name (computed_property) @body)
  (property_declaration name: (pattern) @name computed_value: (computed_property) @body)
] @scope.function

; Statements and closures have no body node: their braces are the statement's own children.
; The @body is the statements between them (the header ends with the `{`), or, in an empty
; block, the `}` (the same header, and a body with no statement: the cursor on the blank line
; of a new `if x {}` or `xs.map { x in }` asks for a block).

; A trailing closure: `items.forEach { item in ... }`, `queue.async { [weak self] in ... }`;
; a closure bound to a name: `let handler = { (event: Event) in ... }`.
(call_expression
  . (_) @name
  (call_suffix (lambda_literal (statements) @body))) @scope.function

(call_expression
  . (_) @name
  (call_suffix (lambda_literal ["{" "in"] . "}" @body))) @scope.function

(property_declaration
  name: (pattern) @name
  value: (lambda_literal (statements) @body)) @scope.function

; An `if`'s first block only: its `else` blocks are no scope of their own, as in Java (the
; grammar gives `if let x = y` conditions no field the anchor can follow; `else` is a node).
((if_statement (_) @_before . "{" . [(statements) "}"] @body) @scope.block
  (#not-eq? @_before "else"))

[
  (guard_statement "{" . (statements) @body)
  (for_statement "{" . (statements) @body)
  (while_statement "{" . (statements) @body)
  (repeat_while_statement "{" . (statements) @body)
  (do_statement "{" . (statements) @body)
  (catch_block "{" . (statements) @body)
  (switch_entry (statements) @body)
] @scope.block

[
  (guard_statement "{" . "}" @body)
  (for_statement "{" . "}" @body)
  (while_statement "{" . "}" @body)
  (repeat_while_statement "{" . "}" @body)
  (do_statement "{" . "}" @body)
  (catch_block "{" . "}" @body)
] @scope.block

(switch_statement "{" . (switch_entry) @body) @scope.block
