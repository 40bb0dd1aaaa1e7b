; Scopes whose header (the text before @body) is shown as context and that bound a review unit.
; `f() { ... }`, `function f { ... }`, `f() ( ... )`
(function_definition
  name: (word) @name
  body: (_) @body) @scope.function

; `if ...; then ... fi` has no body node: its @body is the first statement after `then` (the
; header is everything before it), or, with no statement yet, the `then` keyword itself.
((if_statement "then" . (_) @body) @scope.block
  (#not-match? @body "^(elif|else)([^A-Za-z0-9_]|$)"))

(if_statement "then" @body . ["fi" (elif_clause) (else_clause)]) @scope.block

((elif_clause "then" . (_) @body) @scope.block
  (#not-match? @body "^(elif|else)([^A-Za-z0-9_]|$)"))

(elif_clause "then" @body .) @scope.block

(else_clause "else" . (_) @body) @scope.block

(else_clause "else" @body .) @scope.block

[
  (for_statement body: (do_group) @body)
  (c_style_for_statement body: [(do_group) (compound_statement)] @body)
  (while_statement body: (do_group) @body)
] @scope.block

(case_item value: (_) ")" . (_) @body) @scope.block

; A `case` arm with no command yet (`start)` and its `;;`, or none before `esac`): the `)` is
; the @body, so the cursor on the blank line under it asks for a block.
(case_item value: (_) ")" @body . [";;" ";&" ";;&"]) @scope.block

(case_item value: (_) ")" @body .) @scope.block
