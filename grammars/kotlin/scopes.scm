; Scopes whose header (the text before @body) is shown as context and that bound a review unit.
; Interfaces, enum, data and sealed classes are all `class_declaration` (the keyword differs).
[
  (class_declaration name: (identifier) @name [(class_body) (enum_class_body)] @body)
  (object_declaration name: (identifier) @name (class_body) @body)
  (companion_object name: (identifier) @name (class_body) @body)
] @scope.class

; `companion object { ... }` without a name.
(companion_object !name (class_body) @body) @scope.class

; Anonymous objects: `object : Runnable { ... }`
(object_literal (delegation_specifiers)? @name (class_body) @body) @scope.class

; A function's `function_body` wraps its block: the block is the @body, so an empty `{ }` has
; no statement. An expression body (`fun f() =` and an expression over the next lines) is its
; `function_body`, which starts at the `=`: the header is the signature.
(function_declaration name: (identifier) @name (function_body (block) @body)) @scope.function

(function_declaration name: (identifier) @name (function_body "=") @body) @scope.function

[
  (secondary_constructor "constructor" @name (block) @body)
  (anonymous_initializer "init" @name (block) @body)
  (getter "get" @name (function_body (block) @body))
  (setter "set" @name (function_body (block) @body))
  (anonymous_function (function_body (block) @body))
] @scope.function

; Lambdas bound to a name: `val describe = { v: V -> ... }`.
(property_declaration
  (variable_declaration (identifier) @name)
  (lambda_literal) @body) @scope.function

; A trailing lambda: `items.forEach { item -> ... }`, `scope.launch { ... }`, `apply { ... }`,
; and after arguments, `Column(modifier = m) { ... }` (the call with its arguments is the callee
; of the one with the lambda). Its parameters are inside the lambda, so `{ item ->` with nothing
; after it is no empty body; the line ending with `->` still opens one (the completion
; feature's fallback reads it).
(call_expression
  [
    (identifier) @name
    (navigation_expression (identifier) @name .)
    (call_expression
      [(identifier) @name (navigation_expression (identifier) @name .)]
      (value_arguments))
  ]
  (annotated_lambda (lambda_literal) @body)) @scope.function

; Only an `if`'s own block: its `else` block is a child of the same node (a second match on it
; would give the `if` two bodies), and an `else` line opens a block by its `{`.
[
  (if_expression condition: (_) . (block) @body)
  (for_statement (block) @body)
  (while_statement (block) @body)
  (do_while_statement (block) @body)
  (try_expression (block) @body)
  (catch_block (block) @body)
  (finally_block (block) @body)
  (when_entry (block) @body)
] @scope.block
