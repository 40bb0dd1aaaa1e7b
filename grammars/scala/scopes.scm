; Scopes whose header (the text before @body) is shown as context and that bound a review unit.
; A Scala 3 body by indentation (`class A:` and members indented under it) is a
; `template_body` too, from its `:`; a block `package a.b { ... }` is a scope like C#'s
; namespace.
[
  (class_definition name: (identifier) @name body: (template_body) @body)
  (trait_definition name: (identifier) @name body: (template_body) @body)
  (object_definition name: (identifier) @name body: (template_body) @body)
  (enum_definition name: (identifier) @name body: (enum_body) @body)
  (package_object name: (identifier) @name body: (template_body) @body)
  (package_clause name: (package_identifier) @name body: (template_body) @body)
  (given_definition name: (identifier)? @name body: (with_template_body) @body)
] @scope.class

; Anonymous classes: `new Runnable { ... }`
(instance_expression (_) @name (template_body) @body) @scope.class

; Any body: a block `= { ... }`, an indented one (Scala 3: `def f(x: Int): Int =` and lines
; indented under it), or one expression (`= x match { ... }`); the header ends before it, after
; the `=`. `def this(...)` (an auxiliary constructor) is named `this`.
(function_definition name: (identifier) @name body: (_) @body) @scope.function

; Lambdas bound to a name: `val f = (s: String) => { ... }`.
(val_definition
  pattern: (identifier) @name
  value: (lambda_expression [(block) (indented_block)] @body)) @scope.function

; A block passed to a call: `xs.map { x => ... }`, `Future { ... }`, `xs.foreach { case ... }`,
; and after other arguments, `xs.foldLeft(0) { (acc, x) => ... }`, `test("adds") { ... }` (the
; call with the first argument list is the callee of the one with the block). A lambda's
; parameters are in its block, so `{ x =>` with nothing after it is no empty body; the line
; ending with `=>` still opens one (the completion feature's fallback reads it).
(call_expression
  function: [
    (identifier) @name
    (field_expression field: (identifier) @name)
    (call_expression
      function: [(identifier) @name (field_expression field: (identifier) @name)])
  ]
  arguments: [(block) (case_block)] @body) @scope.function

; And a lambda as the last argument: `xs.foreach(x => { ... })`.
(call_expression
  function: [(identifier) @name (field_expression field: (identifier) @name)]
  arguments: (arguments
    (lambda_expression [(block) (indented_block)] @body) .)) @scope.function

; Only bodies in braces or indented: `if (x) a else b` on one line opens nothing. Only an
; `if`'s own branch: its `else` one is a field of the same node (a second match would give the
; `if` two bodies), and an `else` line opens a block by its `{` (or by indentation).
[
  (if_expression consequence: [(block) (indented_block)] @body)
  (while_expression body: [(block) (indented_block)] @body)
  (do_while_expression body: [(block) (indented_block)] @body)
  (for_expression body: [(block) (indented_block)] @body)
  (try_expression body: [(block) (indented_block)] @body)
  (catch_clause [(case_block) (indented_cases)] @body)
  (finally_clause [(block) (indented_block)] @body)
  (match_expression body: [(case_block) (indented_cases)] @body)
] @scope.block
